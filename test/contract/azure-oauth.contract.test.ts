import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessToken, TokenCredential } from '@azure/identity';
import pino from 'pino';
import { randomBlob } from '../helpers/bytes';
import { parseAzureConfig } from '../../src/providers/azure-blob/azure-config';
import { AzureBlobProvider } from '../../src/providers/azure-blob/azure-provider';
import { AZURITE_ACCOUNT, AzuriteServer } from '../servers/azurite';

/**
 * Azurite's `--oauth basic` checks a bearer token's issuer, audience and lifetime (not its
 * signature), and needs https. This test credential stands in for a service principal's
 * ClientSecretCredential: same TokenCredential interface, a token Azurite accepts.
 */
class TestTokenCredential implements TokenCredential {
  calls = 0;
  async getToken(): Promise<AccessToken> {
    this.calls++;
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { aud: 'https://storage.azure.com', iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/', iat: now, nbf: now - 60, exp: now + 3600, oid: 'cairn-test' };
    return { token: `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`, expiresOnTimestamp: (now + 3600) * 1000 };
  }
}

const certDir = mkdtempSync(join(tmpdir(), 'cairn-azurite-tls-'));
const cert = join(certDir, 'cert.pem');
const key = join(certDir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
const azurite = new AzuriteServer(['--oauth', 'basic', '--cert', cert, '--key', key]);

beforeAll(() => azurite.start());
afterAll(async () => {
  await azurite.stop();
  rmSync(certDir, { recursive: true, force: true });
});

function provider(credential: TokenCredential, trust = true): AzureBlobProvider {
  const config = parseAzureConfig({ storageAccount: AZURITE_ACCOUNT, container: 'oauth', endpoint: azurite.endpoint, ...(trust ? { caCertificate: readFileSync(cert, 'utf8') } : {}) });
  // The shared key below is never used: the token credential replaces it.
  return new AzureBlobProvider(config, { kind: 'service-principal', tenantId: 't', clientId: 'c', clientSecret: 's' }, pino({ level: 'silent' }), credential);
}

test('OAuth over https: validation, a block upload, exists and a ranged read with a TokenCredential', async () => {
  const credential = new TestTokenCredential();
  const p = provider(credential);
  await p.validate();
  const { bytes, digest } = randomBlob(9 * 1024 * 1024 + 3); // over the single-put size: blocks
  const staged = await p.stage('00000000-0000-4000-8000-0000000000aa', digest, { filename: 'x.bin', mediaType: 'application/octet-stream' });
  for (let off = 0; off < bytes.length; off += 1 << 20) await staged.write(bytes.subarray(off, off + (1 << 20)));
  await staged.commit();
  expect(await p.exists(digest)).toBe(true);
  const parts: Buffer[] = [];
  for await (const c of p.read(digest, { offset: 5, length: 1000 })) parts.push(c);
  expect(Buffer.concat(parts).equals(bytes.subarray(5, 1005))).toBe(true);
  expect(credential.calls).toBeGreaterThan(0);
});

test('a certificate the endpoint is not trusted for fails validation clearly', async () => {
  await expect(provider(new TestTokenCredential(), false).validate()).rejects.toThrow("azure-blob backend: validate: the endpoint's TLS certificate is not trusted (set caCertificate for a private CA)");
});
