import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { CreateBackendRequest, ValidationStatus } from '../../generated/cairn/cas/v1/cas_backend';
import { randomBlob } from '../helpers/bytes';
import { startTestServer, TestServer } from '../helpers/server';
import { S3RVER_KEY, S3rverServer } from '../servers/s3rver';

const s3 = new S3rverServer();
let t: TestServer;
const logLines: string[] = [];
// s3rver checks access key ids, not secrets, so the backend can carry a distinctive secret to search for.
const SECRET = 'cairn-test-secret-9f3b61d2';
const responses: unknown[] = [];
const keep = <T>(r: T): T => {
  responses.push(r);
  return r;
};

const s3Backend = (name: string, over: Partial<CreateBackendRequest> = {}, secretAccessKey = SECRET): CreateBackendRequest => ({
  name, provider: 'aws-s3', location: s3.bucket, description: 'evidence bucket', maxBytes: 0, default: false,
  credentials: { kind: { $case: 'awsS3', value: { accessKeyId: S3RVER_KEY.accessKeyId, secretAccessKey } } },
  settings: { values: { endpoint: s3.endpoint, region: 'us-east-1', prefix: name } },
  ...over,
});

beforeAll(async () => {
  await s3.start();
  t = await startTestServer({ logLines });
});
afterAll(async () => {
  await t.stop();
  await s3.stop();
});

test('create validates live first, then saves; list and get never show credentials', async () => {
  const created = keep(await t.admin.createBackend(s3Backend('s3-main')));
  expect(created.backend).toMatchObject({ name: 's3-main', provider: 'aws-s3', location: s3.bucket, status: ValidationStatus.VALIDATION_STATUS_OK, default: false });
  const listed = keep(await t.admin.listBackends());
  expect(listed.backends.map((b) => b.name).sort()).toEqual(['inline', 'local', 's3-main']);
  expect(listed.backends.find((b) => b.name === 'inline')).toMatchObject({ maxBytes: 500 * 1024 });
  expect(keep(await t.admin.getBackend('s3-main')).backend?.name).toBe('s3-main');
});

test('bad credentials or a missing bucket are refused with the reason, and nothing is saved', async () => {
  // s3rver checks access key ids, not signatures: an unknown id stands for bad credentials.
  const bad = s3Backend('s3-bad', { credentials: { kind: { $case: 'awsS3', value: { accessKeyId: 'UNKNOWN', secretAccessKey: 'x' } } } });
  await expect(t.admin.createBackend(bad)).rejects.toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringContaining('access denied') });
  await expect(t.admin.createBackend(s3Backend('s3-nobucket', { location: 'no-such-bucket' }))).rejects.toMatchObject({
    code: status.FAILED_PRECONDITION, details: expect.stringContaining('bucket "no-such-bucket" does not exist'),
  });
  expect((await t.admin.listBackends()).backends.map((b) => b.name)).not.toContain('s3-bad');
  await expect(t.admin.createBackend(s3Backend('Bad_Name'))).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  await expect(t.admin.createBackend(s3Backend('s3-main'))).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
});

test('set-default routes uploads without a backend segment to the new default', async () => {
  const r = keep(await t.admin.setDefaultBackend('s3-main'));
  expect(r).toMatchObject({ previousDefault: 'local', backend: { name: 's3-main', default: true } });
  const { bytes, digest } = randomBlob(100_000);
  await t.admin.uploadBytes(bytes, digest);
  expect(await t.admin.describe(digest.hex)).toMatchObject({ backend: 's3-main', provider: 'aws-s3' });
});

test('rotating to bad credentials is refused and the old ones keep working; good ones keep identity and default', async () => {
  const before = (await t.admin.getBackend('s3-main')).backend!;
  await expect(
    t.admin.updateBackend({ name: 's3-main', default: false, credentials: { kind: { $case: 'awsS3', value: { accessKeyId: 'ROTATED-WRONG', secretAccessKey: 'y' } } } }),
  ).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  const { bytes, digest } = randomBlob(50_000);
  expect(await t.admin.uploadBytes(bytes, digest)).toBe(50_000);
  const rotated = keep(
    await t.admin.updateBackend({ name: 's3-main', default: false, description: 'rotated', credentials: { kind: { $case: 'awsS3', value: { accessKeyId: S3RVER_KEY.accessKeyId, secretAccessKey: `${SECRET}-rotated` } } } }),
  );
  expect(rotated.backend).toMatchObject({ name: 's3-main', default: true, description: 'rotated' });
  expect(rotated.backend!.createdAt).toEqual(before.createdAt);
  expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
});

test('exactly one default after many concurrent set-default calls', async () => {
  keep(await t.admin.createBackend(s3Backend('s3-second')));
  const names = ['s3-main', 's3-second', 'local'];
  await Promise.all(Array.from({ length: 30 }, (_, i) => t.admin.setDefaultBackend(names[i % 3]!)));
  const defaults = (await t.admin.listBackends()).backends.filter((b) => b.default);
  expect(defaults).toHaveLength(1);
});

