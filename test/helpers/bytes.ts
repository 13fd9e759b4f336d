import { createHash, randomBytes } from 'node:crypto';
import { Digest } from '../../src/domain/digest';

export function digestOf(bytes: Buffer): Digest {
  return { hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

export function randomBlob(size: number): { bytes: Buffer; digest: Digest } {
  const bytes = randomBytes(size);
  return { bytes, digest: digestOf(bytes) };
}
