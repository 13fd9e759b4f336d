import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Digest, parseHex } from '../../domain/digest';
import { CasError } from '../../domain/errors';
import { ByteRange, ProviderCapabilities, StagedUpload, StorageProvider } from '../../domain/ports';
import { fsError } from './local-fs-errors';
import { LocalStagedUpload } from './local-staged-upload';

const STAGING_ID_RE = /^[0-9a-f-]{36}$/;
export const LOCAL_READ_CHUNK_BYTES = 1 << 20;

/**
 * Blobs as files under one directory owned by the server:
 *   <root>/sha256/<hex[0:2]>/<hex>   committed blobs, in 256 shards (as git and bazel-remote do)
 *   <root>/staging/<staging-id>      uploads in progress (server-generated UUIDs)
 * Paths are built only from a parsed digest (64 hex characters) or a server-generated id:
 * no client-supplied string ever becomes a path.
 */
export class LocalProvider implements StorageProvider {
  readonly id = 'local' as const;
  readonly capabilities: ProviderCapabilities = {
    writable: true,
    resume: true,
    durableResume: true,
    range: true,
    serverSideChecksum: false,
  };

  private stagingDir: Promise<unknown> | undefined;

  constructor(private readonly root: string) {}

  /** Made once per provider object rather than on every upload. */
  private ensureStagingDir(): Promise<unknown> {
    this.stagingDir ??= mkdir(join(this.root, 'staging'), { recursive: true }).catch((e) => {
      this.stagingDir = undefined;
      throw e;
    });
    return this.stagingDir;
  }

  private blobPath(d: Digest): string {
    const hex = parseHex(d.hex);
    return join(this.root, 'sha256', hex.slice(0, 2), hex);
  }

  private stagingPath(id: string): string {
    if (!STAGING_ID_RE.test(id)) throw new CasError('INTERNAL', 'local backend: bad staging id');
    return join(this.root, 'staging', id);
  }

  async exists(d: Digest): Promise<boolean> {
    try {
      const s = await stat(this.blobPath(d));
      return s.isFile() && s.size === d.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw fsError('stat', e);
    }
  }

  async *read(d: Digest, range: ByteRange, signal?: AbortSignal): AsyncIterable<Buffer> {
    if (range.length <= LOCAL_READ_CHUNK_BYTES) {
      // One chunk: a single positional read, without stream machinery.
      yield await readRange(this.blobPath(d), range).catch((e) => {
        throw fsError('read', e);
      });
      return;
    }
    const handle = await open(this.blobPath(d), 'r').catch((e) => {
      throw fsError('open', e);
    });
    const stream = handle.createReadStream({
      start: range.offset,
      end: range.offset + range.length - 1,
      highWaterMark: LOCAL_READ_CHUNK_BYTES,
      signal,
    });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (e) {
      throw fsError('read', e);
    } finally {
      stream.destroy();
    }
  }

  async stage(stagingId: string, d: Digest): Promise<StagedUpload> {
    const path = this.stagingPath(stagingId);
    try {
      await this.ensureStagingDir();
      const handle = await open(path, 'wx', 0o600);
      return new LocalStagedUpload(handle, path, this.blobPath(d), 0);
    } catch (e) {
      throw fsError('create staging', e);
    }
  }

  async reopen(stagingId: string, d: Digest): Promise<StagedUpload | undefined> {
    const path = this.stagingPath(stagingId);
    try {
      const handle = await open(path, 'r+');
      const { size } = await handle.stat();
      return new LocalStagedUpload(handle, path, this.blobPath(d), size);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fsError('reopen staging', e);
    }
  }

  async sweepStaging(live: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    const names = await readdir(join(this.root, 'staging')).catch(() => [] as string[]);
    for (const name of names) {
      if (live.has(name)) continue;
      await unlink(join(this.root, 'staging', name)).then(() => removed++, () => undefined);
    }
    return removed;
  }

  async delete(d: Digest): Promise<void> {
    await unlink(this.blobPath(d)).catch((e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError('delete', e);
    });
  }

  /** Write, read back and delete a probe file (in its own directory, apart from uploads' staging). */
  async validate(): Promise<void> {
    const dir = join(this.root, 'probes');
    const probe = join(dir, `probe-${randomUUID()}`);
    const body = Buffer.from(`cairn write probe ${Date.now()}`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(probe, body, { mode: 0o600 });
      const back = await readFile(probe);
      if (!back.equals(body)) throw new CasError('UNAVAILABLE', 'local backend: probe file read back different bytes');
    } catch (e) {
      throw e instanceof CasError ? e : fsError('probe', e);
    } finally {
      await unlink(probe).catch(() => undefined);
    }
  }

  async close(): Promise<void> {}
}

/** Reads exactly range.length bytes at range.offset (fewer only at end of file). */
async function readRange(path: string, range: ByteRange): Promise<Buffer> {
  const fd = await fsOpen(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(range.length);
    let got = 0;
    while (got < range.length) {
      const n = await fsRead(fd, buf, got, range.length - got, range.offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === range.length ? buf : buf.subarray(0, got);
  } finally {
    await fsClose(fd);
  }
}

const fsOpen = promisify(fs.open);
const fsClose = promisify(fs.close);
const fsRead = (fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> =>
  new Promise((resolve, reject) => fs.read(fd, buf, off, len, pos, (e, n) => (e ? reject(e) : resolve(n))));
