import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { digestOf } from '../helpers/bytes';
import { assertBuilt, runCli, ServerProcess, startServerProcess } from '../helpers/cli';

let dir: string;
let server: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-'));
  server = await startServerProcess(join(dir, 'data'));
  env = { CAIRN_SERVER: server.address, CAIRN_TOKEN: readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim() };
});

afterAll(async () => {
  if (server) expect(await server.stop('SIGTERM')).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

test('the server banner says where the admin token is and how to upload a first file', () => {
  expect(server.banner).toContain(`created organisation "default" and its admin token: ${join(dir, 'data', 'admin.token')} (mode 0600)`);
  expect(server.banner).toContain('artifact upload README.md');
  expect(statSync(join(dir, 'data', 'admin.token')).mode & 0o777).toBe(0o600);
});

test('upload prints the digest; describe and download round-trip the file, verified', async () => {
  const bytes = randomBytes(2_500_000);
  const file = join(dir, 'sbom.cdx.json');
  writeFileSync(file, bytes);
  const up = await runCli(['artifact', 'upload', file], env);
  expect(up).toMatchObject({ code: 0, stdout: `sha256:${digestOf(bytes).hex}\n` });

  const described = await runCli(['artifact', 'describe', up.stdout.trim(), '--output', 'json'], env);
  expect(JSON.parse(described.stdout)).toMatchObject({
    digest: up.stdout.trim(), size: bytes.length, filename: 'sbom.cdx.json', mediaType: 'application/vnd.cyclonedx+json', backend: 'local',
  });

  const out = join(dir, 'out');
  mkdirSync(out);
  const down = await runCli(['artifact', 'download', up.stdout.trim(), '-o', out], env);
  expect(down.code).toBe(0);
  expect(readFileSync(join(out, 'sbom.cdx.json')).equals(bytes)).toBe(true);
  expect(readdirSync(out)).toEqual(['sbom.cdx.json']); // no temp files left
});

test('upload --output json', async () => {
  const file = join(dir, 'junit.xml');
  writeFileSync(file, '<testsuites/>');
  const up = await runCli(['artifact', 'upload', file, '--output', 'json'], env);
  expect(up.code).toBe(0);
  expect(JSON.parse(up.stdout)).toEqual({ digest: `sha256:${digestOf(Buffer.from('<testsuites/>')).hex}`, size: 13, filename: 'junit.xml' });
});

test('a hostile reported file name cannot lead a download outside the chosen directory', async () => {
  const file = join(dir, 'payload');
  writeFileSync(file, 'owned?');
  const up = await runCli(['artifact', 'upload', file, '--name', '../../escaped.txt'], env);
  expect(up.code).toBe(0);
  const out = join(dir, 'safe');
  mkdirSync(out);
  expect((await runCli(['artifact', 'download', up.stdout.trim(), '-o', out], env)).code).toBe(0);
  expect(readdirSync(out)).toEqual(['escaped.txt']);
  expect(readdirSync(dir)).not.toContain('escaped.txt');
});

test('download to an explicit file path', async () => {
  const file = join(dir, 'log.txt');
  writeFileSync(file, 'runner log');
  const up = await runCli(['artifact', 'upload', file], env);
  const target = join(dir, 'renamed.log');
  expect((await runCli(['artifact', 'download', up.stdout.trim(), '-o', target], env)).code).toBe(0);
  expect(readFileSync(target, 'utf8')).toBe('runner log');
});

test('token create, use and revoke', async () => {
  const created = await runCli(['token', 'create', '--role', 'downloader', '--ttl', '1h', '--output', 'json'], env);
  expect(created.code).toBe(0);
  const { token, id, role } = JSON.parse(created.stdout) as { token: string; id: string; role: string };
  expect(role).toBe('downloader');
  const file = join(dir, 'x.txt');
  writeFileSync(file, 'x');
  const denied = await runCli(['artifact', 'upload', file], { ...env, CAIRN_TOKEN: token });
  expect(denied).toMatchObject({ code: 1, stderr: 'cairn: writing blobs needs the uploader role; this token has downloader\n' });
  expect((await runCli(['token', 'revoke', id], env)).stdout).toBe(`revoked ${id}\n`);
  const after = await runCli(['artifact', 'describe', `sha256:${digestOf(Buffer.from('x')).hex}`], { ...env, CAIRN_TOKEN: token });
  expect(after).toMatchObject({ code: 1, stderr: 'cairn: token revoked\n' });
});

test('errors are one clear line with a non-zero exit', async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [['artifact', 'describe', 'nothex'], env, 'cairn: invalid sha256 digest "nothex": want 64 lower-case hex characters\n'],
    [['artifact', 'describe', `sha256:${'0'.repeat(64)}`], env, `cairn: blob sha256:${'0'.repeat(64)} not found\n`],
    [['artifact', 'upload', join(dir, 'missing')], env, `cairn: ${join(dir, 'missing')}: not a readable file\n`],
    [['artifact', 'describe', 'x'], { CAIRN_SERVER: server.address }, 'cairn: no token: set CAIRN_TOKEN or pass --token (the admin token is in <data dir>/admin.token)\n'],
    [['artifact', 'describe', `${'0'.repeat(64)}`], { ...env, CAIRN_TOKEN: 'garbage' }, 'cairn: malformed token\n'],
  ];
  for (const [args, e, stderr] of cases) expect(await runCli(args, e)).toMatchObject({ code: 1, stdout: '', stderr });
});

