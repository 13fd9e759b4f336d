import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { CreateBackendRequest, Credentials } from '../../generated/cairn/cas/v1/cas_backend';
import { formatWriteResource } from '../../src/domain/resource-name';
import { randomBlob } from '../helpers/bytes';
import { chunked, rawWrite } from '../helpers/bytestream';
import { startTestServer, TestServer } from '../helpers/server';
import { AZURITE_ACCOUNT, AZURITE_KEY, AzuriteServer } from '../servers/azurite';
import { REGISTRY_USER, RegistryServer } from '../servers/registry';
import { S3RVER_KEY, S3rverServer } from '../servers/s3rver';

const s3 = new S3rverServer('mgmt-evidence');
const azurite = new AzuriteServer();
const registry = new RegistryServer('htpasswd');
let t: TestServer;

beforeAll(async () => {
  await Promise.all([s3.start(), azurite.start(), registry.start()]);
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
  await Promise.all([s3.stop(), azurite.stop(), registry.stop()]);
});

interface Case {
  readonly provider: string;
  readonly request: () => Omit<CreateBackendRequest, 'name' | 'credentials'>;
  readonly good: () => Credentials;
  /** s3rver refuses unknown key ids (it does not check secrets); Azurite a wrong key; the registry a wrong password. */
  readonly bad: () => Credentials;
}

const base = { description: '', maxBytes: 0, default: false };
const CASES: Case[] = [
  {
    provider: 'aws-s3',
    request: () => ({ ...base, provider: 'aws-s3', location: s3.bucket, settings: { values: { endpoint: s3.endpoint } } }),
    good: () => ({ kind: { $case: 'awsS3', value: { ...S3RVER_KEY } } }),
    bad: () => ({ kind: { $case: 'awsS3', value: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'whatever' } } }),
  },
  {
    provider: 'azure-blob',
    request: () => ({ ...base, provider: 'azure-blob', location: `${AZURITE_ACCOUNT}/mgmt`, settings: { values: { endpoint: azurite.endpoint } } }),
    good: () => ({ kind: { $case: 'azureBlob', value: { tenantId: '', clientId: '', clientSecret: '', accountKey: AZURITE_KEY } } }),
    bad: () => ({ kind: { $case: 'azureBlob', value: { tenantId: '', clientId: '', clientSecret: '', accountKey: Buffer.from('not the key'.repeat(6)).toString('base64') } } }),
  },
  {
    provider: 'oci',
    request: () => ({ ...base, provider: 'oci', location: `${registry.address}/acme/mgmt`, settings: { values: { insecureHttp: 'true' } } }),
    good: () => ({ kind: { $case: 'oci', value: { ...REGISTRY_USER } } }),
    bad: () => ({ kind: { $case: 'oci', value: { username: REGISTRY_USER.username, password: 'wrong-password' } } }),
  },
];

describe.each(CASES.map((c) => [c.provider, c] as const))('%s backend management against its real server', (provider, c) => {
  const name = `m-${provider}`;

  test('add, rotate to bad credentials (refused; the old ones keep working), rotate to good ones, delete and still read', async () => {
    const created = await t.admin.createBackend({ ...c.request(), name, credentials: c.good() });
    expect(created.backend).toMatchObject({ name, provider, default: false });
    const first = randomBlob(300_000);
    await t.admin.uploadBytes(first.bytes, first.digest, { backend: name });

    await expect(t.admin.updateBackend({ name, default: false, credentials: c.bad() })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION, details: expect.stringContaining(`backend "${name}" failed validation`),
    });
    const second = randomBlob(200_000);
    expect(await t.admin.uploadBytes(second.bytes, second.digest, { backend: name })).toBe(200_000);

    const rotated = await t.admin.updateBackend({ name, default: false, credentials: c.good() });
    expect(rotated.backend!.createdAt).toEqual(created.backend!.createdAt);
    expect((await t.admin.readAll(first.digest)).equals(first.bytes)).toBe(true);

    await t.admin.deleteBackend(name);
    expect((await t.admin.readAll(second.digest)).equals(second.bytes)).toBe(true);
    await expect(t.admin.uploadBytes(randomBlob(10).bytes, randomBlob(10).digest, { backend: name })).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  });
});

test('set-default while uploads run: every upload completes, each on a backend that was the default, and one default remains', async () => {
  for (const c of CASES) await t.admin.createBackend({ ...c.request(), name: `d-${c.provider}`, credentials: c.good() });
  const names = CASES.map((c) => `d-${c.provider}`);
  await t.admin.setDefaultBackend(names[0]!);
  const blobs = Array.from({ length: 9 }, () => randomBlob(2 * 1024 * 1024));
  const uploads = blobs.map(({ bytes, digest }) => rawWrite(t.admin, t.adminToken, chunked(formatWriteResource(randomUUID(), digest), bytes, 256 * 1024)));
  for (let i = 0; i < 12; i++) await t.admin.setDefaultBackend(names[i % names.length]!);
  for (const r of await Promise.all(uploads)) expect(r).toMatchObject({ code: status.OK, details: '' });
  for (const { bytes, digest } of blobs) {
    expect(names).toContain((await t.admin.describe(digest.hex)).backend);
    expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
  }
  expect((await t.admin.listBackends()).backends.filter((b) => b.default)).toHaveLength(1);
});
