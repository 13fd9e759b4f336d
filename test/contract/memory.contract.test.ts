import { MemoryProvider } from '../../src/providers/memory/memory-provider';
import { providerContract } from './provider-contract';

providerContract({
  name: 'memory (reference)',
  provider: 'memory',
  capabilities: { writable: true, resume: true, durableResume: false, range: true, serverSideChecksum: false },
  sizes: [1, 1000, 20 * 1024 * 1024 + 5],
  listStored: async (_t, _b, provider) => [...(provider as MemoryProvider).blobs.keys()],
});
