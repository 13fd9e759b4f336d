import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, runCli, ServerProcess, startServerProcess } from '../helpers/cli';
import { S3rverServer } from '../servers/s3rver';

const SECRET = 'cli-secret-5d0c8a';
const s3 = new S3rverServer('cli-evidence');
let dir: string;
let server: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  await s3.start();
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-backend-'));
  server = await startServerProcess(join(dir, 'data'));
  env = { CAIRN_SERVER: server.address, CAIRN_TOKEN: readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim() };
  writeFileSync(join(dir, 'secret'), SECRET);
});
afterAll(async () => {
  if (server) await server.stop();
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

const s3Args = (name: string) => ['cas-backend', 'add', 'aws-s3', '--name', name, '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--access-key-id', 'S3RVER', '--prefix', name];

test('add from a secret file, from stdin and from the environment; list as a table and as JSON', async () => {
  expect(await runCli([...s3Args('s3-file'), '--secret-access-key-file', join(dir, 'secret')], env)).toMatchObject({ code: 0, stdout: `added s3-file (aws-s3, ${s3.bucket}): validated OK\n` });
  expect((await runCli([...s3Args('s3-stdin'), '--secret-stdin'], env, SECRET)).code).toBe(0);
  expect((await runCli(s3Args('s3-env'), { ...env, CAIRN_S3_SECRET_ACCESS_KEY: SECRET })).code).toBe(0);
  const table = await runCli(['cas-backend', 'list'], env);
  expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+PROVIDER\s+LOCATION\s+DEFAULT\s+STATUS\s+VALIDATED\s+LIMIT$/);
  expect(table.stdout).toMatch(/s3-file\s+aws-s3\s+cli-evidence\s+OK/);
  const json = JSON.parse((await runCli(['cas-backend', 'list', '--output', 'json'], env)).stdout) as { name: string }[];
  expect(json.map((b) => b.name).sort()).toEqual(['inline', 'local', 's3-env', 's3-file', 's3-stdin']);
});

test('default-changing and destructive commands need --yes without a terminal', async () => {
  const refused = await runCli(['cas-backend', 'set-default', 's3-file'], env);
  expect(refused).toMatchObject({ code: 1, stderr: 'cairn: make "s3-file" the default backend of your organisation? — refusing without --yes (standard input is not a terminal)\n' });
  expect((await runCli(['cas-backend', 'delete', 's3-env'], env)).code).toBe(1);
  expect(await runCli(['cas-backend', 'set-default', 's3-file', '--yes'], env)).toMatchObject({ code: 0, stdout: 's3-file is now the default (was local)\n' });
  expect(await runCli(['cas-backend', 'delete', 's3-file', '--yes'], env)).toMatchObject({ code: 0, stdout: 'deleted s3-file; inline is now the default\n' });
});

test('validate, update and clear errors', async () => {
  expect(await runCli(['cas-backend', 'validate', 's3-stdin'], env)).toMatchObject({ code: 0, stdout: 's3-stdin: OK\n' });
  expect(await runCli(['cas-backend', 'update', 'aws-s3', '--name', 's3-stdin', '--max-bytes', '1000'], env)).toMatchObject({ code: 0, stdout: 'updated s3-stdin\n' });
  const wrong = await runCli(['cas-backend', 'update', 'aws-s3', '--name', 's3-stdin', '--access-key-id', 'UNKNOWN', '--secret-access-key-file', join(dir, 'secret')], env);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain('failed validation');
  expect(await runCli(['cas-backend', 'validate', 'nope'], env)).toMatchObject({ code: 1, stderr: 'cairn: backend "nope" not found in your organisation\n' });
});

test('the secret is in no database file of the server', () => {
  for (const f of readdirSync(join(dir, 'data')).filter((n) => n.startsWith('cairn.db'))) {
    expect(readFileSync(join(dir, 'data', f)).includes(Buffer.from(SECRET))).toBe(false);
  }
});
