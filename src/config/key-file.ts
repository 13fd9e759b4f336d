import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** Reads a 32-byte secret from `path`, creating it (mode 0600, never overwritten) on first start. */
export function loadOrCreateKey(path: string): Buffer {
  try {
    writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return loadKey(path);
}

/** Reads a 32-byte base64 secret that must already exist (an operator-supplied key file). */
export function loadKey(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`key file ${path} does not hold a base64 32-byte key`);
  return key;
}
