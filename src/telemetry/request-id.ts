import { randomUUID } from 'node:crypto';

const SAFE = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's X-Request-Id when it is a plain short token, so it can be logged as is; a fresh UUID otherwise. */
export function requestIdFrom(given: unknown): string {
  return typeof given === 'string' && SAFE.test(given) ? given : randomUUID();
}
