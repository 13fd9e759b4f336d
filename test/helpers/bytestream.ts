import { once } from 'node:events';
import { Metadata, ServiceError, status } from '@grpc/grpc-js';
import { ByteStreamClient, WriteRequest } from '../../generated/google/bytestream/bytestream';
import { CairnClient } from '../../src/client';
import { eventually } from './eventually';

export interface WriteOutcome {
  readonly code: status;
  readonly details: string;
  readonly committedSize?: number;
}

function md(token?: string, extra: Record<string, string> = {}): Metadata {
  const m = new Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
}

/**
 * Sends exactly these WriteRequests. With `cut`, the call is cancelled after the messages
 * instead of half-closed (a client that lost its connection); the outcome is then CANCELLED.
 */
export async function rawWrite(
  client: CairnClient,
  token: string | undefined,
  requests: Partial<WriteRequest>[],
  opts: {
    cut?: boolean;
    holdMs?: number;
    /** With `cut`: wait until this holds (bounded) rather than a fixed hold, e.g. until the server has every byte. */
    cutWhen?: () => Promise<boolean>;
    headers?: Record<string, string>;
    beforeIndex?: number;
    before?: () => Promise<void>;
    /** Pause between requests: a slow client. */
    delayMs?: number;
  } = {},
): Promise<WriteOutcome> {
  const bs: ByteStreamClient = client.bytestream;
  let settle!: (o: WriteOutcome) => void;
  const outcome = new Promise<WriteOutcome>((r) => (settle = r));
  const call = bs.write(md(token, opts.headers), (err: ServiceError | null, res) => {
    if (err) settle({ code: err.code, details: err.details });
    else settle({ code: status.OK, details: '', committedSize: res!.committedSize });
  });
  let ended = false;
  void outcome.then(() => (ended = true));
  for (const [i, r] of requests.entries()) {
    if (ended) break;
    if (i === opts.beforeIndex) await opts.before?.();
    if (opts.delayMs && i > 0) await new Promise((r) => setTimeout(r, opts.delayMs));
    const req: WriteRequest = { resourceName: '', writeOffset: 0, finishWrite: false, data: Buffer.alloc(0), ...r };
    if (!call.write(req)) await Promise.race([once(call, 'drain'), outcome]);
  }
  if (opts.cut) {
    // Let the messages reach the server (or hold the stream open) before the connection is "lost".
    if (opts.cutWhen) await eventually('the server to have the bytes before the cut', opts.cutWhen, 10_000);
    else await new Promise((r) => setTimeout(r, opts.holdMs ?? 150));
    call.cancel();
  } else {
    call.end();
  }
  return outcome;
}

/** Splits bytes into WriteRequests of `chunk` bytes with correct offsets, finishing on the last. */
export function chunked(resourceName: string, bytes: Buffer, chunk = 64 * 1024, from = 0, finish = true): Partial<WriteRequest>[] {
  const out: Partial<WriteRequest>[] = [];
  for (let off = from; off < bytes.length || out.length === 0; off += chunk) {
    const data = bytes.subarray(off, Math.min(bytes.length, off + chunk));
    out.push({ resourceName: out.length === 0 ? resourceName : '', writeOffset: off, data });
    if (off + chunk >= bytes.length) break;
  }
  if (finish) out[out.length - 1] = { ...out[out.length - 1], finishWrite: true };
  return out;
}

export async function rawRead(
  client: CairnClient,
  token: string | undefined,
  resourceName: string,
  readOffset = 0,
  readLimit = 0,
): Promise<{ code: status; details: string; data: Buffer }> {
  const call = client.bytestream.read({ resourceName, readOffset, readLimit }, md(token));
  const parts: Buffer[] = [];
  try {
    for await (const m of call) parts.push((m as { data: Buffer }).data);
    return { code: status.OK, details: '', data: Buffer.concat(parts) };
  } catch (e) {
    const se = e as ServiceError;
    return { code: se.code, details: se.details, data: Buffer.concat(parts) };
  }
}

export async function queryStatus(client: CairnClient, token: string | undefined, resourceName: string) {
  return new Promise<{ code: status; details: string; committedSize?: number; complete?: boolean }>((resolve) => {
    client.bytestream.queryWriteStatus({ resourceName }, md(token), (err, res) => {
      if (err) resolve({ code: err.code, details: err.details });
      else resolve({ code: status.OK, details: '', committedSize: res!.committedSize, complete: res!.complete });
    });
  });
}

/**
 * What a client does after losing a stream: ask QueryWriteStatus where the upload stands and
 * continue from there. The server parks a cut stream a moment after the client saw it fail, so
 * a resume that races it (ABORTED) or a status that is still moving is retried, a bounded number
 * of times. Returns the committed size the resume started from and the final outcome.
 */
export async function resumeUpload(
  client: CairnClient,
  token: string,
  resourceName: string,
  bytes: Buffer,
  chunk = 1 << 20,
): Promise<{ from: number; outcome: WriteOutcome }> {
  let last: WriteOutcome | undefined;
  for (let attempt = 0; attempt < 40; attempt++) {
    const q = await queryStatus(client, token, resourceName);
    if (q.code === status.OK) {
      const from = q.committedSize ?? 0;
      last = await rawWrite(client, token, chunked(resourceName, bytes, chunk, from));
      if (last.code !== status.ABORTED && !(last.code === status.INVALID_ARGUMENT && last.details.startsWith('write_offset'))) {
        return { from, outcome: last };
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`could not resume ${resourceName}: ${JSON.stringify(last)}`);
}