test('a bad server setting stops start-up with a message naming it', async () => {
  const r = await runCli(['server', '--listen', 'nowhere', '--data-dir', join(dir, 'd2')]);
  expect(r).toMatchObject({ code: 1, stderr: 'cairn: listen address (--listen / CAIRN_LISTEN / listen in a config file): "nowhere" is not host:port\n' });
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'drainTimeout: forever\n');
  expect(await runCli(['server', '--config', file, '--data-dir', join(dir, 'd2')])).toMatchObject({
    code: 1, stderr: 'cairn: drain timeout (--drain-timeout / CAIRN_DRAIN_TIMEOUT / drainTimeout in a config file): "forever" is not a duration like 90s, 15m, 24h or 7d\n',
  });
});

test('server --print-config prints the effective configuration from file, environment and flags, secrets masked, and starts nothing', async () => {
  const file = join(dir, 'cairn.yaml');
  writeFileSync(file, `listen: 127.0.0.1:7000\ndataDir: ./from-file\nmasterKey: ${Buffer.alloc(32, 9).toString('base64')}\n`);
  const r = await runCli(['server', '--print-config', '--log-level', 'debug'], { CAIRN_CONFIG: file, CAIRN_HTTP_LISTEN: 'off' });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`listen: "127.0.0.1:7000"  # ${file}`);
  expect(r.stdout).toContain(`dataDir: "${join(dir, 'from-file')}"  # ${file}`);
  expect(r.stdout).toContain('httpListen: "off"  # env CAIRN_HTTP_LISTEN');
  expect(r.stdout).toContain('logLevel: "debug"  # flag --log-level');
  expect(r.stdout).toContain('masterKey: "[redacted]"');
  expect(r.stdout).not.toContain(Buffer.alloc(32, 9).toString('base64'));
  expect(existsSync(join(dir, 'from-file'))).toBe(false);
});

test('artifact url prints a signed link that downloads without a token', async () => {
  const file = join(dir, 'shared.txt');
  writeFileSync(file, 'for the browser');
  const up = await runCli(['artifact', 'upload', file], env);
  const link = await runCli(['artifact', 'url', up.stdout.trim(), '--ttl', '10m'], env);
  expect(link.code).toBe(0);
  expect(link.stderr).toMatch(/^valid until \d{4}-/);
  const res = await fetch(link.stdout.trim());
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="shared.txt"');
  expect(await res.text()).toBe('for the browser');
  expect(await runCli(['artifact', 'url', up.stdout.trim(), '--ttl', '30d'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('a link lives between 1 second and 168 hours') });
});
