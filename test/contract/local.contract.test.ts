import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { providerContract } from './provider-contract';

providerContract({
  name: 'local',
  provider: 'local',
  capabilities: { writable: true, resume: true, durableResume: true, range: true, serverSideChecksum: false },
  sizes: [1, 1000, 20 * 1024 * 1024 + 5],
  listStored: async (t, backend) => {
    const root = join(t.dataDir, 'local', backend.id, 'sha256');
    if (!existsSync(root)) return [];
    return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)));
  },
});
