import { CasError, notFound } from '../domain/errors';
import { Caller, Role, TokenRecord } from '../domain/model';
import { Store } from '../store';
import { requireRole } from './access';
import { TokenAuthority } from './token-authority';

export const DEFAULT_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const MAX_TOKEN_TTL_MS = 5 * 365 * 24 * 60 * 60 * 1000;

/** Token management for an organisation's admins. */
export class TokenService {
  constructor(
    private readonly store: Store,
    private readonly authority: TokenAuthority,
  ) {}

  create(caller: Caller, role: Role, ttlMs: number, description: string): { token: string; info: TokenRecord } {
    requireRole(caller, 'admin', 'creating tokens');
    const ttl = ttlMs === 0 ? DEFAULT_TOKEN_TTL_MS : ttlMs;
    if (!Number.isSafeInteger(ttl) || ttl < 1000 || ttl > MAX_TOKEN_TTL_MS) {
      throw new CasError('INVALID_ARGUMENT', `token ttl must be between 1 second and ${MAX_TOKEN_TTL_MS / 86_400_000} days`);
    }
    const { token, id } = this.authority.issue(caller.orgId, role, ttl, description.slice(0, 200));
    return { token, info: this.store.tokens.byId(id)! };
  }

  revoke(caller: Caller, id: string): TokenRecord {
    requireRole(caller, 'admin', 'revoking tokens');
    const t = this.store.tokens.byId(id);
    if (!t || t.orgId !== caller.orgId) throw notFound(`token ${JSON.stringify(id.slice(0, 64))} not found`);
    this.store.tokens.revoke(id, new Date());
    return this.store.tokens.byId(id)!;
  }

  list(caller: Caller): TokenRecord[] {
    requireRole(caller, 'admin', 'listing tokens');
    return this.store.tokens.listForOrg(caller.orgId);
  }
}
