import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, AzuriteServer } from '../servers/azurite';
import { TcpGate } from '../servers/tcp-gate';
import { providerContract } from './provider-contract';

const azurite = new AzuriteServer();
// cairn reaches Azurite through a gate that can simulate an outage (Azurite killed outright loses
// metadata it had not yet flushed, which a real store would not).
const gate = new TcpGate(() => azurite.port);
const CONTAINER = 'evidence';
const viaGate = () => `http://127.0.0.1:${gate.port}/${AZURITE_ACCOUNT}`;

/** Lists the container with the SDK directly: what a user of the storage account would see. */
async function listContainer(): Promise<string[]> {
  const service = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const names: string[] = [];
  for await (const b of service.getContainerClient(CONTAINER).listBlobsFlat({ prefix: 'sha256/' })) names.push(b.name.slice('sha256/'.length));
  return names;
}

providerContract({
  name: 'azure-blob (Azurite, shared key)',
  provider: 'azure-blob',
  capabilities: { writable: true, resume: true, durableResume: false, range: true, serverSideChecksum: false },
  sizes: [1, 1000, 20 * 1024 * 1024 + 5],
  start: async () => {
    await azurite.start();
    await gate.open();
  },
  stop: async () => {
    await gate.cut();
    await azurite.stop();
  },
  config: () => ({ storageAccount: AZURITE_ACCOUNT, container: CONTAINER, endpoint: viaGate() }),
  credentials: () => ({ accountKey: AZURITE_KEY }),
  listStored: () => listContainer(),
  kill: () => gate.cut(),
  revive: async () => void (await gate.open()),
});
