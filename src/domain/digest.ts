import { invalidArgument } from './errors';

/** A SHA-256 digest with the size of the bytes it names, as the Remote Execution API pairs them. */
export interface Digest {
  /** 64 lower-case hex characters. */
  readonly hex: string;
  readonly size: number;
}

export const EMPTY_SHA256_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const EMPTY_DIGEST: Digest = Object.freeze({ hex: EMPTY_SHA256_HEX, size: 0 });

const HEX_RE = /^[0-9a-f]{64}$/;
const SIZE_RE = /^(0|[1-9][0-9]{0,15})$/;

export function isEmptyDigest(d: Digest): boolean {
  return d.size === 0 && d.hex === EMPTY_SHA256_HEX;
}

/** Accepts "<hex>" or "sha256:<hex>" (user-facing input); anything else is INVALID_ARGUMENT. */
export function parseHex(input: string): string {
  return parseBareHex(input.startsWith('sha256:') ? input.slice('sha256:'.length) : input, input);
}

/** Exactly 64 lower-case hex characters, as in a resource name's hash segment. */
export function parseBareHex(hex: string, shown = hex): string {
  if (!HEX_RE.test(hex)) {
    throw invalidArgument(`invalid sha256 digest ${JSON.stringify(truncate(shown))}: want 64 lower-case hex characters`);
  }
  return hex;
}

/** Parses a decimal size; refuses signs, leading zeros and anything past Number.MAX_SAFE_INTEGER. */
export function parseSize(input: string): number {
  if (!SIZE_RE.test(input)) throw invalidArgument(`invalid size ${JSON.stringify(truncate(input))}: want a decimal byte count`);
  return checkSize(Number(input));
}

export function checkSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument(`invalid size ${n}: want a non-negative integer`);
  return n;
}

export function makeDigest(hex: string, size: number): Digest {
  return { hex: parseHex(hex), size: checkSize(size) };
}

export function formatDigest(d: Pick<Digest, 'hex'>): string {
  return `sha256:${d.hex}`;
}

export function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
