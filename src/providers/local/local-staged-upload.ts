import { createReadStream } from 'node:fs';
import { FileHandle, mkdir, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CasError } from '../../domain/errors';
import { StagedUpload } from '../../domain/ports';
import { fsError } from './local-fs-errors';

/** Dirty bytes after which a background fdatasync starts, so the commit's final flush stays short. */
export const BACKGROUND_SYNC_BYTES = 64 << 20;

/**
 * A staging file in the backend's own directory tree (same filesystem as the blobs, so the
 * final rename is atomic). Bytes are fsynced before the rename makes them visible.
 *
 * write() resolves once the chunk is in the file; the caller hashes the chunk meanwhile (see
 * WriteSession.append), which is all the overlap that pays: with more writes in flight, chunks
 * lived long enough to be promoted in V8's heap and cost full collections.
 */
export class LocalStagedUpload implements StagedUpload {
  private position: number;
  private closed = false;
  private writing: Promise<void> | undefined;
  private failure: CasError | undefined;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly stagingPath: string,
    private readonly finalPath: string,
    startSize: number,
  ) {
    this.position = startSize;
  }

  get size(): number {
    return this.position;
  }

  async write(chunk: Buffer): Promise<void> {
    this.check();
    const at = this.position;
    this.position += chunk.length;
    this.writing = this.writeAt(chunk, at).catch((e) => {
      this.failure ??= fsError('write staging', e);
    });
    this.unsynced += chunk.length;
    if (this.unsynced >= BACKGROUND_SYNC_BYTES && !this.syncing) this.backgroundSync();
    await this.writing;
    this.check();
  }

  private async writeAt(chunk: Buffer, at: number): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, off, chunk.length - off, at + off);
      off += bytesWritten;
    }
  }

  private backgroundSync(): void {
    this.unsynced = 0;
    this.syncing = this.handle
      .datasync()
      .catch(() => undefined) // a real failure shows up in the final sync
      .finally(() => (this.syncing = undefined));
  }

  /** Every accepted byte written. */
  private async drain(): Promise<void> {
    await Promise.all([this.writing, this.syncing]);
    this.check();
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    try {
      await this.handle.datasync();
    } catch (e) {
      throw fsError('sync staging', e);
    }
  }

  async *readBack(signal?: AbortSignal): AsyncIterable<Buffer> {
    await this.drain();
    if (this.position === 0) return;
    const stream = createReadStream(this.stagingPath, { start: 0, end: this.position - 1, highWaterMark: 1 << 20, signal });
    for await (const chunk of stream) yield chunk as Buffer;
  }

  async commit(): Promise<void> {
    try {
      await this.drain();
      await this.handle.sync();
      await this.close();
      // rename(2) replaces atomically: concurrent commits of one digest leave one intact file.
      // The shard directory is made only the first time a rename finds it missing.
      await rename(this.stagingPath, this.finalPath).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        await mkdir(dirname(this.finalPath), { recursive: true });
        await rename(this.stagingPath, this.finalPath);
      });
    } catch (e) {
      await this.abort();
      throw e instanceof CasError ? e : fsError('commit', e);
    }
  }

  async abort(): Promise<void> {
    await this.close();
    await unlink(this.stagingPath).catch(() => undefined);
  }

  async release(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.writing, this.syncing]).catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
