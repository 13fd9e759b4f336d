import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { Backend, ValidationStatus } from '../domain/model';
import { ProviderId } from '../domain/ports';
import { Db, toDate } from './database';

interface BackendRow {
  id: string; org_id: string; name: string; provider: string; location: string; description: string;
  max_bytes: number | null; is_default: number; config: string; status: string; status_error: string;
  validated_at: number | null; created_at: number; updated_at: number; deleted_at: number | null;
}

function toBackend(r: BackendRow): Backend {
  return {
    id: r.id, orgId: r.org_id, name: r.name, provider: r.provider as ProviderId, location: r.location,
    description: r.description, maxBytes: r.max_bytes, isDefault: r.is_default === 1,
    status: r.status as ValidationStatus, statusError: r.status_error, validatedAt: toDate(r.validated_at),
    createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), deletedAt: toDate(r.deleted_at),
  };
}

export interface NewBackend {
  readonly orgId: string;
  readonly name: string;
  readonly provider: ProviderId;
  readonly location: string;
  readonly description?: string;
  readonly maxBytes?: number | null;
  readonly config?: Record<string, unknown>;
  readonly status?: ValidationStatus;
}

export class BackendRepository {
  private readonly byIdStmt: Statement;
  private readonly byNameStmt: Statement;
  private readonly defaultStmt: Statement;

  constructor(private readonly db: Db) {
    this.byIdStmt = db.prepare(`SELECT * FROM backends WHERE id = ?`);
    this.byNameStmt = db.prepare(`SELECT * FROM backends WHERE org_id = ? AND name = ?`);
    this.defaultStmt = db.prepare(`SELECT * FROM backends WHERE org_id = ? AND is_default = 1`);
  }

  create(b: NewBackend): Backend {
    const now = Date.now();
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO backends (id, org_id, name, provider, location, description, max_bytes, config, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, b.orgId, b.name, b.provider, b.location, b.description ?? '', b.maxBytes ?? null,
        JSON.stringify(b.config ?? {}), b.status ?? 'UNKNOWN', now, now);
    return this.byId(id)!;
  }

  byId(id: string): Backend | undefined {
    const r = this.byIdStmt.get(id) as BackendRow | undefined;
    return r && toBackend(r);
  }

  byName(orgId: string, name: string): Backend | undefined {
    const r = this.byNameStmt.get(orgId, name) as BackendRow | undefined;
    return r && toBackend(r);
  }

  defaultOf(orgId: string): Backend | undefined {
    const r = this.defaultStmt.get(orgId) as BackendRow | undefined;
    return r && toBackend(r);
  }

  listAll(): Backend[] {
    return (this.db.prepare(`SELECT * FROM backends WHERE deleted_at IS NULL ORDER BY org_id, name`).all() as BackendRow[]).map(toBackend);
  }

  configOf(id: string): Record<string, unknown> {
    const r = this.db.prepare(`SELECT config FROM backends WHERE id = ?`).get(id) as { config: string } | undefined;
    return r ? (JSON.parse(r.config) as Record<string, unknown>) : {};
  }

  /** Makes `id` the one default of its organisation, atomically. */
  setDefault(orgId: string, id: string): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE backends SET is_default = 0, updated_at = ? WHERE org_id = ? AND is_default = 1`).run(Date.now(), orgId);
      this.db.prepare(`UPDATE backends SET is_default = 1, updated_at = ? WHERE org_id = ? AND id = ?`).run(Date.now(), orgId, id);
    })();
  }

  /** Records the outcome of a validation; a status change is not an update of the backend itself. */
  recordStatus(id: string, status: ValidationStatus, error: string, at: Date): void {
    this.db.prepare(`UPDATE backends SET status = ?, status_error = ?, validated_at = ? WHERE id = ?`).run(status, error, at.getTime(), id);
  }

  /** Sealed credentials (see CredentialVault); null for providers that need none. */
  sealedCredentialsOf(id: string): Buffer | null {
    const r = this.db.prepare(`SELECT credentials FROM backends WHERE id = ?`).get(id) as { credentials: Buffer | null } | undefined;
    return r?.credentials ?? null;
  }

  setSealedCredentials(id: string, sealed: Buffer): void {
    this.db.prepare(`UPDATE backends SET credentials = ?, updated_at = ? WHERE id = ?`).run(sealed, Date.now(), id);
  }

  listForOrg(orgId: string, includeDeleted: boolean): Backend[] {
    const sql = `SELECT * FROM backends WHERE org_id = ? ${includeDeleted ? '' : 'AND deleted_at IS NULL'} ORDER BY name`;
    return (this.db.prepare(sql).all(orgId) as BackendRow[]).map(toBackend);
  }

  updateFields(id: string, fields: { description?: string; maxBytes?: number | null }): void {
    if (fields.description !== undefined) this.db.prepare(`UPDATE backends SET description = ?, updated_at = ? WHERE id = ?`).run(fields.description, Date.now(), id);
    if (fields.maxBytes !== undefined) this.db.prepare(`UPDATE backends SET max_bytes = ?, updated_at = ? WHERE id = ?`).run(fields.maxBytes, Date.now(), id);
  }

  /** Soft delete: no longer a write target nor the default; its blobs stay readable. */
  softDelete(id: string): void {
    this.db.prepare(`UPDATE backends SET deleted_at = ?, is_default = 0, updated_at = ? WHERE id = ?`).run(Date.now(), Date.now(), id);
  }

  /** Forgets the credentials and the organisation's index rows for this backend. */
  purge(id: string): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE backends SET credentials = NULL, updated_at = ? WHERE id = ?`).run(Date.now(), id);
      this.db.prepare(`DELETE FROM blobs WHERE backend_id = ?`).run(id);
      this.db.prepare(`DELETE FROM upload_sessions WHERE backend_id = ?`).run(id);
    })();
  }

  audit(orgId: string, backendId: string, tokenId: string | null, action: string, detail = ''): void {
    this.db.prepare(`INSERT INTO backend_audit (org_id, backend_id, token_id, action, detail, at) VALUES (?, ?, ?, ?, ?, ?)`).run(orgId, backendId, tokenId, action, detail, Date.now());
  }

  auditOf(backendId: string): { action: string; tokenId: string | null; detail: string }[] {
    return (this.db.prepare(`SELECT action, token_id, detail FROM backend_audit WHERE backend_id = ? ORDER BY id`).all(backendId) as { action: string; token_id: string | null; detail: string }[]).map((r) => ({
      action: r.action, tokenId: r.token_id, detail: r.detail,
    }));
  }
}
