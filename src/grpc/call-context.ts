import { Metadata } from '@grpc/grpc-js';
import { CasError } from '../domain/errors';
import { Caller } from '../domain/model';
import { TokenAuthority } from '../core/token-authority';

export const FILENAME_HEADER = 'x-cairn-filename';
export const MEDIA_TYPE_HEADER = 'x-cairn-media-type';

/** The caller behind `authorization: Bearer <token>`; UNAUTHENTICATED without a valid one. */
export function callerOf(metadata: Metadata, authority: TokenAuthority): Caller {
  const values = metadata.get('authorization');
  if (values.length === 0) throw new CasError('UNAUTHENTICATED', 'missing authorization metadata: send "authorization: Bearer <token>"');
  const header = String(values[0]);
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new CasError('UNAUTHENTICATED', 'authorization metadata must be "Bearer <token>"');
  return authority.verify(match[1]!);
}

/** Metadata values are ASCII; clients percent-encode file names (encodeURIComponent). */
export function textHeader(metadata: Metadata, key: string): string | undefined {
  const v = metadata.get(key)[0];
  if (v === undefined) return undefined;
  const s = String(v);
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One AbortSignal per call, aborted when the client cancels or its deadline passes. */
export function signalOf(call: { on(event: 'cancelled', fn: () => void): unknown }): AbortSignal {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort(new CasError('CANCELLED', 'the client cancelled the call')));
  return ac.signal;
}
