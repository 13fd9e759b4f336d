import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Logger } from 'pino';
import { Digest, parseHex } from '../../domain/digest';
import { CasError, isCasError } from '../../domain/errors';
import { BlobMeta, ByteRange, ProviderCapabilities, StagedUpload, StorageProvider } from '../../domain/ports';
import { rangeStart, skipBytes } from '../http-range';
import { S3Config, S3Credentials } from './s3-config';
import { s3Error } from './s3-errors';
import { S3StagedUpload } from './s3-staged-upload';

export const S3_CONNECT_TIMEOUT_MS = 5_000;
export const S3_VALIDATE_TIMEOUT_MS = 15_000;

/**
 * Blobs as objects in one bucket, at `<prefix>sha256/<hex>`, with the media type as Content-Type
 * and the file name as `x-amz-meta-filename` (percent-encoded). Works with AWS S3 and, through a
 * custom endpoint with path-style addressing, with Cloudflare R2 and MinIO.
 */
export class S3Provider implements StorageProvider {
  readonly id = 'aws-s3' as const;
  readonly capabilities: ProviderCapabilities = {
    writable: true,
    resume: true, // while the server stays up: parts and held bytes live in this process
    durableResume: false,
    range: true,
    serverSideChecksum: true,
  };
  readonly client: S3Client;

  constructor(
    readonly config: S3Config,
    credentials: S3Credentials,
    private readonly log: Logger,
  ) {
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
      credentials,
      // Checksums only where cairn asks for them: stores such as R2 and s3rver do not speak the
      // SDK's default CRC32 trailers, and cairn verifies SHA-256 itself.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: new NodeHttpHandler({ connectionTimeout: S3_CONNECT_TIMEOUT_MS }),
    });
  }

  keyOf(d: Pick<Digest, 'hex'>): string {
    return `${this.config.prefix}sha256/${parseHex(d.hex)}`;
  }

  async exists(d: Digest, signal?: AbortSignal): Promise<boolean> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(d) }), { abortSignal: signal });
      return head.ContentLength === d.size;
    } catch (e) {
      const err = s3Error('head', e, this.config.bucket);
      if (err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  async *read(d: Digest, range: ByteRange, signal?: AbortSignal): AsyncIterable<Buffer> {
    if (range.length === 0) return;
    let body: Readable;
    let skip: number;
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(d), Range: `bytes=${range.offset}-${range.offset + range.length - 1}` }),
        { abortSignal: signal },
      );
      body = res.Body as Readable;
      // Some S3-compatible stores ignore a Range they find odd (s3rver: "bytes=0-0") and send
      // the whole object: skip to the offset by what Content-Range says was sent.
      skip = range.offset - rangeStart(res.ContentRange);
    } catch (e) {
      throw s3Error('get', e, this.config.bucket);
    }
    try {
      yield* skipBytes(body, skip);
    } catch (e) {
      throw isCasError(e) ? e : s3Error('read body', e, this.config.bucket);
    } finally {
      body.destroy();
    }
  }

  async stage(_stagingId: string, d: Digest, meta: BlobMeta): Promise<StagedUpload> {
    return new S3StagedUpload({
      client: this.client, config: this.config, key: this.keyOf(d), digest: d, meta,
      onAbortRefused: (e) => this.log.warn({ err: e, bucket: this.config.bucket }, 'the store refused to abort a multipart upload; its lifecycle rules must clean it up'),
    });
  }

  async reopen(): Promise<undefined> {
    return undefined;
  }

  async sweepStaging(): Promise<number> {
    return 0;
  }

  async delete(d: Digest, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(d) }), { abortSignal: signal });
    } catch (e) {
      throw s3Error('delete', e, this.config.bucket);
    }
  }

  /** Write, read back and delete a probe object under the prefix, bounded by a timeout. */
  async validate(signal?: AbortSignal): Promise<void> {
    const bound = AbortSignal.any([AbortSignal.timeout(S3_VALIDATE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    const Key = `${this.config.prefix}cairn-probe/${randomUUID()}`;
    const body = Buffer.from(`cairn write probe ${new Date().toISOString()}`);
    const { bucket } = this.config;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body, ContentLength: body.length }), { abortSignal: bound });
      const got = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key }), { abortSignal: bound });
      const back = Buffer.from(await got.Body!.transformToByteArray());
      if (!back.equals(body)) throw new CasError('UNAVAILABLE', 'aws-s3 backend: the probe object read back different bytes');
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key }), { abortSignal: bound });
    } catch (e) {
      if (isCasError(e)) throw e;
      if (bound.aborted && !signal?.aborted) throw new CasError('UNAVAILABLE', `aws-s3 backend: validation timed out after ${S3_VALIDATE_TIMEOUT_MS / 1000}s`, { cause: e });
      throw s3Error('validate', e, bucket);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

