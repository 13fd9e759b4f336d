import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CasError } from '../domain/errors';
import { Caller, isRole, Role } from '../domain/model';
import { Store } from '../store';

const PREFIX = 'cairn_v1';

/** The query parameters of a signed download link. */
export interface LinkParams {
  readonly org: string;
  readonly tid: string;
  /** expiry, seconds since the epoch */
  readonly exp: string;
  readonly sig: string;
}
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

  /**
   * The caller behind an `Authorization: Bearer <token>` value, for either transport; `where`
   * names the carrier ("metadata" or "header") in the error.
   */
  fromAuthorization(value: string | undefined, where: string): Caller {
    if (value === undefined) throw unauthenticated(`missing authorization ${where}: send "authorization: Bearer <token>"`);
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    if (!match) throw unauthenticated(`authorization ${where} must be "Bearer <token>"`);
    return this.verify(match[1]!);
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

  /**
   * A download link's query parameters: bound to one organisation, one blob and an expiry, and
   * to the token that asked for it (revoking that token kills its links). Signed with a key
   * derived for links alone, so a link signature can never pass as a token signature.
   */
  signLink(caller: Caller, hex: string, ttlMs: number, now = Date.now()): { params: LinkParams; expiresAt: Date } {
    const token = this.store.tokens.byId(caller.tokenId);
    const cap = token ? token.expiresAt.getTime() : now + ttlMs;
    const exp = Math.floor(Math.min(now + ttlMs, cap) / 1000);
    const params = { org: caller.orgId, tid: caller.tokenId, exp: String(exp), sig: this.linkSignature(caller.orgId, caller.tokenId, hex, exp) };
    return { params, expiresAt: new Date(exp * 1000) };
  }

  /** The read-only caller a download link stands for, for exactly the blob it names; PERMISSION_DENIED otherwise. */
  verifyLink(hex: string, p: Partial<LinkParams>, now = Date.now()): Caller {
    if (!p.org || !p.tid || !p.exp || !p.sig || !/^\d{1,12}$/.test(p.exp)) throw new CasError('PERMISSION_DENIED', 'incomplete download link: want org, tid, exp and sig');
    const given = Buffer.from(p.sig, 'base64url');
    const want = Buffer.from(this.linkSignature(p.org, p.tid, hex, Number(p.exp)), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new CasError('PERMISSION_DENIED', 'download link signature does not match: it was altered, or it is for another blob');
    }
    if (Number(p.exp) * 1000 <= now) throw new CasError('PERMISSION_DENIED', `download link expired at ${new Date(Number(p.exp) * 1000).toISOString()}`);
    const token = this.store.tokens.byId(p.tid);
    if (!token || token.orgId !== p.org || token.revokedAt || token.expiresAt.getTime() <= now) {
      throw new CasError('PERMISSION_DENIED', 'the token that signed this download link is no longer valid');
    }
    return { orgId: p.org, role: 'downloader', tokenId: p.tid };
  }

  private linkSignature(orgId: string, tokenId: string, hex: string, exp: number): string {
    this.linkKey ??= createHmac('sha256', this.key).update('cairn download-link key v1').digest();
    return createHmac('sha256', this.linkKey).update(`cairn-link-v1\n${orgId}\n${tokenId}\n${hex}\n${exp}`).digest('base64url');
  }

  private linkKey: Buffer | undefined;

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
