import { createHash, Hash } from 'node:crypto';
import { Digest, formatDigest } from '../domain/digest';
import { CasError } from '../domain/errors';

/** Counts and hashes bytes as they pass; the state a resumable upload carries between streams. */
export class DigestAccumulator {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  get size(): number {
    return this.bytes;
  }

  /** Ends the hash; call once. */
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Throws SIZE_MISMATCH or DIGEST_MISMATCH (both INVALID_ARGUMENT on the wire) naming expected and actual. */
export function assertMatches(expected: Digest, actualSize: number, actualHex: () => string): void {
  if (actualSize !== expected.size) {
    throw new CasError('SIZE_MISMATCH', `size mismatch: expected ${expected.size} bytes, received ${actualSize}`);
  }
  const hex = actualHex();
  if (hex !== expected.hex) {
    throw new CasError('DIGEST_MISMATCH', `digest mismatch: expected ${formatDigest(expected)}, actual ${formatDigest({ hex })}`);
  }
}

/**
 * Passes a full read through while hashing it; fails with DATA_LOSS instead of ending cleanly
 * when the stored bytes no longer match their digest (short, long or altered).
 */
export async function* verifiedRead(source: AsyncIterable<Buffer>, expected: Digest): AsyncIterable<Buffer> {
  const acc = new DigestAccumulator();
  for await (const chunk of source) {
    acc.update(chunk);
    if (acc.size > expected.size) break;
    yield chunk;
  }
  try {
    assertMatches(expected, acc.size, () => acc.hex());
  } catch (e) {
    throw new CasError('DATA_LOSS', `stored bytes of ${formatDigest(expected)} no longer match their digest (${(e as Error).message})`);
  }
}
