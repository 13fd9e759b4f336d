import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3RVER_KEY, S3rverServer } from '../servers/s3rver';
import { providerContract } from './provider-contract';

const s3 = new S3rverServer();

/** Lists the bucket with the SDK directly: what a user of the bucket would see. */
async function listBucket(): Promise<string[]> {
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_KEY });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'evidence/sha256/', ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!.slice('evidence/sha256/'.length)));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  } finally {
    client.destroy();
  }
}

providerContract({
  name: 'aws-s3 (s3rver)',
  provider: 'aws-s3',
  capabilities: { writable: true, resume: true, durableResume: false, range: true, serverSideChecksum: true },
  sizes: [1, 1000, 20 * 1024 * 1024 + 5],
  start: async () => void (await s3.start()),
  stop: () => s3.stop(),
  config: () => ({ bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, prefix: 'evidence' }),
  credentials: () => ({ ...S3RVER_KEY }),
  listStored: () => listBucket(),
  kill: () => s3.kill(),
  revive: async () => void (await s3.start()),
});
