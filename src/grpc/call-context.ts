import { Metadata } from '@grpc/grpc-js';
import { CasError } from '../domain/errors';
import { requestIdFrom } from '../telemetry/request-id';
import { decodeHeaderText } from '../domain/names';
import { Caller } from '../domain/model';
import { TokenAuthority } from '../core/token-authority';

export { FILENAME_HEADER, MEDIA_TYPE_HEADER } from '../domain/names';

/** Callers already authenticated on a call, so its log line can name the organisation. */
const seen = new WeakMap<Metadata, Caller>();

/** The caller behind `authorization: Bearer <token>`; UNAUTHENTICATED without a valid one. */
export function callerOf(metadata: Metadata, authority: TokenAuthority): Caller {
  const values = metadata.get('authorization');
  const caller = authority.fromAuthorization(values.length === 0 ? undefined : String(values[0]), 'metadata');
  seen.set(metadata, caller);
  return caller;
}

/** The organisation a call authenticated as, if it got that far. */
export function orgSeen(metadata: Metadata): string | undefined {
  return seen.get(metadata)?.orgId;
}

export function requestIdOf(metadata: Metadata): string {
  return requestIdFrom(metadata.get('x-request-id')[0]);
}

/** Metadata values are ASCII; clients percent-encode file names (encodeURIComponent). */
export function textHeader(metadata: Metadata, key: string): string | undefined {
  const v = metadata.get(key)[0];
  if (v === undefined) return undefined;
  return decodeHeaderText(String(v));
}

/** One AbortSignal per call, aborted when the client cancels or its deadline passes. */
export function signalOf(call: { on(event: 'cancelled', fn: () => void): unknown }): AbortSignal {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort(new CasError('CANCELLED', 'the client cancelled the call')));
  return ac.signal;
}
