import BetterSqlite3 from 'better-sqlite3';
import { migrate, MIGRATIONS } from '../../src/store/migrations';

test('migrations apply once, in order, and record their version', () => {
  const db = new BetterSqlite3(':memory:');
  expect(migrate(db)).toBe(MIGRATIONS.length);
  expect(migrate(db)).toBe(MIGRATIONS.length); // idempotent
  const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  expect(tables).toEqual(expect.arrayContaining(['orgs', 'backends', 'blobs', 'upload_sessions', 'tokens']));
});

test('a database from a newer cairn is refused', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(MIGRATIONS.length + 1);
  expect(() => migrate(db)).toThrow('is newer than this cairn');
});

test('the database keeps at most one default backend per organisation', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db);
  db.prepare("INSERT INTO orgs VALUES ('o', 'o', 0)").run();
  const add = db.prepare("INSERT INTO backends (id, org_id, name, provider, location, is_default, created_at, updated_at) VALUES (?, 'o', ?, 'local', '', 1, 0, 0)");
  add.run('a', 'a');
  expect(() => add.run('b', 'b')).toThrow(/UNIQUE/);
});

test('hot lookups are key searches, not scans of an organisation', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db);
  const plan = (sql: string, n: number) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(n).fill('x')) as { detail: string }[]).map((r) => r.detail).join('; ');
  expect(plan('SELECT * FROM blobs WHERE org_id = ? AND digest = ? LIMIT 2', 2)).toContain('(org_id=? AND digest=?)');
  expect(plan('SELECT * FROM blobs WHERE org_id = ? AND backend_id = ? AND digest = ?', 3)).toContain('(org_id=? AND digest=? AND backend_id=?)');
  expect(plan('SELECT * FROM upload_sessions WHERE org_id = ? AND upload_id = ?', 2)).toContain('(org_id=? AND upload_id=?)');
  expect(plan('SELECT * FROM tokens WHERE id = ?', 1)).toMatch(/^SEARCH tokens .*\(id=\?\)/);
});
