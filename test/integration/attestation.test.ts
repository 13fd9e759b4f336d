import { createHash, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '../../src/attestation/dsse';
import { buildStatement, Statement } from '../../src/attestation/statement';
import { newState } from '../../src/attestation/state';
import { assertBuilt, CliResult, runCli, ServerProcess, startServerProcess } from '../helpers/cli';
import { S3RVER_KEY, S3rverServer } from '../servers/s3rver';

const s3 = new S3rverServer('attest-evidence');
let dir: string;
let server: ServerProcess;
let env: Record<string, string>;
const keys: Record<'ed' | 'ec' | 'other', { priv: string; pub: string; object: KeyObject }> = {} as never;
const PASSPHRASE = 'att-pass-93e1';

const CYCLONEDX = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'left-pad', version: '1.3.0' }] });
const SPDX = JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', packages: [] });
const JUNIT = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="2" failures="0"><testsuite name="unit" tests="2"/></testsuites>\n';

beforeAll(async () => {
  assertBuilt();
  await s3.start();
  dir = mkdtempSync(join(tmpdir(), 'cairn-attest-'));
  server = await startServerProcess(join(dir, 'data'));
  env = { CAIRN_SERVER: server.address, CAIRN_TOKEN: readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim() };
  const write = (name: string, pair: { privateKey: KeyObject; publicKey: KeyObject }, passphrase?: string) => {
    const priv = join(dir, `${name}.pem`);
    const pub = join(dir, `${name}.pub`);
    const pem = passphrase
      ? pair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
      : pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(priv, pem);
    writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    keys[name as 'ed'] = { priv, pub, object: pair.privateKey };
  };
  write('ed', generateKeyPairSync('ed25519'));
  write('ec', generateKeyPairSync('ec', { namedCurve: 'P-256' }), PASSPHRASE);
  write('other', generateKeyPairSync('ed25519'));
});

afterAll(async () => {
  if (server) await server.stop();
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh working directory with evidence files in it. */
function workspace(name: string, artifactBytes = 1_500_000): { cwd: string; artifact: Buffer } {
  const cwd = join(dir, name);
  mkdirSync(cwd);
  const artifact = randomBytes(artifactBytes);
  writeFileSync(join(cwd, 'app.tar.gz'), artifact);
  writeFileSync(join(cwd, 'sbom.cdx.json'), CYCLONEDX);
  writeFileSync(join(cwd, 'sbom.spdx.json'), SPDX);
  writeFileSync(join(cwd, 'junit.xml'), JUNIT);
  return { cwd, artifact };
}

const att = (cwd: string, args: string[], extraEnv: Record<string, string> = env): Promise<CliResult> => runCli(['attestation', ...args], extraEnv, undefined, cwd);
const cli = (args: string[]): Promise<CliResult> => runCli(args, env);
const ok = async (p: Promise<CliResult>): Promise<CliResult> => {
  const r = await p;
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
};
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Adds all five kinds, pushes with `key` and returns the push output and the envelope file. */
async function collectAndPush(cwd: string, name: string, key: 'ed' | 'ec', pushEnv = env): Promise<{ push: CliResult; file: string; digest: string }> {
  await ok(att(cwd, ['init', '--force', '--name', name]));
  await ok(att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'app.tar.gz']));
  await ok(att(cwd, ['add', '--name', 'sbom', '--kind', 'sbom-cyclonedx', '--value', 'sbom.cdx.json']));
  await ok(att(cwd, ['add', '--name', 'spdx', '--kind', 'sbom-spdx', '--value', 'sbom.spdx.json']));
  await ok(att(cwd, ['add', '--name', 'tests', '--kind', 'junit', '--value', 'junit.xml']));
  await ok(att(cwd, ['add', '--name', 'commit', '--kind', 'string', '--value', 'a1b2c3d4']));
  const push = await ok(att(cwd, ['push', '--key', keys[key].priv], pushEnv));
  const digest = /envelope (sha256:[0-9a-f]{64})/.exec(push.stdout)![1]!;
  return { push, file: join(cwd, `${name}.intoto.json`), digest };
}

function statementOf(file: string): Statement {
  const env = JSON.parse(readFileSync(file, 'utf8')) as { payload: string };
  return JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as Statement;
}

function materialLines(out: string): Record<string, string> {
  const lines = out.split('\n').filter((l) => /^(ok|MISSING|TAMPERED|ERROR)\s/.test(l));
  return Object.fromEntries(lines.map((l) => [l.split(/\s+/)[1]!, l.split(/\s+/)[0]!]));
}

