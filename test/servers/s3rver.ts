import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { ChildServer, ProcessServer, startChild } from './child-server';

export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * s3rver in its own process on a free loopback port. Known gaps (handled in code, noted in tests):
 * it does not check SigV4 signatures (only unknown access key ids are refused) and answers 405
 * to AbortMultipartUpload.
 */
export class S3rverServer extends ProcessServer {
  constructor(readonly bucket = 'cairn-test') {
    super('cairn-s3rver-');
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected launch(): Promise<ChildServer> {
    return startChild(process.execPath, [join(repoRoot(), 'test/servers/s3rver-child.cjs'), String(this.port), this.dir, this.bucket], /listening (\d+)/);
  }
}
