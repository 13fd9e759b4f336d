import pino from 'pino';
import { CasError } from '../../src/domain/errors';
import { StorageProvider } from '../../src/domain/ports';
import { parseAzureConfig } from '../../src/providers/azure-blob/azure-config';
import { AzureBlobProvider } from '../../src/providers/azure-blob/azure-provider';
import { parseS3Config } from '../../src/providers/aws-s3/s3-config';
import { S3Provider } from '../../src/providers/aws-s3/s3-provider';
import { parseOciConfig } from '../../src/providers/oci/oci-config';
import { OciProvider } from '../../src/providers/oci/oci-provider';
import { AZURITE_ACCOUNT, AZURITE_KEY, AzuriteServer } from '../servers/azurite';
import { freePort, REGISTRY_USER, RegistryServer } from '../servers/registry';
import { S3RVER_KEY, S3rverServer } from '../servers/s3rver';

const log = pino({ level: 'silent' });
const SECRETS = ['wrong-secret-3f9a', 'not-the-password-77c1', S3RVER_KEY.secretAccessKey, REGISTRY_USER.password];
const WRONG_AZURE_KEY = Buffer.from('wrong-secret-3f9a'.repeat(4)).toString('base64');

async function reason(p: StorageProvider): Promise<CasError> {
  try {
    await p.validate();
  } catch (e) {
    await p.close();
    expect(e).toBeInstanceOf(CasError); // no SDK error type escapes
    const text = `${(e as Error).message} ${JSON.stringify(e)}`;
    for (const s of [...SECRETS, WRONG_AZURE_KEY]) expect(text).not.toContain(s);
    return e as CasError;
  }
  await p.close();
  throw new Error('validation passed but should have failed');
}

const s3 = new S3rverServer();
const azurite = new AzuriteServer();
const registry = new RegistryServer('htpasswd');
let deadPort: number;

beforeAll(async () => {
  await Promise.all([s3.start(), azurite.start(), registry.start()]);
  deadPort = await freePort();
});
afterAll(async () => {
  await Promise.all([s3.stop(), azurite.stop(), registry.stop()]);
});

describe('aws-s3 validation', () => {
  const make = (over: Record<string, unknown>, creds = S3RVER_KEY) =>
    new S3Provider(parseS3Config({ bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, ...over }), creds, log);
  test('passes with good credentials', async () => {
    const p = make({});
    await expect(p.validate()).resolves.toBeUndefined();
    await p.close();
  });
  test('an unknown access key id (s3rver checks ids, not signatures)', async () => {
    expect((await reason(make({}, { accessKeyId: 'NOPE', secretAccessKey: 'wrong-secret-3f9a' }))).message).toContain('access denied');
  });
  test('a missing bucket', async () => {
    expect((await reason(make({ bucket: 'no-such-bucket' }))).message).toContain('bucket "no-such-bucket" does not exist');
  });
  test('an unreachable endpoint', async () => {
    expect((await reason(make({ endpoint: `http://127.0.0.1:${deadPort}` }))).message).toContain('unreachable');
  });
});

describe('azure-blob validation', () => {
  const make = (over: Record<string, unknown>, accountKey = AZURITE_KEY) =>
    new AzureBlobProvider(parseAzureConfig({ storageAccount: AZURITE_ACCOUNT, container: 'validation', endpoint: azurite.endpoint, ...over }), { kind: 'shared-key', accountKey }, log);
  test('passes with the right key, creating the container', async () => {
    const p = make({});
    await expect(p.validate()).resolves.toBeUndefined();
    expect(await p.container.exists()).toBe(true);
  });
  test('a wrong account key', async () => {
    expect((await reason(make({ container: 'other' }, WRONG_AZURE_KEY))).message).toContain('access denied');
  });
  test('an unreachable endpoint', async () => {
    expect((await reason(make({ endpoint: `http://127.0.0.1:${deadPort}/${AZURITE_ACCOUNT}` }))).message).toContain('unreachable');
  });
});

describe('oci validation (push permission)', () => {
  const make = (password = REGISTRY_USER.password, address = registry.address) =>
    new OciProvider(parseOciConfig({ location: `${address}/acme/evidence`, insecureHttp: true }), { username: REGISTRY_USER.username, password });
  test('passes with the right password', async () => {
    const p = make();
    await expect(p.validate()).resolves.toBeUndefined();
    await p.close();
  });
  test('a wrong password', async () => {
    expect((await reason(make('not-the-password-77c1'))).message).toContain('access denied (check the credentials');
  });
  test('an unreachable registry', async () => {
    expect((await reason(make(REGISTRY_USER.password, `127.0.0.1:${deadPort}`))).message).toContain('unreachable');
  });
});
