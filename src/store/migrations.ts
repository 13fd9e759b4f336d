import type { Database } from 'better-sqlite3';

/**
 * Versioned schema. Each entry runs once, in order, inside a transaction; the applied version
 * is kept in schema_migrations. Never edit a shipped migration: add a new one.
 * Times are integer milliseconds since the epoch.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: organisations, backends, blob index, upload sessions, tokens.
  `
  CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE backends (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    location TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    max_bytes INTEGER,
    is_default INTEGER NOT NULL DEFAULT 0,
    config TEXT NOT NULL DEFAULT '{}',
    credentials BLOB,
    status TEXT NOT NULL DEFAULT 'UNKNOWN',
    status_error TEXT NOT NULL DEFAULT '',
    validated_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    UNIQUE (org_id, name)
  );
  -- At most one default per organisation, enforced by the database itself.
  CREATE UNIQUE INDEX backends_one_default ON backends(org_id) WHERE is_default = 1;

  CREATE TABLE blobs (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    backend_id TEXT NOT NULL REFERENCES backends(id),
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    -- digest before backend: "does this org hold it anywhere" and "on this backend" are both key lookups.
    PRIMARY KEY (org_id, digest, backend_id)
  ) WITHOUT ROWID;

  CREATE TABLE upload_sessions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    backend_id TEXT NOT NULL REFERENCES backends(id),
    upload_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    committed_size INTEGER NOT NULL DEFAULT 0,
    filename TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, upload_id)
  );
  CREATE INDEX upload_sessions_by_age ON upload_sessions(updated_at);

  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'uploader', 'downloader')),
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  `,
  // 2: who changed which backend, and every validation status change.
  `
  CREATE TABLE backend_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    backend_id TEXT NOT NULL REFERENCES backends(id),
    token_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
  );
  CREATE INDEX backend_audit_by_backend ON backend_audit(backend_id, at);
  `,
];

export function migrate(db: Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`);
  const row = db.prepare(`SELECT MAX(version) AS v FROM schema_migrations`).get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this cairn (${MIGRATIONS.length}); upgrade cairn`);
  }
  for (let v = current + 1; v <= MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v - 1]!);
      db.prepare(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`).run(v, Date.now());
    })();
  }
  return MIGRATIONS.length;
}
