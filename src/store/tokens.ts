import type { Statement } from 'better-sqlite3';
import { Role, TokenRecord } from '../domain/model';
import { Db, toDate } from './database';

interface TokenRow {
  id: string; org_id: string; role: string; description: string; created_at: number; expires_at: number; revoked_at: number | null;
}

const toToken = (r: TokenRow): TokenRecord => ({
  id: r.id, orgId: r.org_id, role: r.role as Role, description: r.description, createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at), revokedAt: toDate(r.revoked_at),
});

/** Token records. The bearer string itself is never stored: only its id, role and lifetime. */
export class TokenRepository {
  private readonly byIdStmt: Statement;

  constructor(private readonly db: Db) {
    this.byIdStmt = db.prepare(`SELECT * FROM tokens WHERE id = ?`);
  }

  create(t: Omit<TokenRecord, 'revokedAt'>): TokenRecord {
    this.db
      .prepare(`INSERT INTO tokens (id, org_id, role, description, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(t.id, t.orgId, t.role, t.description, t.createdAt.getTime(), t.expiresAt.getTime());
    return { ...t, revokedAt: null };
  }

  byId(id: string): TokenRecord | undefined {
    const r = this.byIdStmt.get(id) as TokenRow | undefined;
    return r && toToken(r);
  }

  listForOrg(orgId: string): TokenRecord[] {
    return (this.db.prepare(`SELECT * FROM tokens WHERE org_id = ? ORDER BY created_at`).all(orgId) as TokenRow[]).map(toToken);
  }

  revoke(id: string, at: Date): void {
    this.db.prepare(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(at.getTime(), id);
  }
}