async function localBlobPath(h: string): Promise<string> {
  const list = JSON.parse((await ok(cli(['cas-backend', 'list', '--output', 'json']))).stdout) as { name: string; location: string }[];
  return join(list.find((b) => b.name === 'local')!.location, 'sha256', h.slice(0, 2), h);
}

test('local backend: init, add every kind, status, push (Ed25519), verify by file and by digest', async () => {
  const { cwd, artifact } = workspace('local');
  expect(await att(cwd, ['add', '--name', 'x', '--kind', 'string', '--value', 'y'])).toMatchObject({ code: 1, stderr: expect.stringContaining("run 'cairn attestation init' first") });
  await ok(att(cwd, ['init', '--name', 'build-42']));
  expect(await att(cwd, ['init'])).toMatchObject({ code: 1, stderr: expect.stringContaining('already in progress') });
  await ok(att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'app.tar.gz']));
  await ok(att(cwd, ['add', '--name', 'sbom', '--kind', 'sbom-cyclonedx', '--value', 'sbom.cdx.json']));
  await ok(att(cwd, ['add', '--name', 'spdx', '--kind', 'sbom-spdx', '--value', 'sbom.spdx.json']));
  await ok(att(cwd, ['add', '--name', 'tests', '--kind', 'junit', '--value', 'junit.xml']));
  const str = await ok(att(cwd, ['add', '--name', 'commit', '--kind', 'string', '--value', 'a1b2c3d4']));
  expect(str.stdout).toContain('embedded inline');
  // Wrong kinds, duplicate names and missing files are refused and add nothing.
  expect(await att(cwd, ['add', '--name', 'bad', '--kind', 'sbom-spdx', '--value', 'junit.xml'])).toMatchObject({ code: 1, stderr: 'cairn: junit.xml: not an SPDX SBOM: the file does not parse as a JSON object\n' });
  expect(await att(cwd, ['add', '--name', 'bad', '--kind', 'junit', '--value', 'sbom.cdx.json'])).toMatchObject({ code: 1, stderr: expect.stringContaining('not a JUnit XML report') });
  expect(await att(cwd, ['add', '--name', 'bad', '--kind', 'sbom-cyclonedx', '--value', 'sbom.spdx.json'])).toMatchObject({ code: 1, stderr: expect.stringContaining('not a CycloneDX JSON SBOM') });
  expect(await att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'junit.xml'])).toMatchObject({ code: 1, stderr: expect.stringContaining('already added') });
  expect(await att(cwd, ['add', '--name', 'gone', '--kind', 'artifact', '--value', 'nope.bin'])).toMatchObject({ code: 1, stderr: expect.stringContaining('nope.bin: not a readable file') });

  const status = await ok(att(cwd, ['status']));
  expect(status.stdout).toContain('attestation "build-42"');
  expect(status.stdout).toContain('5 material(s), 1 subject(s)');
  expect(status.stdout).toMatch(/app\s+artifact\s+yes\s+1\.4 MiB\s+sha256:\w{12}…\s+local \(local\)/);
  expect(status.stdout).toMatch(/commit\s+string\s+8 B\s+sha256:\w{12}…\s+inline/);
  const statusJson = JSON.parse((await ok(att(cwd, ['status', '--output', 'json']))).stdout) as { materials: { name: string; digest: string }[] };
  expect(statusJson.materials.map((m) => m.name)).toEqual(['app', 'sbom', 'spdx', 'tests', 'commit']);

  const push = await ok(att(cwd, ['push', '--key', keys.ed.priv]));
  const digest = /envelope (sha256:[0-9a-f]{64}) stored on local \(local\)/.exec(push.stdout)![1]!;
  const file = join(cwd, 'build-42.intoto.json');
  expect(push.stdout).toContain('saved to build-42.intoto.json');
  expect(`sha256:${hex(readFileSync(file))}`).toBe(digest);
  expect(existsSync(join(cwd, '.cairn-attestation.json'))).toBe(false);

  // The statement: the artifact is the subject; each material names its digest, media type and backend.
  const envelope = JSON.parse(readFileSync(file, 'utf8')) as { payloadType: string; signatures: unknown[] };
  expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
  const st = statementOf(file);
  expect(st.subject).toEqual([{ name: 'app', digest: { sha256: hex(artifact) } }]);
  const byName = Object.fromEntries(st.predicate.materials.map((m) => [m.name, m]));
  expect(byName.sbom).toMatchObject({
    digest: { sha256: hex(CYCLONEDX) }, mediaType: 'application/vnd.cyclonedx+json',
    annotations: { 'cairn.kind': 'sbom-cyclonedx', 'cairn.backend.name': 'local', 'cairn.backend.provider': 'local', 'cairn.size': String(CYCLONEDX.length) },
  });
  expect(byName.sbom!.content).toBeUndefined();
  expect(byName.spdx!.mediaType).toBe('application/spdx+json');
  expect(byName.tests!.mediaType).toBe('application/xml');
  expect(byName.commit).toMatchObject({ content: Buffer.from('a1b2c3d4').toString('base64'), annotations: { 'cairn.backend.provider': 'inline' } });

  // The envelope itself is in the CAS, with the DSSE media type.
  const described = JSON.parse((await ok(cli(['artifact', 'describe', digest, '--output', 'json']))).stdout) as { mediaType: string; backend: string };
  expect(described).toMatchObject({ mediaType: 'application/vnd.dsse.envelope.v1+json', backend: 'local' });

  for (const source of [file, digest]) {
    const v = await att(cwd, ['verify', source, '--key', keys.ed.pub]);
    expect(v.code).toBe(0);
    expect(materialLines(v.stdout)).toEqual({ app: 'ok', sbom: 'ok', spdx: 'ok', tests: 'ok', commit: 'ok' });
    expect(v.stdout).toContain('verified: signature and all 5 material(s) ok');
  }
  // The private key works for verifying too (its public half is used).
  expect((await att(cwd, ['verify', file, '--key', keys.ed.priv])).code).toBe(0);
});

