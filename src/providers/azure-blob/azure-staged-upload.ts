import { BlockBlobClient } from '@azure/storage-blob';
import { Digest } from '../../domain/digest';
import { CasError } from '../../domain/errors';
import { BlobMeta, StagedUpload } from '../../domain/ports';
import { metadataOf } from '../blob-metadata';
import { PartPipeline } from '../part-pipeline';
import { azureError, isAlreadyThere } from './azure-errors';

const MiB = 1 << 20;
/** Blobs up to this size are held until verified and sent as one Put Blob. */
export const AZURE_SINGLE_PUT_MAX_BYTES = 8 * MiB;
export const MIN_BLOCK_BYTES = 8 * MiB;
/** A block blob holds at most 50,000 committed blocks. */
export const MAX_BLOCKS = 50_000;

export function blockSizeFor(size: number): number {
  return Math.max(MIN_BLOCK_BYTES, Math.ceil(size / MAX_BLOCKS / MiB) * MiB);
}

/**
 * Staging for one upload on a block blob. Large blobs stage blocks while the bytes stream in (one
 * in flight while the next fills); the block list, which is what makes the blob visible, is
 * committed with If-None-Match: * only after cairn verified the digest. Block ids carry the
 * server's staging id, so concurrent uploads of one digest never commit each other's blocks.
 * Uncommitted blocks of an abandoned upload are invisible and Azure drops them after 7 days.
 */
export class AzureStagedUpload implements StagedUpload {
  private accepted = 0;
  private readonly blockIds: string[] = [];
  private readonly pipeline: PartPipeline;

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly stagingId: string,
    private readonly digest: Digest,
    private readonly meta: BlobMeta,
    private readonly container: string,
  ) {
    this.pipeline = new PartPipeline(blockSizeFor(digest.size), this.blocks, (body, i) => this.stageBlock(body, i), (e, i) =>
      azureError(`stage block ${i + 1}`, e, container),
    );
  }

  get size(): number {
    return this.accepted;
  }

  private get blocks(): boolean {
    return this.digest.size > AZURE_SINGLE_PUT_MAX_BYTES;
  }

  async write(chunk: Buffer): Promise<void> {
    await this.pipeline.add(chunk);
    this.accepted += chunk.length;
  }

  private async stageBlock(body: Buffer, index: number): Promise<void> {
    // Same length for every id of a blob, as Azure requires: a 36-character UUID and 6 digits.
    const id = Buffer.from(`${this.stagingId}:${String(index).padStart(6, '0')}`).toString('base64');
    await this.blob.stageBlock(id, body, body.length);
    this.blockIds[index] = id;
  }

  async flush(): Promise<void> {
    await this.pipeline.drain();
  }

  // eslint-disable-next-line require-yield
  async *readBack(): AsyncIterable<Buffer> {
    throw new CasError('INTERNAL', 'azure-blob backend: staged blocks cannot be read back');
  }

  async commit(signal?: AbortSignal): Promise<void> {
    const options = {
      abortSignal: signal,
      conditions: { ifNoneMatch: '*' },
      blobHTTPHeaders: { blobContentType: this.meta.mediaType },
      metadata: metadataOf(this.meta),
    };
    try {
      if (!this.blocks) {
        const body = this.pipeline.take();
        await this.blob.upload(body, body.length, options);
        return;
      }
      if (this.pipeline.heldLength > 0 || this.pipeline.shipped === 0) await this.pipeline.shipHeld();
      await this.pipeline.drain();
      await this.blob.commitBlockList(this.blockIds, options);
    } catch (e) {
      if (isAlreadyThere(e) && (await this.presentAlready())) return;
      await this.abort();
      throw e instanceof CasError ? e : azureError('commit', e, this.container);
    }
  }

  /** Another upload of the same digest committed first: its blob is the same bytes. */
  private async presentAlready(): Promise<boolean> {
    try {
      return (await this.blob.getProperties()).contentLength === this.digest.size;
    } catch {
      return false;
    }
  }

  async abort(): Promise<void> {
    await this.pipeline.discard();
  }

  async release(): Promise<void> {
    await this.abort();
  }
}
