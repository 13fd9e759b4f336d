import { generateKeyPairSync } from 'node:crypto';
import { checkMaterial } from '../../src/attestation/materials';
import { IN_TOTO_PAYLOAD_TYPE, keyIdOf, pae, signEnvelope, verifyEnvelope } from '../../src/attestation/dsse';
import { CAIRN_PREDICATE_TYPE, parseStatement, STATEMENT_TYPE } from '../../src/attestation/statement';

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
  const good = { _type: STATEMENT_TYPE, subject: [], predicateType: CAIRN_PREDICATE_TYPE, predicate: { name: 'build', materials: [] } };
  expect(parseStatement(Buffer.from(JSON.stringify(good))).predicate.name).toBe('build');
  expect(() => parseStatement(Buffer.from('nope'))).toThrow('not JSON');
  expect(() => parseStatement(Buffer.from(JSON.stringify({ ...good, _type: 'x' })))).toThrow('not an in-toto Statement v1');
  expect(() => parseStatement(Buffer.from(JSON.stringify({ ...good, predicate: {} })))).toThrow('lists no materials');
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
