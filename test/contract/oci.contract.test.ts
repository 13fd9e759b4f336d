import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../src/providers/oci/registry-client';
import { REGISTRY_USER, RegistryServer } from '../servers/registry';
import { TokenServer } from '../servers/token-server';
import { providerContract } from './provider-contract';

const REPOSITORY = 'acme/evidence';

/** What the registry holds, seen directly: tags through the API, and blob files on its disk. */
async function listRegistry(registry: RegistryServer, auth?: typeof REGISTRY_USER): Promise<string[]> {
  // Through cairn's own client so every auth mode works; then straight from the registry's disk.
  const client = new RegistryClient({ registry: registry.address, repository: REPOSITORY, insecureHttp: true }, auth);
  const res = await client.send('GET', 'tags/list');
  const tags = res.statusCode === 200 ? ((await res.body.json()) as { tags: string[] | null }).tags ?? [] : (await res.body.dump(), []);
  await client.close();
  const blobRoot = join(registry.dir, 'data', 'docker/registry/v2/blobs/sha256');
  const blobs = existsSync(blobRoot) ? readdirSync(blobRoot).flatMap((shard) => readdirSync(join(blobRoot, shard))) : [];
  // A digest shows as its tag and as its blob file; either alone would also count as visible.
  return [...new Set([...tags.filter((t) => t.startsWith('sha256-')).map((t) => t.slice('sha256-'.length)), ...blobs])];
}

for (const mode of ['none', 'htpasswd', 'token'] as const) {
  const tokens = mode === 'token' ? new TokenServer(REGISTRY_USER) : undefined;
  const registry = new RegistryServer(mode, tokens);
  const auth = mode === 'none' ? undefined : REGISTRY_USER;
  providerContract({
    name: `oci (distribution registry, ${mode === 'none' ? 'anonymous' : mode === 'htpasswd' ? 'htpasswd' : 'bearer token'})`,
    provider: 'oci',
    capabilities: { writable: true, resume: true, durableResume: false, range: true, serverSideChecksum: true },
    sizes: [1, 1000, 20 * 1024 * 1024 + 5],
    start: async () => {
      await tokens?.start();
      await registry.start();
    },
    stop: async () => {
      await registry.stop();
      await tokens?.stop();
    },
    location: () => `${registry.address}/${REPOSITORY}`,
    config: () => ({ insecureHttp: true }),
    ...(auth ? { credentials: () => ({ ...auth }) } : {}),
    listStored: () => listRegistry(registry, auth),
    kill: () => registry.kill(),
    revive: async () => void (await registry.start()),
  });
}
