import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../helpers/bytes';
import { assertBuilt, runCli, ServerProcess, startServerProcess } from '../helpers/cli';

let dir: string;
const servers: ServerProcess[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cairn-transport-'));
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(name: string, args: string[] = []): Promise<{ env: Record<string, string>; httpUrl: string | undefined; data: string }> {
  const data = join(dir, name);
  const server = await startServerProcess(data, args);
  servers.push(server);
  const httpUrl = /HTTP data path, \/healthz, \/readyz and \/metrics on (\S+)/.exec(server.banner)?.[1];
  return { env: { CAIRN_SERVER: server.address, CAIRN_TOKEN: readFileSync(join(data, 'admin.token'), 'utf8').trim() }, httpUrl, data };
}

const transfers = async (httpUrl: string, direction: 'in' | 'out', transport: 'http' | 'grpc'): Promise<number> => {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const re = new RegExp(`cairn_transfers_total\\{direction="${direction}",transport="${transport}",org="default",backend="local",provider="local",result="ok"\\} (\\d+)`);
  return Number(re.exec(text)?.[1] ?? 0);
};

test('auto uses the HTTP path the server advertises; grpc and http can be forced; both verify', async () => {
  const { env, httpUrl } = await serve('main');
  const bytes = randomBytes(5_000_000);
  const file = join(dir, 'big.bin');
  writeFileSync(file, bytes);
  const digest = `sha256:${digestOf(bytes).hex}`;

  expect(await runCli(['artifact', 'upload', file], env)).toMatchObject({ code: 0, stdout: `${digest}\n` });
  expect(await transfers(httpUrl!, 'in', 'http')).toBe(1);
  const out = join(dir, 'down');
  mkdirSync(out);
  expect((await runCli(['artifact', 'download', digest, '-o', join(out, 'via-http')], env)).code).toBe(0);
  expect(await transfers(httpUrl!, 'out', 'http')).toBe(1);
  expect((await runCli(['artifact', 'download', digest, '-o', join(out, 'via-grpc'), '--transport', 'grpc'], env)).code).toBe(0);
  expect(await transfers(httpUrl!, 'out', 'grpc')).toBe(1);
  expect(readFileSync(join(out, 'via-http')).equals(bytes)).toBe(true);
  expect(readFileSync(join(out, 'via-grpc')).equals(bytes)).toBe(true);

  const other = join(dir, 'other.bin');
  writeFileSync(other, randomBytes(1000));
  expect((await runCli(['artifact', 'upload', other, '--transport', 'grpc'], env)).code).toBe(0);
  expect(await transfers(httpUrl!, 'in', 'grpc')).toBe(1);
  // Already stored: the HTTP PUT is answered before the body is sent.
  expect((await runCli(['artifact', 'upload', other, '--transport', 'http'], env)).code).toBe(0);
  expect((await fetch(`${httpUrl}/metrics`).then((r) => r.text())).match(/cairn_dedup_hits_total\{transport="http"[^}]*\} (\d+)/)?.[1]).toBe('1');
});

test('an HTTP download of a blob whose stored bytes changed fails and leaves no file', async () => {
  const { env } = await serve('tamper');
  const bytes = randomBytes(3_000_000);
  const file = join(dir, 'victim.bin');
  writeFileSync(file, bytes);
  const { hex } = digestOf(bytes);
  expect((await runCli(['artifact', 'upload', file], env)).code).toBe(0);
  const list = JSON.parse((await runCli(['cas-backend', 'list', '--output', 'json'], env)).stdout) as { name: string; location: string }[];
  const stored = join(list.find((b) => b.name === 'local')!.location, 'sha256', hex.slice(0, 2), hex);
  chmodSync(stored, 0o644);
  const changed = readFileSync(stored);
  changed[10]! ^= 1;
  writeFileSync(stored, changed);
  const out = join(dir, 'tamper-out');
  mkdirSync(out);
  const down = await runCli(['artifact', 'download', hex, '-o', out, '--transport', 'http'], env);
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/cut short|do not match/);
  expect(readdirSync(out)).toEqual([]);
});

test('auto falls back to gRPC when the advertised HTTP URL is unreachable; http without a listener is a clear error', async () => {
  const unreachable = await serve('unreachable', ['--http-public-url', 'http://127.0.0.1:1']);
  const file = join(dir, 'small.txt');
  writeFileSync(file, 'hello');
  const up = await runCli(['artifact', 'upload', file], unreachable.env);
  expect(up).toMatchObject({ code: 0, stdout: `sha256:${digestOf(Buffer.from('hello')).hex}\n` });
  expect(up.stderr).toContain('cairn: note: the HTTP data path is unreachable (ECONNREFUSED); using gRPC');

  const off = await serve('off', ['--http-listen', 'off']);
  expect(off.httpUrl).toBeUndefined();
  expect((await runCli(['artifact', 'upload', file], off.env)).code).toBe(0);
  expect(await runCli(['artifact', 'upload', file, '--transport', 'http'], off.env)).toMatchObject({
    code: 1, stderr: 'cairn: the server offers no HTTP data path (its HTTP listener is off): use --transport grpc or auto\n',
  });
});
