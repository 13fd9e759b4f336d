import BetterSqlite3, { Database } from 'better-sqlite3';
import { migrate } from './migrations';

export type Db = Database;

/** Opens (creating if needed) the metadata database and brings its schema up to date. */
export function openDatabase(file: string): Db {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export const toDate = (ms: number | null | undefined): Date | null => (ms == null ? null : new Date(ms));
