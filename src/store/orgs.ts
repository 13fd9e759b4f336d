import { randomUUID } from 'node:crypto';
import type { Db } from './database';

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

interface OrgRow { id: string; name: string; created_at: number }
const toOrg = (r: OrgRow): Org => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) });

export class OrgRepository {
  constructor(private readonly db: Db) {}

  create(name: string): Org {
    const row: OrgRow = { id: randomUUID(), name, created_at: Date.now() };
    this.db.prepare(`INSERT INTO orgs (id, name, created_at) VALUES (@id, @name, @created_at)`).run(row);
    return toOrg(row);
  }

  byName(name: string): Org | undefined {
    const r = this.db.prepare(`SELECT * FROM orgs WHERE name = ?`).get(name) as OrgRow | undefined;
    return r && toOrg(r);
  }

  byId(id: string): Org | undefined {
    const r = this.db.prepare(`SELECT * FROM orgs WHERE id = ?`).get(id) as OrgRow | undefined;
    return r && toOrg(r);
  }
}
