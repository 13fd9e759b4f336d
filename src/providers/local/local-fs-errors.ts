import { CasError } from '../../domain/errors';

/** Turns a node:fs error into the domain error, naming the operation but never a client string. */
export function fsError(op: string, e: unknown): CasError {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return new CasError('NOT_FOUND', `local backend: ${op}: no such blob`, { cause: e });
    case 'ENOSPC':
    case 'EDQUOT':
      return new CasError('UNAVAILABLE', `local backend: ${op}: no space left on the data volume`, { cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CasError('UNAVAILABLE', `local backend: ${op}: the data directory is not writable`, { cause: e });
    case 'ABORT_ERR':
      return new CasError('CANCELLED', `local backend: ${op}: cancelled`, { cause: e });
    default:
      return new CasError('INTERNAL', `local backend: ${op} failed`, { cause: e });
  }
}
