import type { Statement } from 'better-sqlite3';
import { BlobRecord } from '../domain/model';
import type { Db } from './database';

interface BlobRow {
  org_id: string; backend_id: string; digest: string; size: number; filename: string; media_type: string; created_at: number;
}

const toBlob = (r: BlobRow): BlobRecord => ({
  orgId: r.org_id, backendId: r.backend_id, hex: r.digest, size: r.size, filename: r.filename,
  mediaType: r.media_type, createdAt: new Date(r.created_at),
});

/** The blob index: which organisation holds which digest on which backend. Existence is per org. */
export class BlobRepository {
  private readonly getStmt: Statement;
  private readonly anyStmt: Statement;
  private readonly copiesStmt: Statement;
  private readonly insertStmt: Statement;
  private readonly removeStmt: Statement;

  constructor(db: Db) {
    this.getStmt = db.prepare(`SELECT * FROM blobs WHERE org_id = ? AND backend_id = ? AND digest = ?`);
    this.copiesStmt = db.prepare(`SELECT * FROM blobs WHERE org_id = ? AND digest = ? LIMIT 2`);
    // Live backends first, the default before the others, then the oldest copy.
    this.anyStmt = db.prepare(
      `SELECT b.* FROM blobs b JOIN backends k ON k.id = b.backend_id
       WHERE b.org_id = ? AND b.digest = ?
       ORDER BY (k.deleted_at IS NOT NULL), k.is_default DESC, b.created_at LIMIT 1`,
    );
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO blobs (org_id, backend_id, digest, size, filename, media_type, created_at)
       VALUES (@orgId, @backendId, @hex, @size, @filename, @mediaType, @createdAt)`,
    );
    this.removeStmt = db.prepare(`DELETE FROM blobs WHERE org_id = ? AND backend_id = ? AND digest = ?`);
  }

  get(orgId: string, backendId: string, hex: string): BlobRecord | undefined {
    const r = this.getStmt.get(orgId, backendId, hex) as BlobRow | undefined;
    return r && toBlob(r);
  }

  /** The organisation's best copy: usually its only one, so the ordering query runs only when there are several. */
  find(orgId: string, hex: string): BlobRecord | undefined {
    const copies = this.copiesStmt.all(orgId, hex) as BlobRow[];
    if (copies.length < 2) return copies[0] && toBlob(copies[0]);
    return toBlob(this.anyStmt.get(orgId, hex) as BlobRow);
  }

  /** Records a committed blob; a second record of the same blob is a no-op. */
  insert(b: BlobRecord): void {
    this.insertStmt.run({ ...b, createdAt: b.createdAt.getTime() });
  }

  /** Forgets one organisation's record of a blob on one backend. */
  remove(orgId: string, backendId: string, hex: string): void {
    this.removeStmt.run(orgId, backendId, hex);
  }
}
