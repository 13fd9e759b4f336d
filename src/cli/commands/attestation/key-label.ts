import { KeyObject } from 'node:crypto';
import { keyIdOf } from '../../../attestation/dsse';

/** "key 1a2b3c4d5e6f7a8b (ed25519)": how the CLI names a signing or verifying key. */
export function keyLabel(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'ecdsa-p256';
  return `key ${keyIdOf(key).slice(0, 16)} (${type})`;
}
