import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CasError } from '../domain/errors';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Backend credentials at rest: AES-256-GCM under a master key kept outside the database, with
 * the backend id bound as associated data, so a sealed blob copied to another backend's row does
 * not open. Layout: version (1 byte) | IV (12) | tag (16) | ciphertext of the JSON object.
 */
export class CredentialVault {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
  }

  seal(backendId: string, credentials: Record<string, string>): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(backendId));
    const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]);
  }

  open(backendId: string, sealed: Buffer): Record<string, string> {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw unreadable(backendId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(backendId));
      decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Record<string, string>;
    } catch (e) {
      throw unreadable(backendId, e);
    }
  }
}

function unreadable(backendId: string, cause?: unknown): CasError {
  return new CasError('INTERNAL', `the credentials of backend ${backendId} cannot be decrypted with this master key`, { cause });
}
