import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CasError } from '../domain/errors';
import { Caller, isRole, Role } from '../domain/model';
import { Store } from '../store';

const PREFIX = 'cairn_v1';
const unauthenticated = (why: string): CasError => new CasError('UNAUTHENTICATED', why);

interface Claims {
  /** token id */ t: string;
  /** organisation id */ o: string;
  /** role */ r: Role;
  /** expiry, seconds since the epoch */ e: number;
}

/**
 * Bearer tokens: `cairn_v1.<claims, base64url JSON>.<HMAC-SHA256 of both, base64url>`, signed
 * with a key kept outside the database. The database keeps only each token's id, role and
 * lifetime, so revocation is a row update and the bearer string is never stored.
 */
export class TokenAuthority {
  constructor(
    private readonly key: Buffer,
    private readonly store: Store,
  ) {
    if (key.length < 32) throw new Error('token signing key must be at least 32 bytes');
  }

  issue(orgId: string, role: Role, ttlMs: number, description = ''): { token: string; id: string; expiresAt: Date } {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const id = randomUUID();
    this.store.tokens.create({ id, orgId, role, description, createdAt: now, expiresAt });
    const claims: Claims = { t: id, o: orgId, r: role, e: Math.floor(expiresAt.getTime() / 1000) };
    const body = `${PREFIX}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return { token: `${body}.${this.sign(body)}`, id, expiresAt };
  }

  /** The caller a bearer token stands for; UNAUTHENTICATED for anything else. */
  verify(token: string, now = Date.now()): Caller {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) throw unauthenticated('malformed token');
    const body = `${parts[0]}.${parts[1]}`;
    const given = Buffer.from(parts[2]!, 'base64url');
    const want = Buffer.from(this.sign(body), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw unauthenticated('invalid token signature');
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Claims;
    } catch {
      throw unauthenticated('malformed token');
    }
    if (claims.e * 1000 <= now) throw unauthenticated('token expired');
    const record = this.store.tokens.byId(claims.t);
    if (!record || record.orgId !== claims.o || !isRole(claims.r) || record.role !== claims.r) throw unauthenticated('unknown token');
    if (record.revokedAt) throw unauthenticated('token revoked');
    return { orgId: record.orgId, role: record.role, tokenId: record.id };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
