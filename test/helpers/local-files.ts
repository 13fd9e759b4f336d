import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestServer } from './server';

/** The files of org "default"'s local backend, read straight from disk. */
export function localRoot(t: TestServer, org = 'default'): string {
  const o = t.server.store.orgs.byName(org)!;
  return join(t.dataDir, 'local', t.server.store.backends.byName(o.id, 'local')!.id);
}

export function stagingFiles(t: TestServer, org = 'default'): string[] {
  const dir = join(localRoot(t, org), 'staging');
  return existsSync(dir) ? readdirSync(dir) : [];
}

export function blobFile(t: TestServer, hex: string, org = 'default'): string {
  return join(localRoot(t, org), 'sha256', hex.slice(0, 2), hex);
}
