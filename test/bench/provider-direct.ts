import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { request } from 'undici';
import { Digest } from '../../src/domain/digest';

/**
 * The baselines: the same bytes sent straight to the store, with the SDK or raw HTTP, the way a
 * careful client would without cairn: 8 MiB parts/blocks/chunks, one request in flight, and the
 * download hashed as cairn's client hashes it.
 */
export interface Direct {
  upload(digest: Digest, part: Buffer, total: number): Promise<void>;
  download(digest: Digest): Promise<number>;
}

async function hashed(body: AsyncIterable<unknown>): Promise<number> {
  const h = createHash('sha256');
  let n = 0;
  for await (const c of body) {
    h.update(c as Buffer);
    n += (c as Buffer).length;
  }
  h.digest();
  return n;
}

function parts(part: Buffer, total: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < total; off += part.length) out.push(part.subarray(0, Math.min(part.length, total - off)));
  return out;
}

export function directS3(endpoint: string, bucket: string, credentials: { accessKeyId: string; secretAccessKey: string }): Direct {
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const Key = (d: Digest) => `direct/${d.hex}`;
  return {
    async upload(d, part, total) {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: Key(d) }));
      const done = [];
      for (const [i, body] of parts(part, total).entries()) {
        const r = await client.send(new UploadPartCommand({ Bucket: bucket, Key: Key(d), UploadId, PartNumber: i + 1, Body: body, ContentLength: body.length }));
        done.push({ PartNumber: i + 1, ETag: r.ETag });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: Key(d), UploadId, MultipartUpload: { Parts: done } }));
    },
    async download(d) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: Key(d) }));
      return hashed(res.Body as Readable);
    },
  };
}

export function directAzure(endpoint: string, account: string, key: string, container: string): Direct {
  const c = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key)).getContainerClient(container);
  const blob = (d: Digest) => c.getBlockBlobClient(`direct/${d.hex}`);
  return {
    async upload(d, part, total) {
      await c.createIfNotExists();
      const ids: string[] = [];
      for (const [i, body] of parts(part, total).entries()) {
        const id = Buffer.from(String(i).padStart(8, '0')).toString('base64');
        await blob(d).stageBlock(id, body, body.length);
        ids.push(id);
      }
      await blob(d).commitBlockList(ids);
    },
    async download(d) {
      return hashed((await blob(d).download()).readableStreamBody!);
    },
  };
}

export function directOci(address: string, repository: string): Direct {
  const base = `http://${address}/v2/${repository}`;
  return {
    async upload(d, part, total) {
      const post = await request(`${base}/blobs/uploads/`, { method: 'POST' });
      await post.body.dump();
      let location = new URL(String(post.headers.location), base).toString();
      let offset = 0;
      for (const body of parts(part, total)) {
        const res = await request(location, {
          method: 'PATCH', body,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length), 'content-range': `${offset}-${offset + body.length - 1}` },
        });
        await res.body.dump();
        offset += body.length;
        location = new URL(String(res.headers.location), base).toString();
      }
      const url = new URL(location);
      url.searchParams.set('digest', `sha256:${d.hex}`);
      const put = await request(url, { method: 'PUT', headers: { 'content-length': '0' } });
      await put.body.dump();
      if (put.statusCode !== 201) throw new Error(`direct OCI push answered ${put.statusCode}`);
    },
    async download(d) {
      const res = await request(`${base}/blobs/sha256:${d.hex}`, { method: 'GET' });
      return hashed(res.body);
    },
  };
}
