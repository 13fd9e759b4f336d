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
import { PartPipeline } from '../part-pipeline';
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
 * multipart parts while the bytes stream in, and CompleteMultipartUpload, which is what makes
 * the object visible, runs only at commit, after cairn has verified the digest.
 */
export class S3StagedUpload implements StagedUpload {
  private accepted = 0;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private readonly pipeline: PartPipeline;

  constructor(private readonly t: S3Target) {
    this.pipeline = new PartPipeline(partSizeFor(t.digest.size), this.multipart, (body, i) => this.uploadPart(body, i), (e, i) => s3Error(`upload part ${i + 1}`, e, t.config.bucket));
  }

  get size(): number {
    return this.accepted;
  }

  private get multipart(): boolean {
    return this.t.digest.size > SINGLE_PUT_MAX_BYTES;
  }

  async write(chunk: Buffer): Promise<void> {
    await this.pipeline.add(chunk);
    this.accepted += chunk.length;
  }

  private async uploadPart(body: Buffer, index: number): Promise<void> {
    const { client, config, key, meta } = this.t;
    if (this.uploadId === undefined) {
      try {
        const created = await client.send(
          new CreateMultipartUploadCommand({
            Bucket: config.bucket, Key: key, ContentType: meta.mediaType, Metadata: metadataOf(meta),
            ...(config.checksum === 'sha256' ? { ChecksumAlgorithm: 'SHA256' } : {}),
          }),
        );
        this.uploadId = created.UploadId;
      } catch (e) {
        throw s3Error('start multipart upload', e, config.bucket);
      }
    }
    const PartNumber = index + 1;
    const checksum = config.checksum === 'sha256' ? createHash('sha256').update(body).digest('base64') : undefined;
    const res = await client.send(
      new UploadPartCommand({
        Bucket: config.bucket, Key: key, UploadId: this.uploadId, PartNumber, Body: body, ContentLength: body.length,
        ...(checksum ? { ChecksumSHA256: checksum } : {}),
      }),
    );
    this.parts[index] = { PartNumber, ETag: res.ETag, ...(checksum ? { ChecksumSHA256: checksum } : {}) };
  }

  async flush(): Promise<void> {
    await this.pipeline.drain();
  }

  // eslint-disable-next-line require-yield
  async *readBack(): AsyncIterable<Buffer> {
    throw new CasError('INTERNAL', 'aws-s3 backend: staged parts cannot be read back');
  }

  async commit(signal?: AbortSignal): Promise<void> {
    const { client, config, key, meta, digest } = this.t;
    try {
      if (!this.multipart) {
        const body = this.pipeline.take();
        await client.send(
          new PutObjectCommand({
            Bucket: config.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: meta.mediaType, Metadata: metadataOf(meta),
            ...(config.checksum === 'sha256' ? { ChecksumSHA256: Buffer.from(digest.hex, 'hex').toString('base64') } : {}),
          }),
          { abortSignal: signal },
        );
        return;
      }
      if (this.pipeline.heldLength > 0 || this.pipeline.shipped === 0) await this.pipeline.shipHeld();
      await this.pipeline.drain();
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
    await this.pipeline.discard();
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
}
