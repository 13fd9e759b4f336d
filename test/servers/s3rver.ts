import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { ChildServer, startChild } from './child-server';

export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * s3rver in its own process on a free loopback port. Known gaps (handled in code, noted in tests):
 * it does not check SigV4 signatures (only unknown access key ids are refused) and answers 405
 * to AbortMultipartUpload.
 */
export class S3rverServer {
  private proc: ChildServer | undefined;
  port = 0;
  readonly dir = mkdtempSync(join(tmpdir(), 'cairn-s3rver-'));

  constructor(readonly bucket = 'cairn-test') {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.proc = await startChild(process.execPath, [join(repoRoot(), 'test/servers/s3rver-child.cjs'), String(this.port), this.dir, this.bucket], /listening (\d+)/);
    this.port = this.proc.port;
    return this;
  }

  /** The backend dies: the process is killed, connections drop. */
  async kill(): Promise<void> {
    await this.proc?.kill();
    this.proc = undefined;
  }

  /** Back on the same port with the same data. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
