import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ByteStreamClient, ReadResponse, WriteRequest } from '../../generated/google/bytestream/bytestream';
import { CHANNEL_OPTIONS } from '../../src/client/connection';
import { Digest } from '../../src/domain/digest';

export const MiB = 1 << 20;

/** `total` bytes made of one random 1 MiB chunk repeated, and their digest (computed once, untimed). */
export function syntheticBlob(total: number): { chunk: Buffer; digest: Digest } {
  const chunk = randomBytes(MiB);
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += MiB) hash.update(chunk.subarray(0, Math.min(MiB, total - sent)));
  return { chunk, digest: { hex: hash.digest('hex'), size: total } };
}

export function newClient(address: string, ownConnection = false): ByteStreamClient {
  return new ByteStreamClient(address, credentials.createInsecure(), { ...CHANNEL_OPTIONS, ...(ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}) });
}

export function md(token?: string): Metadata {
  const m = new Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  return m;
}

/** One ByteStream Write of `total` bytes in 1 MiB messages, honouring backpressure. */
export async function writeStream(client: ByteStreamClient, meta: Metadata, resourceName: string, chunk: Buffer, total: number): Promise<number> {
  let done!: Promise<number>;
  const call = (() => {
    let c!: ReturnType<ByteStreamClient['write']>;
    done = new Promise((resolve, reject) => {
      c = client.write(meta, (err, res) => (err ? reject(err) : resolve(res!.committedSize)));
    });
    return c;
  })();
  for (let off = 0; off < total; off += chunk.length) {
    const data = chunk.subarray(0, Math.min(chunk.length, total - off));
    const req: WriteRequest = { resourceName: off === 0 ? resourceName : '', writeOffset: off, finishWrite: off + data.length >= total, data };
    if (!call.write(req)) await once(call, 'drain');
  }
  if (total === 0) call.write({ resourceName, writeOffset: 0, finishWrite: true, data: Buffer.alloc(0) });
  call.end();
  return done;
}

/** Reads a whole stream, hashing it as a verifying client would; returns bytes received. */
export async function readStream(client: ByteStreamClient, meta: Metadata, resourceName: string, readLimit = 0): Promise<number> {
  const hash = createHash('sha256');
  let n = 0;
  for await (const m of client.read({ resourceName, readOffset: 0, readLimit }, meta) as AsyncIterable<ReadResponse>) {
    hash.update(m.data);
    n += m.data.length;
  }
  hash.digest();
  return n;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}
