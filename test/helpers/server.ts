import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnClient } from '../../src/client';
import { loadServerConfig } from '../../src/config/server-config';
import { provisionOrg } from '../../src/core/orgs';
import { Backend, Role } from '../../src/domain/model';
import { ProviderId } from '../../src/domain/ports';
import { createLogger } from '../../src/log';
import { RunningServer, startServer } from '../../src/main';

export interface TestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  readonly adminToken: string;
  /** A client with the bootstrap admin token of org "default". */
  readonly admin: CairnClient;
  client(token?: string): CairnClient;
  /** Mints a token directly (as an operator would), for any org. */
  token(role: Role, orgName?: string, ttlMs?: number): string;
  /** Creates another organisation with its inline + local backends. */
  /** Provisions an organisation (inline + local, local the default) and validates its backends, as start-up would. */
  addOrg(name: string): Promise<void>;
  /** Adds a backend directly (as an operator would until backend management lands), credentials sealed. */
  addBackend(b: { name: string; provider: ProviderId; location?: string; config?: Record<string, unknown>; credentials?: Record<string, string>; isDefault?: boolean; org?: string }): Backend;
  restart(): Promise<TestServer>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** A real cairn server on 127.0.0.1, port 0, with its own data directory. */
export async function startTestServer(opts: { dataDir?: string; sessionTtl?: string; logLines?: string[] } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cairn-test-'));
  const config = loadServerConfig({ listen: '127.0.0.1:0', httpListen: '127.0.0.1:0', drainTimeout: '2s', dataDir, sessionTtl: opts.sessionTtl }, {});
  // With logLines, every log line (at debug level) is kept for the test to search.
  const log = opts.logLines
    ? createLogger('debug', { write: (line: string) => void opts.logLines!.push(line) })
    : createLogger(process.env.CAIRN_TEST_LOG ?? 'silent');
  const server = await startServer(config, log);
  const adminToken = readFileSync(server.adminTokenPath, 'utf8').trim();
  const clients: CairnClient[] = [];
  const client = (token?: string): CairnClient => {
    const c = new CairnClient({ server: server.address, ...(token ? { token } : {}) });
    clients.push(c);
    return c;
  };
  const admin = client(adminToken);
  const closeClients = (): void => clients.forEach((c) => c.close());
  const t: TestServer = {
    server,
    dataDir,
    adminToken,
    admin,
    client,
    token: (role, orgName = 'default', ttlMs = 3_600_000) => {
      const org = server.store.orgs.byName(orgName);
      if (!org) throw new Error(`no org ${orgName}`);
      return server.authority.issue(org.id, role, ttlMs).token;
    },
    addOrg: async (name) => {
      provisionOrg(server.store, { dataDir, log: server.log }, name);
      await server.management.revalidateAll();
    },
    addBackend: (b) => {
      const { store } = server;
      const org = store.orgs.byName(b.org ?? 'default')!;
      const created = store.backends.create({ orgId: org.id, name: b.name, provider: b.provider, location: b.location ?? b.name, config: b.config ?? {}, status: 'OK' });
      if (b.credentials) store.backends.setSealedCredentials(created.id, server.vault.seal(created.id, b.credentials));
      // Counts as validated now, as a backend added through the API would be.
      store.backends.recordStatus(created.id, 'OK', '', new Date());
      if (b.isDefault) store.backends.setDefault(org.id, created.id);
      return store.backends.byId(created.id)!;
    },
    restart: async () => {
      closeClients();
      await server.close();
      return startTestServer({ ...opts, dataDir });
    },
    stop: async ({ keepData = false } = {}) => {
      closeClients();
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
