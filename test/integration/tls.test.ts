import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../helpers/bytes';
import { makeTestPki, TestPki } from '../helpers/certs';
import { assertBuilt, runCli, ServerProcess, startServerProcess } from '../helpers/cli';

let dir: string;
let pki: TestPki;
const servers: ServerProcess[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cairn-tls-'));
  pki = makeTestPki(dir);
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(name: string, clientCa: boolean) {
  const data = join(dir, name);
  const server = await startServerProcess(data, ['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey, ...(clientCa ? ['--tls-client-ca', pki.ca] : [])]);
  servers.push(server);
  const httpUrl = /on (https:\/\/\S+)/.exec(server.banner)![1]!;
  return { server, httpUrl, env: { CAIRN_SERVER: server.address, CAIRN_TOKEN: readFileSync(join(data, 'admin.token'), 'utf8').trim(), CAIRN_CA: pki.ca } };
}

/** GET over https with the given client certificate (or none); the status, or the handshake error's code. */
function httpsGet(url: string, cert?: { cert: string; key: string }): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = get(url, { ca: readFileSync(pki.ca), ...(cert ? { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } : {}) }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

test('TLS with client certificates on both listeners: the CA-signed client gets in, others do not', async () => {
  const { server, httpUrl, env } = await serve('mtls', true);
  expect(server.banner).toContain('(gRPC, TLS)');
  const file = join(dir, 'evidence.bin');
  const bytes = randomBytes(2_000_000);
  writeFileSync(file, bytes);
  const withCert = { ...env, CAIRN_CLIENT_CERT: pki.clientCert, CAIRN_CLIENT_KEY: pki.clientKey };
  const digest = `sha256:${digestOf(bytes).hex}`;

  expect(await runCli(['artifact', 'upload', file, '--transport', 'http'], withCert)).toMatchObject({ code: 0, stdout: `${digest}\n` });
  expect(await runCli(['artifact', 'download', digest, '-o', join(dir, 'back.bin'), '--transport', 'grpc'], withCert)).toMatchObject({ code: 0 });
  expect(readFileSync(join(dir, 'back.bin')).equals(bytes)).toBe(true);
  const metrics = await httpsGet(`${httpUrl}/metrics`, { cert: pki.clientCert, key: pki.clientKey });
  expect(metrics.status).toBe(200);
  expect(metrics.body).toMatch(/cairn_transfers_total\{direction="in",transport="http"[^}]*result="ok"\} 1/);

  // No client certificate, or one the CA did not sign: refused at the handshake, on both listeners.
  const without: Record<string, string>[] = [{}, { CAIRN_CLIENT_CERT: pki.rogueCert, CAIRN_CLIENT_KEY: pki.rogueKey }];
  for (const extra of without) {
    const grpc = await runCli(['artifact', 'describe', digest, '--transport', 'grpc'], { ...env, ...extra });
    expect(grpc.code).toBe(1);
    expect(grpc.stderr).not.toContain(digest); // refused before the server looked anything up
  }
  expect((await httpsGet(`${httpUrl}/healthz`)).error).toBeDefined();
  expect((await httpsGet(`${httpUrl}/healthz`, { cert: pki.rogueCert, key: pki.rogueKey })).error).toBeDefined();
});

test('TLS without client certificates: clients that trust the CA work on both paths; plaintext is refused', async () => {
  const { httpUrl, env } = await serve('tls', false);
  const file = join(dir, 'small.txt');
  writeFileSync(file, 'over tls');
  const digest = `sha256:${digestOf(Buffer.from('over tls')).hex}`;
  expect(await runCli(['artifact', 'upload', file], env)).toMatchObject({ code: 0, stdout: `${digest}\n` });
  expect(await runCli(['artifact', 'upload', file, '--transport', 'grpc'], env)).toMatchObject({ code: 0, stdout: `${digest}\n` });
  expect(await httpsGet(`${httpUrl}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
  const { CAIRN_CA: _ca, ...plain } = env;
  expect((await runCli(['artifact', 'describe', digest, '--transport', 'grpc'], plain)).code).toBe(1);
});
