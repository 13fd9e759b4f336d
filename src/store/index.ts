import { BackendRepository } from './backends';
import { BlobRepository } from './blobs';
import { Db, openDatabase } from './database';
import { OrgRepository } from './orgs';
import { SessionRepository } from './sessions';
import { TokenRepository } from './tokens';

/** All repositories over one SQLite database. */
export class Store {
  readonly orgs: OrgRepository;
  readonly backends: BackendRepository;
  readonly blobs: BlobRepository;
  readonly sessions: SessionRepository;
  readonly tokens: TokenRepository;

  constructor(readonly db: Db) {
    this.orgs = new OrgRepository(db);
    this.backends = new BackendRepository(db);
    this.blobs = new BlobRepository(db);
    this.sessions = new SessionRepository(db);
    this.tokens = new TokenRepository(db);
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  close(): void {
    this.db.close();
  }
}

export type { SessionRecord } from './sessions';
export type { Org } from './orgs';
