import { randomBytes } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { digestOf } from '../helpers/bytes';
import { OciProvider } from '../../src/providers/oci/oci-provider';
import { parseOciConfig } from '../../src/providers/oci/oci-config';
import { EMPTY_CONFIG_DIGEST, EVIDENCE_ARTIFACT_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '../../src/providers/oci/oci-manifest';
import { RegistryAuth } from '../../src/providers/oci/registry-auth';
import { RegistryClient } from '../../src/providers/oci/registry-client';
import { REGISTRY_USER, RegistryServer } from '../servers/registry';
import { TOKEN_SERVICE, TokenServer } from '../servers/token-server';

async function pushOne(p: OciProvider, size = 1000): Promise<void> {
  const bytes = randomBytes(size);
  const d = digestOf(bytes);
  const staged = await p.stage('00000000-0000-4000-8000-000000000000', d, { filename: 'x', mediaType: 'text/plain' });
  await staged.write(bytes);
  await staged.commit();
}

describe('registry bearer tokens', () => {
  const tokens = new TokenServer(REGISTRY_USER, 7); // cached for expires_in - 5 s = 2 s
  const registry = new RegistryServer('token', tokens);
  beforeAll(async () => {
    await tokens.start();
    await registry.start();
  });
  afterAll(async () => {
    await registry.stop();
    await tokens.stop();
  });

  test('a token is fetched for the service and scope, cached until it expires, then renewed', async () => {
    const p = new OciProvider(parseOciConfig({ location: `${registry.address}/acme/evidence`, insecureHttp: true }), REGISTRY_USER);
    tokens.requests.length = 0;
    for (let i = 0; i < 3; i++) await pushOne(p);
    expect(tokens.requests).toEqual([{ scopes: ['repository:acme/evidence:pull,push'], service: TOKEN_SERVICE, authorized: true }]);
    await new Promise((r) => setTimeout(r, 2200));
    await pushOne(p);
    expect(tokens.requests).toHaveLength(2);
    await p.close();
  });

  test('each blob is tagged sha256-<hex> by an OCI artifact manifest in the one repository', async () => {
    const p = new OciProvider(parseOciConfig({ location: `${registry.address}/acme/evidence`, insecureHttp: true }), REGISTRY_USER);
    const bytes = randomBytes(777);
    const d = digestOf(bytes);
    const staged = await p.stage('00000000-0000-4000-8000-000000000001', d, { filename: 'sbom.cdx.json', mediaType: 'application/vnd.cyclonedx+json' });
    await staged.write(bytes);
    await staged.commit();
    const res = await p.registry.send('GET', `manifests/sha256-${d.hex}`, { headers: { accept: OCI_MANIFEST_MEDIA_TYPE } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: EVIDENCE_ARTIFACT_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_CONFIG_DIGEST, size: 2 },
      layers: [{ mediaType: 'application/vnd.cyclonedx+json', digest: `sha256:${d.hex}`, size: 777, annotations: { 'org.opencontainers.image.title': 'sbom.cdx.json' } }],
    });
    expect(EMPTY_CONFIG_DIGEST).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    await p.close();
  });

  test('several scopes go as separate scope parameters', async () => {
    const auth = new RegistryAuth(REGISTRY_USER);
    const challenge = `Bearer realm="${tokens.realm}",service="${TOKEN_SERVICE}",scope="repository:a/b:pull"`;
    expect(await auth.answer(challenge, ['repository:a/b:pull', 'repository:c/d:pull,push'])).toBe(true);
    expect(tokens.requests[tokens.requests.length - 1]!.scopes).toEqual(['repository:a/b:pull', 'repository:c/d:pull,push']);
    expect(auth.header(['repository:a/b:pull', 'repository:c/d:pull,push'])).toMatch(/^Bearer ey/);
  });

  test('wrong credentials at the token service are a clear error', async () => {
    const p = new OciProvider(parseOciConfig({ location: `${registry.address}/acme/evidence`, insecureHttp: true }), { username: 'cairn', password: 'wrong-pass-1234' });
    await expect(p.validate()).rejects.toThrow('oci backend: the token service refused the credentials');
    await p.close();
  });
});

test('a redirect to another host never carries the Authorization header', async () => {
  const seen: { a: IncomingHttpHeaders[]; b: IncomingHttpHeaders[] } = { a: [], b: [] };
  const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
  const b = createServer((req, res) => {
    seen.b.push(req.headers);
    res.writeHead(200, { 'content-length': '5' }).end('hello');
  });
  const bPort = await listen(b);
  const a = createServer((req, res) => {
    seen.a.push(req.headers);
    if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="a"' }).end();
    res.writeHead(307, { location: `http://localhost:${bPort}/storage/blob?sig=presigned` }).end();
  });
  const aPort = await listen(a);
  const client = new RegistryClient({ registry: `127.0.0.1:${aPort}`, repository: 'acme/evidence', insecureHttp: true }, REGISTRY_USER);
  try {
    const res = await client.send('GET', 'blobs/sha256:abc');
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('hello');
    expect(seen.a[seen.a.length - 1]!.authorization).toMatch(/^Basic /);
    expect(seen.b).toHaveLength(1);
    expect(seen.b[0]!.authorization).toBeUndefined();
  } finally {
    await client.close();
    a.close();
    b.close();
  }
});
