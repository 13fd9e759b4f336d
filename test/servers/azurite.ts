import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { ChildServer, ProcessServer, startChild } from './child-server';

/** Azurite's fixed development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's blob service in its own process on a free loopback port. */
export class AzuriteServer extends ProcessServer {
  constructor(private readonly extraArgs: string[] = []) {
    super('cairn-azurite-');
  }

  get endpoint(): string {
    return `${this.https ? 'https' : 'http'}://127.0.0.1:${this.port}/${AZURITE_ACCOUNT}`;
  }

  private get https(): boolean {
    return this.extraArgs.includes('--cert');
  }

  protected launch(): Promise<ChildServer> {
    const bin = join(repoRoot(), 'node_modules/azurite/dist/src/blob/main.js');
    return startChild(
      process.execPath,
      [bin, '--blobHost', '127.0.0.1', '--blobPort', String(this.port), '--location', this.dir, '--loose', '--skipApiVersionCheck', '--disableTelemetry', ...this.extraArgs],
      /successfully listens on https?:\/\/127\.0\.0\.1:(\d+)/,
    );
  }
}
