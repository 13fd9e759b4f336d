import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMaterialKind, MaterialKind } from './materials';

/** The file `cairn attestation init` creates in the working directory. */
export const STATE_FILE = '.cairn-attestation.json';
const STATE_VERSION = 1;
const LOCK_WAIT_MS = 15_000;

/** Where a material's bytes live: embedded in the attestation, or in the CAS on a named backend. */
export type MaterialStorage =
  | { readonly kind: 'inline'; readonly content: string /* base64 */ }
  | { readonly kind: 'cas'; readonly backend: string; readonly provider: string };

export interface MaterialRecord {
  readonly name: string;
  readonly kind: MaterialKind;
  readonly mediaType: string;
  readonly hex: string;
  readonly size: number;
  /** The file's base name; empty for string materials. */
  readonly filename: string;
  readonly storage: MaterialStorage;
  readonly addedAt: string;
}

export interface AttestationState {
  readonly version: typeof STATE_VERSION;
  readonly name: string;
  readonly startedAt: string;
  readonly materials: readonly MaterialRecord[];
}

export class StateError extends Error {
  override readonly name = 'StateError';
}

export function newState(name: string, now = new Date()): AttestationState {
  return { version: STATE_VERSION, name, startedAt: now.toISOString(), materials: [] };
}

/** Reads the state file, saying what to run when there is none or it is not ours. */
export async function readState(path: string): Promise<AttestationState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StateError(`no attestation in progress (${path} does not exist): run 'cairn attestation init' first`);
    throw new StateError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let s: Partial<AttestationState>;
  try {
    s = JSON.parse(text) as Partial<AttestationState>;
  } catch {
    throw new StateError(`${path} is not valid JSON: remove it and run 'cairn attestation init' again`);
  }
  if (s.version !== STATE_VERSION || typeof s.name !== 'string' || !Array.isArray(s.materials)) {
    throw new StateError(`${path} is not a cairn attestation state file (version ${STATE_VERSION})`);
  }
  for (const m of s.materials) {
    if (!m || typeof m.name !== 'string' || !isMaterialKind(m.kind) || !/^[0-9a-f]{64}$/.test(m.hex)) throw new StateError(`${path} holds a malformed material entry`);
  }
  return s as AttestationState;
}

export async function writeState(path: string, state: AttestationState): Promise<void> {
  await writeAtomically(path, JSON.stringify(state, null, 2) + '\n');
}

/** A temp file next to `path`, then rename: readers see the old file or the new one, never half. */
export async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Read-modify-write under an exclusive lock file, so parallel `attestation add` calls in one job
 * do not lose each other's materials. The wait is bounded; a lock left by a killed process is
 * named in the error.
 */
export async function updateState(path: string, change: (s: AttestationState) => AttestationState): Promise<AttestationState> {
  const lock = `${resolve(path)}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new StateError(`${lock} is held by another cairn process; if none is running, remove it`);
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
  try {
    const next = change(await readState(path));
    await writeState(path, next);
    return next;
  } finally {
    await rm(lock, { force: true });
  }
}

export async function removeState(path: string): Promise<void> {
  await rm(path, { force: true });
}