test('s3rver as the default backend, signed with an encrypted ECDSA P-256 key; a blob overwritten on S3 is TAMPERED', async () => {
  await ok(cli(['cas-backend', 'add', 'aws-s3', '--name', 's3', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--access-key-id', 'S3RVER', '--secret-access-key', 'S3RVER', '--prefix', 'att/', '--default', '--yes']));
  const { cwd } = workspace('s3');
  const withPass = { ...env, CAIRN_SIGNING_KEY_PASSWORD: PASSPHRASE };
  // Without the passphrase the key is refused, naming the variable.
  await ok(att(cwd, ['init', '--name', 'nopass']));
  await ok(att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'app.tar.gz']));
  expect(await att(cwd, ['push', '--key', keys.ec.priv])).toMatchObject({ code: 1, stderr: expect.stringContaining('CAIRN_SIGNING_KEY_PASSWORD') });
  const { push, file, digest } = await collectAndPush(cwd, 'release', 'ec', withPass); // init --force starts over
  expect(push.stdout).toContain('stored on s3 (aws-s3)');
  expect(push.stdout).toContain('(ecdsa-p256)');
  expect(statementOf(file).predicate.materials.filter((m) => m.annotations['cairn.backend.name'] === 's3').map((m) => m.name)).toEqual(['app', 'sbom', 'spdx', 'tests']);
  const good = await att(cwd, ['verify', digest, '--key', keys.ec.pub]);
  expect(good.code).toBe(0);
  expect(materialLines(good.stdout)).toEqual({ app: 'ok', sbom: 'ok', spdx: 'ok', tests: 'ok', commit: 'ok' });

  // Someone with bucket access rewrites the SBOM object in place.
  const s3client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3RVER_KEY });
  await s3client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `att/sha256/${hex(CYCLONEDX)}`, Body: CYCLONEDX.replace('1.3.0', '6.6.6') }));
  s3client.destroy();
  const bad = await att(cwd, ['verify', file, '--key', keys.ec.pub]);
  expect(bad.code).toBe(1);
  expect(materialLines(bad.stdout)).toEqual({ app: 'ok', sbom: 'TAMPERED', spdx: 'ok', tests: 'ok', commit: 'ok' });
  expect(bad.stdout).toContain('FAILED: 1 tampered of 5 material(s)');
  await ok(cli(['cas-backend', 'set-default', 'local', '--yes']));
});

