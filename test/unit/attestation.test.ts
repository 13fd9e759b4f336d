import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMaterial, MaterialKind, MEDIA_TYPES } from '../../src/attestation/materials';
import { IN_TOTO_PAYLOAD_TYPE, keyIdOf, pae, signEnvelope, verifyEnvelope } from '../../src/attestation/dsse';
import { buildStatement, parseStatement, STATEMENT_TYPE } from '../../src/attestation/statement';
import { loadSigningKey, loadVerifyingKey } from '../../src/attestation/keys';
import { MaterialRecord, newState } from '../../src/attestation/state';

test('PAE matches the DSSE specification test vector', () => {
  expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  // lengths are bytes, not characters
  expect(pae('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é');
});

describe.each([
  ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['Ed25519', () => generateKeyPairSync('ed25519')],
])('DSSE with %s', (_name, keys) => {
  const { privateKey, publicKey } = keys();
  const payload = Buffer.from(JSON.stringify({ _type: STATEMENT_TYPE }));

  test('sign, then verify returns exactly the signed bytes', () => {
    const env = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, privateKey);
    expect(env.signatures[0]!.keyid).toBe(keyIdOf(publicKey));
    expect(verifyEnvelope(env, publicKey).payload.equals(payload)).toBe(true);
  });

  test('a changed payload, payload type or signature, or another key, does not verify', () => {
    const env = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, privateKey);
    const other = keys().publicKey;
    expect(() => verifyEnvelope({ ...env, payload: Buffer.from('{"x":1}').toString('base64') }, publicKey)).toThrow('no signature in the envelope verifies');
    expect(() => verifyEnvelope({ ...env, payloadType: 'application/json' }, publicKey)).toThrow('no signature in the envelope verifies');
    expect(() => verifyEnvelope({ ...env, signatures: [{ keyid: '', sig: Buffer.alloc(64).toString('base64') }] }, publicKey)).toThrow('no signature');
    expect(() => verifyEnvelope(env, other)).toThrow('no signature in the envelope verifies');
  });
});

test('malformed envelopes and unsupported keys are named as such', () => {
  const { publicKey } = generateKeyPairSync('ed25519');
  expect(() => verifyEnvelope(null, publicKey)).toThrow('malformed DSSE envelope');
  expect(() => verifyEnvelope({ payloadType: 'x', payload: 'aGk=' }, publicKey)).toThrow('malformed DSSE envelope');
  expect(() => verifyEnvelope({ payloadType: 'x', payload: 'aGk=', signatures: [] }, publicKey)).toThrow('carries no signature');
  expect(() => verifyEnvelope({ payloadType: 'x', payload: '%%%', signatures: [{ sig: '' }] }, publicKey)).toThrow('not base64');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  expect(() => signEnvelope(Buffer.from('x'), 'x', rsa.privateKey)).toThrow('want an ECDSA P-256 or Ed25519 key');
});

test('statements are checked for type, subjects, predicate type and materials', () => {
  const state = { ...newState('build'), materials: [material('app', 'artifact'), material('log', 'string')] };
  const good = buildStatement(state);
  const parse = (x: unknown) => parseStatement(Buffer.from(JSON.stringify(x)));
  expect(parse(good).predicate.name).toBe('build');
  expect(good.subject).toEqual([{ name: 'app', digest: { sha256: 'a'.repeat(64) } }]);
  expect(() => parseStatement(Buffer.from('nope'))).toThrow('not JSON');
  expect(() => parse({ ...good, _type: 'x' })).toThrow('not an in-toto Statement v1');
  expect(() => parse({ ...good, subject: [] })).toThrow('has no subject');
  expect(() => parse({ ...good, predicate: {} })).toThrow('lists no materials');
  expect(() => parse({ ...good, predicate: { ...good.predicate, materials: [{ name: 'x', digest: { sha256: 'short' } }] } })).toThrow('material #1 is malformed');
  const [first] = good.predicate.materials;
  expect(() => parse({ ...good, predicate: { ...good.predicate, materials: [{ ...first, annotations: { 'cairn.kind': 'bogus' } }] } })).toThrow('unknown kind');
  expect(() => parse({ ...good, predicate: { ...good.predicate, materials: [{ ...first, content: '%%' }] } })).toThrow('content is not base64');
  // in-toto requires a subject: a statement with no artifact is refused before signing, with advice.
  expect(() => buildStatement({ ...state, materials: [material('log', 'string')] })).toThrow("add the artifact it is about with 'cairn attestation add --kind artifact");
});

