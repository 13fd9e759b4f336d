import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { Logger } from 'pino';
import { ServerConfig } from './config/server-config';
import { loadKey, loadOrCreateKey } from './config/key-file';
import { BackendManagement } from './core/backend-management';
import { BackendResolver } from './core/backend-resolver';
import { CredentialVault } from './core/credential-vault';
import { BlobQueries } from './core/blob-queries';
import { BlobReader } from './core/blob-reader';
import { BlobWriter } from './core/blob-writer';
import { provisionOrg } from './core/orgs';
import { TokenAuthority } from './core/token-authority';
import { TokenService } from './core/tokens';
import { UploadSessions } from './core/upload-sessions';
import { bindServer, buildGrpcServer, SERVICE_NAMES } from './grpc/server';
import { HealthState, ServingStatus } from './grpc/health-service';
import { createLogger } from './log';
import { Store } from './store';

export const DEFAULT_ORG = 'default';
export const ADMIN_TOKEN_FILE = 'admin.token';
/** Encrypts backend credentials; kept beside, never inside, the database. */
export const MASTER_KEY_FILE = 'master.key';
export const SHUTDOWN_GRACE_MS = 2000;
export const BOOTSTRAP_ADMIN_TTL_MS = 365 * 24 * 60 * 60 * 1000;

export interface RunningServer {
  readonly config: ServerConfig;
  /** host:port clients can dial. */
  readonly address: string;
  readonly port: number;
  /** Set when this start created the default organisation and its admin token file. */
  readonly adminTokenCreated: boolean;
  readonly adminTokenPath: string;
  readonly store: Store;
  readonly authority: TokenAuthority;
  readonly sessions: UploadSessions;
  readonly backends: BackendResolver;
  readonly vault: CredentialVault;
  readonly management: BackendManagement;
  readonly log: Logger;
  close(): Promise<void>;
}

/** Wiring only: config → store → providers → core → servers. */
export async function startServer(config: ServerConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = Store.open(join(config.dataDir, 'cairn.db'));
  chmodSync(join(config.dataDir, 'cairn.db'), 0o600);
  const ctx = { dataDir: config.dataDir, log };
  const authority = new TokenAuthority(loadOrCreateKey(join(config.dataDir, 'token-signing.key')), store);
  const vault = new CredentialVault(config.masterKeyFile ? loadKey(config.masterKeyFile) : loadOrCreateKey(join(config.dataDir, MASTER_KEY_FILE)));
  const backends = new BackendResolver(store, ctx, vault);
  const sessions = new UploadSessions(store, backends, config.sessionTtlMs, log);
  const reader = new BlobReader(store, backends);
  const writer = new BlobWriter(store, backends, sessions, log);
  const queries = new BlobQueries(store, backends, reader);
  const tokens = new TokenService(store, authority);
  const health = new HealthState(SERVICE_NAMES);
  const management = new BackendManagement(store, backends, vault, ctx, log);

  const adminTokenPath = join(config.dataDir, ADMIN_TOKEN_FILE);
  let adminTokenCreated = false;
  if (!store.orgs.byName(DEFAULT_ORG)) {
    const org = provisionOrg(store, ctx, DEFAULT_ORG);
    const { token } = authority.issue(org.id, 'admin', BOOTSTRAP_ADMIN_TTL_MS, 'bootstrap admin token');
    writeFileSync(adminTokenPath, token + '\n', { mode: 0o600 });
    chmodSync(adminTokenPath, 0o600);
    adminTokenCreated = true;
    log.info({ path: adminTokenPath }, 'created organisation "default" and wrote its admin token');
  }
  await sessions.recover();

  const server = buildGrpcServer({ authority, writer, reader, queries, tokens, management, health, log });
  const creds = config.tlsCert
    ? ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(config.tlsCert), private_key: readFileSync(config.tlsKey!) }], false)
    : ServerCredentials.createInsecure();
  const port = await bindServer(server, config.listen, creds);
  const host = config.listen.slice(0, config.listen.lastIndexOf(':'));
  const address = `${host}:${port}`;
  const sweeper = setInterval(() => void sessions.expire().catch((e) => log.warn({ err: e }, 'session sweep failed')), config.sweepIntervalMs);
  sweeper.unref();
  const revalidator = setInterval(() => {
    management.revalidateAll().then(
      (changed) => changed > 0 && log.info({ changed }, 'backend validation status changed'),
      (e) => log.warn({ err: e }, 'background revalidation failed'),
    );
  }, config.revalidateIntervalMs);
  revalidator.unref();
  // Fresh statuses at start (a read-only data volume shows up as INVALID) without delaying it.
  void management.revalidateAll().catch((e) => log.warn({ err: e }, 'start-up validation failed'));
  log.info({ address, tls: Boolean(config.tlsCert), dataDir: config.dataDir }, 'cairn listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(sweeper);
      clearInterval(revalidator);
      health.setAll(ServingStatus.NOT_SERVING);
      // In-flight calls get a moment to finish; the rest are cancelled (their uploads park for resume).
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await sessions.close();
      await backends.close();
      store.close();
    })());

  return { config, address, port, adminTokenCreated, adminTokenPath, store, authority, sessions, backends, vault, management, log, close };
}
