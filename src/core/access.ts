import { CasError } from '../domain/errors';
import { Caller, Role, roleAllows } from '../domain/model';

/** PERMISSION_DENIED unless the caller's role covers `need`. */
export function requireRole(caller: Caller, need: Role, action: string): void {
  if (!roleAllows(caller.role, need)) {
    throw new CasError('PERMISSION_DENIED', `${action} needs the ${need} role; this token has ${caller.role}`);
  }
}