function material(name: string, kind: MaterialKind): MaterialRecord {
  const hex = (kind === 'artifact' ? 'a' : 'b').repeat(64);
  const storage = kind === 'string' ? { kind: 'inline' as const, content: 'aGk=' } : { kind: 'cas' as const, backend: 'local', provider: 'local' };
  return { name, kind, mediaType: MEDIA_TYPES[kind], hex, size: 2, filename: '', storage, addedAt: '' };
}

test('signing keys: PKCS#8 and SEC1 PEM load; encrypted keys need the passphrase; RSA and garbage are refused by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-keys-'));
  try {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const files = {
      sec1: ec.privateKey.export({ type: 'sec1', format: 'pem' }),
      encrypted: ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
      rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }),
      garbage: 'not a key',
      pub: ec.publicKey.export({ type: 'spki', format: 'pem' }),
    };
    const at = (n: keyof typeof files) => join(dir, n);
    for (const [n, body] of Object.entries(files)) writeFileSync(join(dir, n), body);
    expect(keyIdOf(await loadSigningKey(at('sec1'), ''))).toBe(keyIdOf(ec.publicKey));
    await expect(loadSigningKey(at('encrypted'), '')).rejects.toThrow('is encrypted and no passphrase was given: set CAIRN_SIGNING_KEY_PASSWORD');
    await expect(loadSigningKey(at('encrypted'), 'wrong')).rejects.toThrow('the passphrase is wrong');
    expect(keyIdOf(await loadSigningKey(at('encrypted'), 'pw'))).toBe(keyIdOf(ec.publicKey));
    await expect(loadSigningKey(at('rsa'), '')).rejects.toThrow('want an ECDSA P-256 or Ed25519 key, got rsa');
    await expect(loadSigningKey(at('garbage'), '')).rejects.toThrow('is not a PEM private key');
    await expect(loadSigningKey(join(dir, 'absent'), '')).rejects.toThrow('cannot read key file');
    await expect(loadVerifyingKey(at('p384'))).rejects.toThrow('want an ECDSA P-256 or Ed25519 key');
    expect(keyIdOf(await loadVerifyingKey(at('pub')))).toBe(keyIdOf(ec.publicKey));
    expect(keyIdOf(await loadVerifyingKey(at('sec1')))).toBe(keyIdOf(ec.publicKey));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('material kinds are recognised and checked to parse', () => {
  expect(() => checkMaterial('sbom-cyclonedx', Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] })))).not.toThrow();
  expect(() => checkMaterial('sbom-cyclonedx', Buffer.from('{"spdxVersion":"SPDX-2.3"}'))).toThrow('not a CycloneDX JSON SBOM');
  expect(() => checkMaterial('sbom-spdx', Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT' })))).not.toThrow();
  expect(() => checkMaterial('sbom-spdx', Buffer.from('not json'))).toThrow('does not parse as a JSON object');
  expect(() => checkMaterial('junit', Buffer.from('<?xml version="1.0"?>\n<testsuites><testsuite name="a"/></testsuites>'))).not.toThrow();
  expect(() => checkMaterial('junit', Buffer.from('<html></html>'))).toThrow('not a JUnit XML report');
  expect(() => checkMaterial('artifact', Buffer.from([0, 1, 2]))).not.toThrow();
});
