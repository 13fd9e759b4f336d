import { createReadStream } from 'node:fs';
import { FileHandle, mkdir, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StagedUpload } from '../../domain/ports';
import { fsError } from './local-fs-errors';

/**
 * A staging file in the backend's own directory tree (same filesystem as the blobs, so the
 * final rename is atomic). Bytes are fsynced before the rename makes them visible.
 */
export class LocalStagedUpload implements StagedUpload {
  private position: number;
  private closed = false;

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
    let off = 0;
    try {
      while (off < chunk.length) {
        const { bytesWritten } = await this.handle.write(chunk, off, chunk.length - off, this.position);
        off += bytesWritten;
        this.position += bytesWritten;
      }
    } catch (e) {
      throw fsError('write staging', e);
    }
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    try {
      await this.handle.datasync();
    } catch (e) {
      throw fsError('sync staging', e);
    }
  }

  async *readBack(signal?: AbortSignal): AsyncIterable<Buffer> {
    if (this.position === 0) return;
    const stream = createReadStream(this.stagingPath, { start: 0, end: this.position - 1, highWaterMark: 1 << 20, signal });
    for await (const chunk of stream) yield chunk as Buffer;
  }

  async commit(): Promise<void> {
    try {
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
      throw fsError('commit', e);
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
    await this.handle.close().catch(() => undefined);
  }
}
