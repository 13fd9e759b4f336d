import { randomBytes } from 'node:crypto';
import { CredentialVault } from '../../src/core/credential-vault';

const creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-value-123' };

test('seals and opens credentials; the sealed bytes do not contain them', () => {
  const vault = new CredentialVault(randomBytes(32));
  const sealed = vault.seal('backend-a', creds);
  expect(sealed.includes(Buffer.from(creds.secretAccessKey))).toBe(false);
  expect(vault.open('backend-a', sealed)).toEqual(creds);
  expect(vault.seal('backend-a', creds).equals(sealed)).toBe(false); // a fresh IV every time
});

test('the backend id is bound: a sealed blob copied to another backend does not open', () => {
  const vault = new CredentialVault(randomBytes(32));
  expect(() => vault.open('backend-b', vault.seal('backend-a', creds))).toThrow('cannot be decrypted');
});

test('a flipped bit, another master key, or a foreign format is refused', () => {
  const vault = new CredentialVault(randomBytes(32));
  const sealed = vault.seal('backend-a', creds);
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 1] ^= 1;
  expect(() => vault.open('backend-a', flipped)).toThrow('cannot be decrypted');
  expect(() => new CredentialVault(randomBytes(32)).open('backend-a', sealed)).toThrow('cannot be decrypted');
  expect(() => vault.open('backend-a', Buffer.from('plain text'))).toThrow('cannot be decrypted');
  expect(() => new CredentialVault(randomBytes(16))).toThrow('32 bytes');
});
