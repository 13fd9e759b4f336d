import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Digest } from '../domain/digest';

/** SHA-256 and size of a file, streamed. */
export async function digestFile(path: string, onProgress?: (bytes: number) => void): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onProgress?.(size);
  }
  return { hex: hash.digest('hex'), size };
}
