import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/** The payload type of an in-toto statement inside DSSE. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  readonly keyid: string;
  /** base64 */
  readonly sig: string;
}

export interface DsseEnvelope {
  readonly payloadType: string;
  /** base64 of the payload bytes */
  readonly payload: string;
  readonly signatures: readonly DsseSignature[];
}

/** `malformed`: not a DSSE envelope; `signature`: well-formed, but no signature verifies; `key`: an unusable key. */
export type DsseProblem = 'malformed' | 'signature' | 'key';

export class DsseError extends Error {
  override readonly name = 'DsseError';
  constructor(
    message: string,
    readonly problem: DsseProblem = 'malformed',
  ) {
    super(message);
  }
}

/**
 * DSSE's pre-authentication encoding (protocol.md): "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * lengths in bytes. Signatures cover this, so the payload type is bound inside the signed bytes.
 */
export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

/** ECDSA P-256 (SHA-256, DER signatures) or Ed25519: the two key types the CLI accepts. */
export function algorithmOf(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'sha256';
  throw new DsseError(`unsupported key: want an ECDSA P-256 or Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`, 'key');
}

/** A stable key id: SHA-256 of the public key's SPKI DER, hex. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function signEnvelope(payload: Buffer, payloadType: string, privateKey: KeyObject): DsseEnvelope {
  if (!payloadType) throw new DsseError('a DSSE payload type must not be empty');
  const sig = sign(algorithmOf(privateKey), pae(payloadType, payload), privateKey);
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: keyIdOf(privateKey), sig: sig.toString('base64') }] };
}

/**
 * Checks the envelope's shape and that one of its signatures verifies with `publicKey`, and
 * returns exactly the bytes that signature covered (verify, then read: no second decode).
 */
export function verifyEnvelope(envelope: unknown, publicKey: KeyObject): { payloadType: string; payload: Buffer } {
  const e = envelope as Partial<DsseEnvelope> | null;
  if (!e || typeof e !== 'object' || typeof e.payloadType !== 'string' || !e.payloadType || typeof e.payload !== 'string' || !Array.isArray(e.signatures)) {
    throw new DsseError('malformed DSSE envelope: want payloadType, payload and signatures');
  }
  if (e.signatures.length === 0) throw new DsseError('the envelope carries no signature', 'signature');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(e.payload)) throw new DsseError('malformed DSSE envelope: payload is not base64');
  const payload = Buffer.from(e.payload, 'base64');
  const preimage = pae(e.payloadType, payload);
  const alg = algorithmOf(publicKey);
  for (const s of e.signatures) {
    if (typeof s?.sig !== 'string') continue;
    if (verifies(alg, preimage, publicKey, Buffer.from(s.sig, 'base64'))) return { payloadType: e.payloadType, payload };
  }
  throw new DsseError('no signature in the envelope verifies with this key', 'signature');
}

/** A signature that is not even valid DER makes OpenSSL throw; for a verifier it is simply no match. */
function verifies(alg: string | null, data: Buffer, key: KeyObject, sig: Buffer): boolean {
  try {
    return verify(alg, data, key, sig);
  } catch {
    return false;
  }
}
