import { BlockBlobClient } from '@azure/storage-blob';
import { Digest } from '../../domain/digest';
import { CasError } from '../../domain/errors';
import { BlobMeta, StagedUpload } from '../../domain/ports';
import { metadataOf } from '../blob-metadata';
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
  private held: Buffer[] = [];
  private heldBytes = 0;
  private accepted = 0;
  private readonly blockIds: string[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: CasError | undefined;
  private readonly blockSize: number;

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly stagingId: string,
    private readonly digest: Digest,
    private readonly meta: BlobMeta,
    private readonly container: string,
  ) {
    this.blockSize = blockSizeFor(digest.size);
  }

  get size(): number {
    return this.accepted;
  }

  private get blocks(): boolean {
    return this.digest.size > AZURE_SINGLE_PUT_MAX_BYTES;
  }

  async write(chunk: Buffer, signal?: AbortSignal): Promise<void> {
    this.check();
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    this.accepted += chunk.length;
    if (this.blocks && this.heldBytes >= this.blockSize) await this.shipBlock(signal);
  }

  private async shipBlock(signal?: AbortSignal): Promise<void> {
    await this.inFlight;
    this.check();
    const body = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    // Same length for every id of a blob, as Azure requires: a 36-character UUID and 6 digits.
    const id = Buffer.from(`${this.stagingId}:${String(this.blockIds.length).padStart(6, '0')}`).toString('base64');
    this.blockIds.push(id);
    this.inFlight = this.blob.stageBlock(id, body, body.length, { abortSignal: signal }).then(
      () => undefined,
      (e) => {
        this.failure ??= azureError(`stage block ${this.blockIds.length}`, e, this.container);
      },
    );
  }

  async flush(): Promise<void> {
    await this.inFlight;
    this.check();
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
        const body = Buffer.concat(this.held, this.heldBytes);
        this.held = [];
        await this.blob.upload(body, body.length, options);
        return;
      }
      if (this.heldBytes > 0 || this.blockIds.length === 0) await this.shipBlock(signal);
      await this.flush();
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
    this.held = [];
    this.heldBytes = 0;
    await this.inFlight?.catch(() => undefined);
  }

  async release(): Promise<void> {
    await this.abort();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
