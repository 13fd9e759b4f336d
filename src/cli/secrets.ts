import { readFileSync } from 'node:fs';
import { CliError } from './common';

/** Reads all of standard input (for `--secret-stdin`), trimmed of the final newline. */
export function readStdin(): string {
  try {
    return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new CliError('could not read the secret from standard input');
  }
}

/**
 * A secret from, in order: its flag, `<flag>-file <path>`, the environment variable, or stdin
 * when `--secret-stdin` names this one. The flag works but lands in shell history; the others don't.
 */
export function secretFrom(opts: Record<string, unknown>, key: string, env: string, stdinKey: string | undefined): string | undefined {
  const direct = opts[key];
  if (typeof direct === 'string' && direct) return direct;
  const file = opts[`${key}File`];
  if (typeof file === 'string' && file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  if (process.env[env]) return process.env[env];
  if (stdinKey === key) return readStdin();
  return undefined;
}
