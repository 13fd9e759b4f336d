import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { algorithmOf, DsseError } from './dsse';

/** The variable that holds the passphrase of an encrypted signing key (never a flag: flags reach shell history). */
export const KEY_PASSWORD_ENV = 'CAIRN_SIGNING_KEY_PASSWORD';

async function readPem(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new DsseError(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'key');
  }
}

/** A PEM private key (PKCS#8, SEC1 or OpenSSH-free PEM), ECDSA P-256 or Ed25519; encrypted keys take the passphrase from the environment. */
export async function loadSigningKey(path: string, passphrase = process.env[KEY_PASSWORD_ENV]): Promise<KeyObject> {
  const pem = await readPem(path);
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
  } catch (e) {
    // PKCS#8 says so in its label, traditional PEM in a Proc-Type header.
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem.toString('latin1'))) {
      throw new DsseError(`${path} is encrypted and ${passphrase ? 'the passphrase is wrong' : `no passphrase was given: set ${KEY_PASSWORD_ENV}`}`, 'key');
    }
    throw new DsseError(`${path} is not a PEM private key (want ECDSA P-256 or Ed25519, PKCS#8 or SEC1)`, 'key');
  }
  algorithmOf(key);
  return key;
}

/** A PEM public key, certificate or private key (its public half is used). */
export async function loadVerifyingKey(path: string): Promise<KeyObject> {
  const pem = await readPem(path);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new DsseError(`${path} is not a PEM public key, certificate or private key`, 'key');
  }
  algorithmOf(key);
  return key;
}
