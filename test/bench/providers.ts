import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { loadKey } from '../../src/config/key-file';
import { CredentialVault } from '../../src/core/credential-vault';
import { ProviderId } from '../../src/domain/ports';
import { formatReadResource, formatWriteResource } from '../../src/domain/resource-name';
import { Store } from '../../src/store';
import { AZURITE_ACCOUNT, AZURITE_KEY, AzuriteServer } from '../servers/azurite';
import { RegistryServer } from '../servers/registry';
import { S3RVER_KEY, S3rverServer } from '../servers/s3rver';
import { BenchServer, rssOf, startCairn } from './processes';
import { Direct, directAzure, directOci, directS3 } from './provider-direct';
import { inChild } from './http';
import { md, MiB, newClient, readStream, syntheticBlob, timed, writeStream } from './streams';

export interface ProviderRow {
  readonly what: string;
  readonly cairn: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
}

interface Target {
  readonly name: ProviderId;
  readonly location: string;
  readonly config: Record<string, unknown>;
  readonly credentials?: Record<string, string>;
  readonly direct: Direct;
}

/** Adds a backend to a running cairn server's database, credentials sealed with its master key. */
function addBackend(dataDir: string, t: Target): void {
  const store = Store.open(join(dataDir, 'cairn.db'));
  try {
    const org = store.orgs.byName('default')!;
    const b = store.backends.create({ orgId: org.id, name: t.name, provider: t.name, location: t.location, config: t.config, status: 'OK' });
    if (t.credentials) store.backends.setSealedCredentials(b.id, new CredentialVault(loadKey(join(dataDir, 'master.key'))).seal(b.id, t.credentials));
  } finally {
    store.close();
  }
}

async function withStores<T>(fn: (targets: Target[]) => Promise<T>): Promise<T> {
  const s3 = await new S3rverServer().start();
  const azurite = await new AzuriteServer().start();
  // Validating an azure-blob backend creates its container; the bench adds backends directly, so it makes it here.
  await new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient('bench').createIfNotExists();
  const registry = await new RegistryServer('none').start();
  try {
    return await fn([
      { name: 'aws-s3', location: s3.bucket, config: { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint }, credentials: { ...S3RVER_KEY }, direct: directS3(s3.endpoint, s3.bucket, S3RVER_KEY) },
      { name: 'azure-blob', location: 'bench', config: { storageAccount: AZURITE_ACCOUNT, container: 'bench', endpoint: azurite.endpoint }, credentials: { accountKey: AZURITE_KEY }, direct: directAzure(azurite.endpoint, AZURITE_ACCOUNT, AZURITE_KEY, 'bench') },
      { name: 'oci', location: `${registry.address}/bench/evidence`, config: { insecureHttp: true }, direct: directOci(registry.address, 'bench/evidence') },
    ]);
  } finally {
    await Promise.all([s3.stop(), azurite.stop(), registry.stop()]);
  }
}

async function withCairn<T>(targets: Target[], fn: (cairn: BenchServer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pbench-'));
  const cairn = await startCairn(join(dir, 'data'));
  try {
    for (const t of targets) addBackend(join(dir, 'data'), t);
    return await fn(cairn);
  } finally {
    await cairn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 256 MiB up and down through cairn vs straight to the store; best of `reps`. */
export async function providerTransfers(rows: ProviderRow[], mib: number, reps: number, log: (s: string) => void): Promise<void> {
  const total = mib * MiB;
  await withStores((targets) =>
    withCairn(targets, async (cairn) => {
      const c = newClient(cairn.address);
      const chunkFile = join(tmpdir(), `cairn-pbench-chunk-${process.pid}`);
      for (const t of targets) {
        const best = { cu: 0, du: 0, cd: 0, dd: 0, hu: 0, hd: 0 };
        for (let rep = 0; rep < reps; rep++) {
          const { chunk, digest } = syntheticBlob(total);
          const part = Buffer.concat(Array.from({ length: 8 }, () => chunk));
          const du = await timed(() => t.direct.upload(digest, part, total));
          const cu = await timed(() => writeStream(c, md(cairn.token), formatWriteResource(randomUUID(), digest, t.name), chunk, total));
          const dd = await timed(() => t.direct.download(digest));
          const cd = await timed(() => readStream(c, md(cairn.token), formatReadResource(digest, t.name)));
          // The same through cairn's HTTP data path (another blob, or the upload would be a dedup hit), client in its own process.
          const other = syntheticBlob(total);
          writeFileSync(chunkFile, other.chunk);
          const url = `${cairn.httpUrl}/v1/blobs/sha256:${other.digest.hex}?backend=${t.name}`;
          const hu = await inChild('put', url, total, chunkFile, cairn.token);
          const hd = await inChild('get', url, total, chunkFile, cairn.token);
          if (cu.result !== total || cd.result !== total || dd.result !== total || hu.result !== 201 || hd.result !== total) throw new Error(`${t.name}: short transfer`);
          const r = (s: number) => mib / s;
          const now = { cu: r(cu.seconds), du: r(du.seconds), cd: r(cd.seconds), dd: r(dd.seconds), hu: r(hu.seconds), hd: r(hd.seconds) };
          for (const k of Object.keys(best) as (keyof typeof best)[]) best[k] = Math.max(best[k], now[k]);
          log(
            `${t.name} rep ${rep + 1}: upload cairn gRPC ${now.cu.toFixed(0)} / HTTP ${now.hu.toFixed(0)} / direct ${now.du.toFixed(0)} MiB/s; ` +
              `download cairn gRPC ${now.cd.toFixed(0)} / HTTP ${now.hd.toFixed(0)} / direct ${now.dd.toFixed(0)} MiB/s`,
          );
        }
        const row = (what: string, cairnRate: number, direct: number) =>
          rows.push({ what: `${t.name}: ${mib} MiB ${what}, MiB/s`, cairn: cairnRate.toFixed(0), baseline: direct.toFixed(0), ratio: (cairnRate / direct).toFixed(2), target: '≥ 0.85' });
        row('upload (gRPC)', best.cu, best.du);
        row('upload (HTTP)', best.hu, best.du);
        row('download (gRPC)', best.cd, best.dd);
        row('download (HTTP)', best.hd, best.dd);
      }
      rmSync(chunkFile, { force: true });
      c.close();
    }),
  );
}

/** Server peak RSS while a `gib` GiB blob goes up and down through each provider (a fresh server each). */
export async function providerMemory(rows: ProviderRow[], gib: number, log: (s: string) => void): Promise<void> {
  const total = gib * 1024 * MiB;
  await withStores(async (targets) => {
    for (const t of targets) {
      await withCairn([t], async (cairn) => {
        const c = newClient(cairn.address);
        const { chunk, digest } = syntheticBlob(total);
        await writeStream(c, md(cairn.token), formatWriteResource(randomUUID(), digest, t.name), chunk, total);
        await readStream(c, md(cairn.token), formatReadResource(digest, t.name));
        const peak = rssOf(cairn.pid).peakMiB;
        log(`${t.name}: server peak RSS ${peak.toFixed(0)} MiB for ${gib} GiB up and down`);
        rows.push({ what: `${t.name}: server peak RSS, ${gib} GiB up + down, MiB`, cairn: peak.toFixed(0), baseline: '', ratio: '', target: '≤ 160 MiB' });
        c.close();
      });
    }
  });
}