test('delete is soft: no new writes, old blobs stay readable; deleting the default makes inline the default', async () => {
  await t.admin.setDefaultBackend('s3-second');
  const { bytes, digest } = randomBlob(70_000);
  await t.admin.uploadBytes(bytes, digest, { backend: 's3-second' });
  const deleted = keep(await t.admin.deleteBackend('s3-second'));
  expect(deleted.newDefault).toBe('inline');
  expect(deleted.backend!.deletedAt).toBeInstanceOf(Date);
  expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
  const fresh = randomBlob(10);
  await expect(t.admin.uploadBytes(fresh.bytes, fresh.digest, { backend: 's3-second' })).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  expect((await t.admin.listBackends()).backends.map((b) => b.name)).not.toContain('s3-second');
  expect((await t.admin.listBackends(true)).backends.map((b) => b.name)).toContain('s3-second');
  await expect(t.admin.deleteBackend('inline')).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  // purge forgets the index rows: the blob is no longer reachable through cairn.
  keep(await t.admin.deleteBackend('s3-second', true));
  await expect(t.admin.describe(digest.hex)).rejects.toMatchObject({ code: status.NOT_FOUND });
  await t.admin.setDefaultBackend('local');
});

test('validate records the status, and uploads to an INVALID backend fail fast naming it', async () => {
  const ok = keep(await t.admin.validateBackend('s3-main'));
  expect(ok.backend).toMatchObject({ status: ValidationStatus.VALIDATION_STATUS_OK });
  await s3.kill();
  try {
    const invalid = keep(await t.admin.validateBackend('s3-main'));
    expect(invalid.backend!.status).toBe(ValidationStatus.VALIDATION_STATUS_INVALID);
    expect(invalid.backend!.statusError).toContain('unreachable');
    const { bytes, digest } = randomBlob(10);
    await expect(t.admin.uploadBytes(bytes, digest, { backend: 's3-main' })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION, details: expect.stringContaining('backend "s3-main" failed validation'),
    });
  } finally {
    await s3.start();
  }
  expect(keep(await t.admin.validateBackend('s3-main')).backend!.status).toBe(ValidationStatus.VALIDATION_STATUS_OK);
  const audit = t.server.store.backends.auditOf(t.server.store.backends.byName(t.server.store.orgs.byName('default')!.id, 's3-main')!.id).map((a) => a.action);
  expect(audit).toEqual(expect.arrayContaining(['create', 'set-default', 'rotate', 'update', 'status']));
});

test('roles and tenancy: uploaders and downloaders may list, only admins manage; other orgs see nothing', async () => {
  const uploader = t.client(t.token('uploader'));
  expect((await uploader.listBackends()).backends.length).toBeGreaterThan(0);
  await expect(uploader.createBackend(s3Backend('s3-x'))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  await expect(uploader.setDefaultBackend('local')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  await expect(t.client(t.token('downloader')).deleteBackend('s3-main')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  await t.addOrg('rival');
  const rival = t.client(t.token('admin', 'rival'));
  expect((await rival.listBackends(true)).backends.map((b) => b.name).sort()).toEqual(['inline', 'local']);
  await expect(rival.getBackend('s3-main')).rejects.toMatchObject({ code: status.NOT_FOUND });
  await expect(rival.setDefaultBackend('s3-main')).rejects.toMatchObject({ code: status.NOT_FOUND });
});

test('no secret appears in the database files, the logs or any response', () => {
  const secrets = [SECRET, `${SECRET}-rotated`];
  expect(logLines.length).toBeGreaterThan(5);
  for (const line of logLines) for (const s of secrets) expect(line).not.toContain(s);
  const files = readdirSync(t.dataDir).filter((f) => f.startsWith('cairn.db'));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const bytes = readFileSync(join(t.dataDir, f));
    for (const s of secrets) expect(bytes.includes(Buffer.from(s))).toBe(false);
  }
  const text = JSON.stringify(responses);
  for (const s of secrets) expect(text).not.toContain(s);
});

test('background revalidation marks a broken store INVALID and a recovered one OK again, with audit rows', async () => {
  const org = t.server.store.orgs.byName('default')!;
  const id = t.server.store.backends.byName(org.id, 's3-main')!.id;
  await s3.kill();
  try {
    expect(await t.server.management.revalidateAll()).toBeGreaterThanOrEqual(1);
    expect(t.server.store.backends.byId(id)!.status).toBe('INVALID');
  } finally {
    await s3.start();
  }
  await t.server.management.revalidateAll();
  expect(t.server.store.backends.byId(id)!.status).toBe('OK');
  const statusRows = t.server.store.backends.auditOf(id).filter((a) => a.action === 'status' && a.tokenId === null);
  expect(statusRows.map((a) => a.detail)).toEqual(expect.arrayContaining(['OK -> INVALID', 'INVALID -> OK']));
});
