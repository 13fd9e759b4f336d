import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REGISTRY_USER, RegistryServer } from '../servers/registry';
import { providerContract } from './provider-contract';

const REPOSITORY = 'acme/evidence';

/** What the registry holds, seen directly: tags through the API, and blob files on its disk. */
async function listRegistry(registry: RegistryServer, auth?: typeof REGISTRY_USER): Promise<string[]> {
  const headers: Record<string, string> = auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
  const res = await fetch(`http://${registry.address}/v2/${REPOSITORY}/tags/list`, { headers });
  const tags = res.status === 200 ? ((await res.json()) as { tags: string[] | null }).tags ?? [] : [];
  const blobRoot = join(registry.dir, 'data', 'docker/registry/v2/blobs/sha256');
  const blobs = existsSync(blobRoot) ? readdirSync(blobRoot).flatMap((shard) => readdirSync(join(blobRoot, shard))) : [];
  // A digest shows as its tag and as its blob file; either alone would also count as visible.
  return [...new Set([...tags.filter((t) => t.startsWith('sha256-')).map((t) => t.slice('sha256-'.length)), ...blobs])];
}

for (const mode of ['none', 'htpasswd'] as const) {
  const registry = new RegistryServer(mode);
  const auth = mode === 'htpasswd' ? REGISTRY_USER : undefined;
  providerContract({
    name: `oci (distribution registry, ${mode === 'none' ? 'anonymous' : 'htpasswd'})`,
    provider: 'oci',
    capabilities: { writable: true, resume: true, durableResume: false, range: true, serverSideChecksum: true },
    sizes: [1, 1000, 20 * 1024 * 1024 + 5],
    start: async () => void (await registry.start()),
    stop: () => registry.stop(),
    location: () => `${registry.address}/${REPOSITORY}`,
    config: () => ({ insecureHttp: true }),
    ...(auth ? { credentials: () => ({ ...auth }) } : {}),
    listStored: () => listRegistry(registry, auth),
    kill: () => registry.kill(),
    revive: async () => void (await registry.start()),
  });
}
