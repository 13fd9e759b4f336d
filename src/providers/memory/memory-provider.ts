import { Digest } from '../../domain/digest';
import { CasError } from '../../domain/errors';
import { BlobMeta, ByteRange, ProviderCapabilities, StagedUpload, StorageProvider } from '../../domain/ports';

/**
 * The reference provider: the whole StorageProvider contract in a few dozen lines, kept in
 * memory. It is what the contract suite checks every real provider against and the fake for
 * core's unit tests. Staging lives as long as the provider object, so resume works while the
 * server stays up but not across a restart.
 */
export class MemoryProvider implements StorageProvider {
  readonly id = 'memory' as const;
  readonly capabilities: ProviderCapabilities = {
    writable: true,
    resume: true,
    durableResume: false,
    range: true,
    serverSideChecksum: false,
  };

  readonly blobs = new Map<string, { bytes: Buffer; meta: BlobMeta }>();
  readonly staging = new Map<string, Buffer[]>();

  async exists(d: Digest): Promise<boolean> {
    return this.blobs.has(d.hex);
  }

  async *read(d: Digest, range: ByteRange): AsyncIterable<Buffer> {
    const blob = this.blobs.get(d.hex);
    if (!blob) throw new CasError('NOT_FOUND', 'memory backend: no such blob');
    if (range.length > 0) yield blob.bytes.subarray(range.offset, range.offset + range.length);
  }

  async stage(stagingId: string, d: Digest, meta: BlobMeta): Promise<StagedUpload> {
    if (this.staging.has(stagingId)) throw new CasError('INTERNAL', 'memory backend: staging id reused');
    this.staging.set(stagingId, []);
    return this.upload(stagingId, d, meta);
  }

  async reopen(stagingId: string, d: Digest, meta: BlobMeta): Promise<StagedUpload | undefined> {
    return this.staging.has(stagingId) ? this.upload(stagingId, d, meta) : undefined;
  }

  private upload(stagingId: string, d: Digest, meta: BlobMeta): StagedUpload {
    const parts = (): Buffer[] => this.staging.get(stagingId) ?? [];
    return {
      get size() {
        return parts().reduce((n, p) => n + p.length, 0);
      },
      write: async (chunk) => void parts().push(Buffer.from(chunk)),
      flush: async () => undefined,
      readBack: async function* () {
        yield* parts();
      },
      commit: async () => {
        this.blobs.set(d.hex, { bytes: Buffer.concat(parts()), meta });
        this.staging.delete(stagingId);
      },
      abort: async () => void this.staging.delete(stagingId),
      release: async () => undefined,
    };
  }

  async sweepStaging(live: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const id of [...this.staging.keys()]) if (!live.has(id) && this.staging.delete(id)) removed++;
    return removed;
  }

  async delete(d: Digest): Promise<void> {
    this.blobs.delete(d.hex);
  }

  async validate(): Promise<void> {}

  async close(): Promise<void> {}
}