test('a material whose backend was purged is MISSING, and push refuses evidence that is gone', async () => {
  await ok(cli(['cas-backend', 'add', 'aws-s3', '--name', 's3-tmp', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--access-key-id', 'S3RVER', '--secret-access-key', 'S3RVER', '--prefix', 'tmp/']));
  const { cwd } = workspace('missing');
  await ok(att(cwd, ['init', '--name', 'm']));
  await ok(att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'app.tar.gz']));
  const added = await ok(att(cwd, ['add', '--name', 'log', '--kind', 'artifact', '--value', 'junit.xml', '--backend', 's3-tmp']));
  expect(added.stdout).toContain('stored on s3-tmp (aws-s3)');
  await ok(att(cwd, ['push', '--key', keys.ed.priv, '--keep']));
  await ok(cli(['cas-backend', 'delete', 's3-tmp', '--purge', '--yes']));

  const v = await att(cwd, ['verify', 'm.intoto.json', '--key', keys.ed.pub]);
  expect(v.code).toBe(1);
  expect(materialLines(v.stdout)).toEqual({ app: 'ok', log: 'MISSING' });
  expect(v.stdout).toContain('FAILED: 1 missing of 2 material(s)');
  // --keep left the state: pushing it again now fails before signing anything new.
  const again = await att(cwd, ['push', '--key', keys.ed.priv, '--out', 'again.json']);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('s3-tmp');
  expect(existsSync(join(cwd, 'again.json'))).toBe(false);
});

test('inline default: small pieces are embedded, a large one is refused with advice, and verify needs no server', async () => {
  await ok(cli(['cas-backend', 'set-default', 'inline', '--yes']));
  try {
    const { cwd } = workspace('inline', 20_000);
    writeFileSync(join(cwd, 'big.bin'), randomBytes(600 * 1024));
    await ok(att(cwd, ['init', '--name', 'tiny']));
    expect((await ok(att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'app.tar.gz']))).stdout).toContain('embedded inline');
    expect((await ok(att(cwd, ['add', '--name', 'sbom', '--kind', 'sbom-cyclonedx', '--value', 'sbom.cdx.json']))).stdout).toContain('embedded inline');
    const big = await att(cwd, ['add', '--name', 'big', '--kind', 'artifact', '--value', 'big.bin']);
    expect(big.code).toBe(1);
    expect(big.stderr).toBe(
      "cairn: big.bin is 600.0 KiB, over the 500.0 KiB inline cap (the organisation's default backend is inline, so evidence is embedded in the attestation). " +
        "Store larger evidence in the CAS: add a backend with 'cairn cas-backend add aws-s3|azure-blob|oci …' and make it the default with 'cairn cas-backend set-default <name>', or pass --backend <name>\n",
    );
    expect(JSON.parse((await ok(att(cwd, ['status', '--output', 'json']))).stdout).materials).toHaveLength(2);

    const push = await ok(att(cwd, ['push', '--key', keys.ed.priv]));
    expect(push.stdout).toContain('NOT stored in the CAS: the default backend is inline');
    expect(push.stderr).toContain('the envelope is only in tiny.intoto.json');
    const st = statementOf(join(cwd, 'tiny.intoto.json'));
    expect(st.predicate.materials.every((m) => typeof m.content === 'string')).toBe(true);
    // Everything is in the envelope: verifying needs neither the server nor a token.
    const v = await att(cwd, ['verify', 'tiny.intoto.json', '--key', keys.ed.pub], { CAIRN_SERVER: '127.0.0.1:1' });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/ok\s+app\s+artifact\s+19\.5 KiB\s+sha256:\w{12}…\s+inline/);
  } finally {
    await ok(cli(['cas-backend', 'set-default', 'local', '--yes']));
  }
  // --inline on a stored default embeds too, and says to drop the flag when the piece is too large.
  const { cwd } = workspace('inline-flag', 1000);
  writeFileSync(join(cwd, 'big.bin'), randomBytes(600 * 1024));
  await ok(att(cwd, ['init']));
  expect((await ok(att(cwd, ['add', '--name', 'app', '--kind', 'artifact', '--value', 'app.tar.gz', '--inline']))).stdout).toContain('embedded inline');
  expect((await att(cwd, ['add', '--name', 'big', '--kind', 'artifact', '--value', 'big.bin', '--inline'])).stderr).toContain('drop --inline to store it in the CAS');
});

