import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Digest } from '../../domain/digest';
import { CasError } from '../../domain/errors';
import { BlobMeta, StagedUpload } from '../../domain/ports';
import { metadataOf } from '../blob-metadata';
import { S3Config } from './s3-config';
import { s3Error } from './s3-errors';

const MiB = 1 << 20;
/** Blobs up to this size are held until verified and sent as one PutObject. */
export const SINGLE_PUT_MAX_BYTES = 8 * MiB;
export const MIN_PART_BYTES = 8 * MiB;
/** S3 allows at most 10,000 parts per multipart upload. */
export const MAX_PARTS = 10_000;

/** Part size for a declared size: 8 MiB, or larger in whole MiB so the upload fits in 10,000 parts. */
export function partSizeFor(size: number): number {
  return Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

export interface S3Target {
  readonly client: S3Client;
  readonly config: S3Config;
  readonly key: string;
  readonly digest: Digest;
  readonly meta: BlobMeta;
  readonly onAbortRefused: (e: unknown) => void;
}

/**
 * Staging for one upload. Small blobs are held in memory until commit; large ones go up as
 * multipart parts while the bytes stream in (one part in flight while the next fills), and
 * CompleteMultipartUpload, which is what makes the object visible, runs only at commit, after
 * cairn has verified the digest. Memory per upload: at most two parts.
 */
export class S3StagedUpload implements StagedUpload {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private accepted = 0;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: CasError | undefined;
  private readonly partSize: number;

  constructor(private readonly t: S3Target) {
    this.partSize = partSizeFor(t.digest.size);
  }

  get size(): number {
    return this.accepted;
  }

  private get multipart(): boolean {
    return this.t.digest.size > SINGLE_PUT_MAX_BYTES;
  }

  async write(chunk: Buffer, signal?: AbortSignal): Promise<void> {
    this.check();
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    this.accepted += chunk.length;
    if (this.multipart && this.heldBytes >= this.partSize) await this.shipPart(signal);
  }

  private async shipPart(signal?: AbortSignal): Promise<void> {
    await this.inFlight;
    this.check();
    const { client, config, key, meta } = this.t;
    if (this.uploadId === undefined) {
      try {
        const created = await client.send(
          new CreateMultipartUploadCommand({
            Bucket: config.bucket, Key: key, ContentType: meta.mediaType, Metadata: metadataOf(meta),
            ...(config.checksum === 'sha256' ? { ChecksumAlgorithm: 'SHA256' } : {}),
          }),
          { abortSignal: signal },
        );
        this.uploadId = created.UploadId;
      } catch (e) {
        throw s3Error('start multipart upload', e, config.bucket);
      }
    }
    const body = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    const PartNumber = this.parts.length + 1;
    const checksum = config.checksum === 'sha256' ? createHash('sha256').update(body).digest('base64') : undefined;
    const slot: CompletedPart = { PartNumber };
    this.parts.push(slot);
    this.inFlight = client
      .send(
        new UploadPartCommand({
          Bucket: config.bucket, Key: key, UploadId: this.uploadId, PartNumber, Body: body, ContentLength: body.length,
          ...(checksum ? { ChecksumSHA256: checksum } : {}),
        }),
        { abortSignal: signal },
      )
      .then(
        (res) => {
          slot.ETag = res.ETag;
          if (checksum) slot.ChecksumSHA256 = checksum;
        },
        (e) => {
          this.failure ??= s3Error(`upload part ${PartNumber}`, e, config.bucket);
        },
      );
  }

  async flush(): Promise<void> {
    await this.inFlight;
    this.check();
  }

  // eslint-disable-next-line require-yield
  async *readBack(): AsyncIterable<Buffer> {
    throw new CasError('INTERNAL', 'aws-s3 backend: staged parts cannot be read back');
  }

  async commit(signal?: AbortSignal): Promise<void> {
    const { client, config, key, meta, digest } = this.t;
    try {
      if (!this.multipart) {
        const body = Buffer.concat(this.held, this.heldBytes);
        await client.send(
          new PutObjectCommand({
            Bucket: config.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: meta.mediaType, Metadata: metadataOf(meta),
            ...(config.checksum === 'sha256' ? { ChecksumSHA256: Buffer.from(digest.hex, 'hex').toString('base64') } : {}),
          }),
          { abortSignal: signal },
        );
        this.held = [];
        return;
      }
      if (this.heldBytes > 0 || this.uploadId === undefined) await this.shipPart(signal);
      await this.flush();
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket: config.bucket, Key: key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }),
        { abortSignal: signal },
      );
      this.uploadId = undefined;
    } catch (e) {
      await this.abort();
      throw e instanceof CasError ? e : s3Error('commit', e, config.bucket);
    }
  }

  /** Drops held bytes and aborts the multipart upload; stores that refuse to abort are tolerated. */
  async abort(): Promise<void> {
    this.held = [];
    this.heldBytes = 0;
    await this.inFlight?.catch(() => undefined);
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    if (uploadId === undefined) return;
    const { client, config, key } = this.t;
    await client.send(new AbortMultipartUploadCommand({ Bucket: config.bucket, Key: key, UploadId: uploadId })).catch(this.t.onAbortRefused);
  }

  /** Staging lives in this process only: at shutdown it is dropped, not kept. */
  async release(): Promise<void> {
    await this.abort();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
