import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/** A resumable upload: what the client declared and how far it got. */
export interface SessionRecord {
  readonly id: string;
  readonly orgId: string;
  readonly backendId: string;
  readonly uploadId: string;
  readonly hex: string;
  readonly size: number;
  readonly committedSize: number;
  readonly filename: string;
  readonly mediaType: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface SessionRow {
  id: string; org_id: string; backend_id: string; upload_id: string; digest: string; size: number;
  committed_size: number; filename: string; media_type: string; created_at: number; updated_at: number;
}

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id, orgId: r.org_id, backendId: r.backend_id, uploadId: r.upload_id, hex: r.digest, size: r.size,
  committedSize: r.committed_size, filename: r.filename, mediaType: r.media_type,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export class SessionRepository {
  private readonly byUploadStmt: Statement;
  private readonly progressStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly createStmt: Statement;

  constructor(private readonly db: Db) {
    this.createStmt = db.prepare(
      `INSERT OR IGNORE INTO upload_sessions (id, org_id, backend_id, upload_id, digest, size, committed_size, filename, media_type, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
    );
    this.byUploadStmt = db.prepare(`SELECT * FROM upload_sessions WHERE org_id = ? AND upload_id = ?`);
    this.progressStmt = db.prepare(`UPDATE upload_sessions SET committed_size = ?, updated_at = ? WHERE id = ?`);
    this.deleteStmt = db.prepare(`DELETE FROM upload_sessions WHERE id = ?`);
  }

  /** Inserts the session; returns false when (org, upload id) is taken already. */
  create(s: Omit<SessionRecord, 'createdAt' | 'updatedAt' | 'committedSize'>): boolean {
    const now = Date.now();
    const info = this.createStmt.run(s.id, s.orgId, s.backendId, s.uploadId, s.hex, s.size, s.filename, s.mediaType, now, now);
    return info.changes === 1;
  }

  byUpload(orgId: string, uploadId: string): SessionRecord | undefined {
    const r = this.byUploadStmt.get(orgId, uploadId) as SessionRow | undefined;
    return r && toSession(r);
  }

  recordProgress(id: string, committedSize: number): void {
    this.progressStmt.run(committedSize, Date.now(), id);
  }

  delete(id: string): void {
    this.deleteStmt.run(id);
  }

  /** Sessions untouched since `before`. */
  staleSince(before: number): SessionRecord[] {
    return (this.db.prepare(`SELECT * FROM upload_sessions WHERE updated_at < ?`).all(before) as SessionRow[]).map(toSession);
  }

  idsForBackend(backendId: string): Set<string> {
    const rows = this.db.prepare(`SELECT id FROM upload_sessions WHERE backend_id = ?`).all(backendId) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }
}
