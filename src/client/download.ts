import { createHash, randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Digest, formatDigest } from '../domain/digest';
import { safeFilename } from './safe-filename';

export interface DownloadTarget {
  readonly path: string;
  /** A file name reported by the server, used only when `path` is a directory. */
  readonly reportedFilename?: string;
}

/**
 * Where a download lands: `path` itself when it is (or will be) a file, or a safe name inside it
 * when it is a directory. The reported name never leaves that directory.
 */
export async function resolveDestination(target: DownloadTarget, digest: Digest): Promise<string> {
  const isDir = await stat(target.path).then((s) => s.isDirectory(), () => false);
  if (!isDir) return target.path;
  return join(target.path, safeFilename(target.reportedFilename ?? '') ?? `sha256-${digest.hex}`);
}

/**
 * Writes chunks to a temp file next to `dest`, checks size and SHA-256, and renames into place
 * only when both match. A failed download leaves nothing at `dest`.
 */
export async function writeVerified(chunks: AsyncIterable<Buffer>, dest: string, digest: Digest, onProgress?: (n: number) => void): Promise<void> {
  const tmp = `${dest}.cairn-${randomBytes(6).toString('hex')}.partial`;
  const handle = await open(tmp, 'wx', 0o644);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
      onProgress?.(size);
    }
    await handle.sync();
    await handle.close();
    const hex = hash.digest('hex');
    if (size !== digest.size || hex !== digest.hex) {
      throw new Error(`downloaded bytes do not match ${formatDigest(digest)} (got ${size} bytes, sha256:${hex})`);
    }
    await rename(tmp, dest);
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
