import { Digest, EMPTY_DIGEST, isEmptyDigest } from '../domain/digest';
import { Backend, BlobRecord, Caller, INLINE_MAX_BYTES } from '../domain/model';
import { Store } from '../store';
import { requireRole } from './access';
import { BackendResolver } from './backend-resolver';
import { BlobReader } from './blob-reader';

export interface BlobDescription {
  readonly digest: Digest;
  readonly filename: string;
  readonly mediaType: string;
  readonly backend: string;
  readonly provider: string;
  readonly createdAt: Date | null;
  readonly inlineMaxBytes: number;
}

/** Describe and FindMissing: questions about the caller's organisation's blobs. */
export class BlobQueries {
  constructor(
    private readonly store: Store,
    private readonly backends: BackendResolver,
    private readonly reader: BlobReader,
  ) {}

  describe(caller: Caller, hex: string, backendName?: string): BlobDescription {
    const inlineMaxBytes = this.inlineCap(caller.orgId);
    if (hex === EMPTY_DIGEST.hex) {
      requireRole(caller, 'downloader', 'describing blobs');
      return { digest: EMPTY_DIGEST, filename: '', mediaType: '', backend: '', provider: '', createdAt: null, inlineMaxBytes };
    }
    const blob: BlobRecord = this.reader.locate(caller, hex, backendName);
    const backend: Backend = this.backends.byId(blob.backendId);
    return {
      digest: { hex: blob.hex, size: blob.size }, filename: blob.filename, mediaType: blob.mediaType,
      backend: backend.name, provider: backend.provider, createdAt: blob.createdAt, inlineMaxBytes,
    };
  }

  findMissing(caller: Caller, digests: readonly Digest[], backendName?: string): Digest[] {
    requireRole(caller, 'downloader', 'looking up blobs');
    const backendId = backendName ? this.backends.resolve(caller.orgId, backendName).id : undefined;
    return digests.filter((d) => {
      if (isEmptyDigest(d)) return false;
      const blob = backendId ? this.store.blobs.get(caller.orgId, backendId, d.hex) : this.store.blobs.find(caller.orgId, d.hex);
      return !blob || blob.size !== d.size;
    });
  }

  private inlineCap(orgId: string): number {
    const inline = this.store.backends.byName(orgId, 'inline');
    return inline?.maxBytes ?? INLINE_MAX_BYTES;
  }
}