test('tampering is caught: bad signature, wrong key, malformed envelopes, corrupted stored blob, forged inline content', async () => {
  const { cwd } = workspace('tamper');
  const { file } = await collectAndPush(cwd, 'target', 'ed');
  const envelope = JSON.parse(readFileSync(file, 'utf8')) as { payload: string; payloadType: string; signatures: { keyid: string; sig: string }[] };
  const verify = (name: string, body: string | object, key = keys.ed.pub) => {
    writeFileSync(join(cwd, name), typeof body === 'string' ? body : JSON.stringify(body));
    return att(cwd, ['verify', name, '--key', key]);
  };

  // A statement edited after signing (the SBOM digest swapped for another) no longer verifies.
  const st = statementOf(file);
  const forged = { ...st, predicate: { ...st.predicate, materials: st.predicate.materials.map((m) => (m.name === 'sbom' ? { ...m, digest: { sha256: hex('other') } } : m)) } };
  const edited = await verify('edited.json', { ...envelope, payload: Buffer.from(JSON.stringify(forged)).toString('base64') });
  expect(edited).toMatchObject({ code: 1, stdout: 'FAILED: bad signature: no signature in the envelope verifies with this key\n' });
  const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
  sig[10]! ^= 0xff;
  expect((await verify('sig.json', { ...envelope, signatures: [{ ...envelope.signatures[0], sig: sig.toString('base64') }] })).stdout).toContain('bad signature');
  expect((await verify('type.json', { ...envelope, payloadType: 'text/plain' })).stdout).toContain('bad signature'); // the type is signed too
  expect(await att(cwd, ['verify', file, '--key', keys.other.pub])).toMatchObject({ code: 1, stdout: expect.stringContaining('bad signature') });

  // Malformed envelopes.
  expect(await verify('notjson.json', 'not json at all')).toMatchObject({ code: 1, stdout: 'FAILED: malformed envelope: not JSON\n' });
  expect(await verify('empty.json', {})).toMatchObject({ code: 1, stdout: expect.stringContaining('FAILED: malformed DSSE envelope') });
  expect(await verify('nosig.json', { ...envelope, signatures: [] })).toMatchObject({ code: 1, stdout: expect.stringContaining('carries no signature') });
  const notStatement = signEnvelope(Buffer.from('{"hello":"world"}'), IN_TOTO_PAYLOAD_TYPE, keys.ed.object);
  expect(await verify('hello.json', notStatement)).toMatchObject({ code: 1, stdout: expect.stringContaining('FAILED: malformed statement: not an in-toto Statement v1') });
  expect(await att(cwd, ['verify', 'no-such-file', '--key', keys.ed.pub])).toMatchObject({ code: 1, stderr: 'cairn: no-such-file is neither a file nor a sha256 digest\n' });

  // A byte flipped in the stored JUnit file on the local backend.
  const path = await localBlobPath(hex(JUNIT));
  chmodSync(path, 0o644);
  const bytes = readFileSync(path);
  bytes[5]! ^= 0x01;
  writeFileSync(path, bytes);
  const corrupted = await att(cwd, ['verify', file, '--key', keys.ed.pub]);
  expect(corrupted.code).toBe(1);
  expect(materialLines(corrupted.stdout)).toEqual({ app: 'ok', sbom: 'ok', spdx: 'ok', tests: 'TAMPERED', commit: 'ok' });
  expect(corrupted.stdout).toMatch(/TAMPERED\s+tests.*the stored bytes no longer match/);

  // Inline content that does not hash to its digest, signed by the holder of the key: the verifier re-hashes it.
  const state = {
    ...newState('forged'),
    materials: [{ name: 'app', kind: 'artifact' as const, mediaType: 'application/octet-stream', hex: hex('real'), size: 4, filename: 'app', storage: { kind: 'inline' as const, content: Buffer.from('fake').toString('base64') }, addedAt: '' }],
  };
  const signed = signEnvelope(Buffer.from(JSON.stringify(buildStatement(state))), IN_TOTO_PAYLOAD_TYPE, keys.ed.object);
  const inlineForged = await verify('inline.json', signed);
  expect(inlineForged.code).toBe(1);
  expect(materialLines(inlineForged.stdout)).toEqual({ app: 'TAMPERED' });
  expect(inlineForged.stdout).toContain(`the embedded bytes hash to sha256:${hex('fake')}`);
});

test('parallel adds in one job all land in the state file', async () => {
  const { cwd } = workspace('parallel', 10);
  await ok(att(cwd, ['init']));
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => att(cwd, ['add', '--name', `s${i}`, '--kind', 'string', '--value', `value ${i}`], {})));
  expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
  const state = JSON.parse(readFileSync(join(cwd, '.cairn-attestation.json'), 'utf8')) as { materials: { name: string }[] };
  expect(state.materials.map((m) => m.name).sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
  expect(existsSync(join(cwd, '.cairn-attestation.json.lock'))).toBe(false);
  expect(await att(cwd, ['push', '--key', keys.ed.priv], {})).toMatchObject({ code: 1, stderr: expect.stringContaining('names no subject') });
});
