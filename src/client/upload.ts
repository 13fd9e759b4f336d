import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { status as Status, ServiceError } from '@grpc/grpc-js';
import { ByteStreamClient, WriteResponse } from '../../generated/google/bytestream/bytestream';
import { Digest } from '../domain/digest';
import { FILENAME_HEADER, MEDIA_TYPE_HEADER } from '../domain/names';
import { formatWriteResource } from '../domain/resource-name';
import { authMetadata, call } from './connection';

export const UPLOAD_CHUNK_BYTES = 1 << 20;
export const UPLOAD_ATTEMPTS = 4;

export interface UploadOptions {
  readonly filename?: string;
  readonly mediaType?: string;
  readonly backend?: string;
  readonly onProgress?: (sentBytes: number) => void;
}

/** Codes after which the same upload continues from the server's committed size. */
const RESUMABLE = new Set<number>([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.ABORTED, Status.INTERNAL]);

/**
 * Streams `open(offset)` to the server under `digest`, resuming from QueryWriteStatus after a
 * transport failure (bounded attempts). Returns the committed size.
 */
export async function uploadStream(
  client: ByteStreamClient,
  token: string | undefined,
  digest: Digest,
  open: (offset: number) => Readable,
  opts: UploadOptions = {},
): Promise<number> {
  const resource = formatWriteResource(randomUUID(), digest, opts.backend);
  let offset = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(client, token, resource, offset, digest.size, open, opts);
    } catch (e) {
      if (attempt >= UPLOAD_ATTEMPTS || !RESUMABLE.has((e as ServiceError).code)) throw e;
      offset = await committedSize(client, token, resource).catch(() => 0);
    }
  }
}

async function committedSize(client: ByteStreamClient, token: string | undefined, resourceName: string): Promise<number> {
  const res = await call<{ committedSize: number }>((cb) => client.queryWriteStatus({ resourceName }, authMetadata(token), cb));
  return res.committedSize;
}

async function writeOnce(
  client: ByteStreamClient,
  token: string | undefined,
  resourceName: string,
  startOffset: number,
  size: number,
  open: (offset: number) => Readable,
  opts: UploadOptions,
): Promise<number> {
  const headers: Record<string, string> = {};
  if (opts.filename) headers[FILENAME_HEADER] = encodeURIComponent(opts.filename);
  if (opts.mediaType) headers[MEDIA_TYPE_HEADER] = opts.mediaType;
  let done = false;
  let stream: ReturnType<ByteStreamClient['write']> | undefined;
  const response = new Promise<WriteResponse>((resolve, reject) => {
    stream = client.write(authMetadata(token, headers), (err, res) => {
      done = true;
      if (err) reject(err);
      else resolve(res!);
    });
  });
  // The server may answer (an early refusal, or "already stored") while we are still sending:
  // mark the promise handled now; it is awaited below.
  response.catch(() => undefined);
  const w = stream!;
  let offset = startOffset;
  let first = true;
  const send = async (data: Buffer, finishWrite: boolean): Promise<void> => {
    const req = { resourceName: first ? resourceName : '', writeOffset: offset, finishWrite, data };
    first = false;
    offset += data.length;
    if (!w.write(req)) await Promise.race([once(w, 'drain'), response.then(() => undefined, () => undefined)]);
  };
  try {
    if (startOffset < size) {
      const source = open(startOffset);
      try {
        for await (const chunk of source) {
          if (done) break; // the server answered early: the blob is there already, or the call failed
          await send(chunk as Buffer, false);
          opts.onProgress?.(offset);
        }
      } finally {
        source.destroy();
      }
    }
    if (!done) await send(Buffer.alloc(0), true);
    w.end();
  } catch (e) {
    w.cancel();
    throw e;
  }
  const res = await response;
  opts.onProgress?.(res.committedSize);
  return res.committedSize;
}

export function fileSource(path: string, chunkBytes = UPLOAD_CHUNK_BYTES): (offset: number) => Readable {
  return (offset) => createReadStream(path, { start: offset, highWaterMark: chunkBytes });
}

export function bufferSource(bytes: Buffer, chunkBytes = UPLOAD_CHUNK_BYTES): (offset: number) => Readable {
  return (offset) => {
    const chunks: Buffer[] = [];
    for (let i = offset; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, Math.min(bytes.length, i + chunkBytes)));
    return Readable.from(chunks, { objectMode: true });
  };
}
