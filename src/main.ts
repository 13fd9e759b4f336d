import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Server as HttpServer } from 'node:http';
import { AddressInfo } from 'node:net';
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
import { DownloadLinks } from './core/download-links';
import { provisionOrg } from './core/orgs';
import { Readiness } from './core/readiness';
import { TokenAuthority } from './core/token-authority';
import { TokenService } from './core/tokens';
import { UploadSessions } from './core/upload-sessions';
import { bindServer, buildGrpcServer, SERVICE_NAMES } from './grpc/server';
import { HealthState } from './grpc/health-service';
import { buildHttpServer, HttpDeps, HttpTls } from './http/server';
import { createLogger } from './log';
import { Store } from './store';
import { Metrics } from './telemetry/metrics';
import { Telemetry } from './telemetry/telemetry';

export const DEFAULT_ORG = 'default';
export const ADMIN_TOKEN_FILE = 'admin.token';
/** Encrypts backend credentials; kept beside, never inside, the database. */
export const MASTER_KEY_FILE = 'master.key';
export const BOOTSTRAP_ADMIN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
/** Start-up waits this long for the first validation round (local backends take milliseconds), then goes on. */
export const STARTUP_VALIDATION_WAIT_MS = 2000;
/** After the drain deadline, cancelled transfers get this long to park or clean up their staging. */
export const CANCEL_CLEANUP_MS = 5000;
const HEALTH_SYNC_MS = 5000;

export interface RunningServer {
  readonly config: ServerConfig;
  /** host:port clients can dial. */
  readonly address: string;
  readonly port: number;
  /** host:port of the HTTP listener, when it is on. */
  readonly httpAddress: string | undefined;
  /** The HTTP listener's base URL as clients and download links see it. */
  readonly httpUrl: string | undefined;
  /** Set when this start created the default organisation and its admin token file. */
  readonly adminTokenCreated: boolean;
  readonly adminTokenPath: string;
  readonly store: Store;
  readonly authority: TokenAuthority;
  readonly sessions: UploadSessions;
  readonly backends: BackendResolver;
  readonly vault: CredentialVault;
  readonly management: BackendManagement;
  readonly telemetry: Telemetry;
  readonly readiness: Readiness;
  readonly log: Logger;
  /**
   * Drains: stops taking new calls, lets in-flight transfers finish for up to `drainMs` (the
   * configured drain timeout by default), then cancels the rest (gRPC uploads park for resume;
   * HTTP uploads drop their staging) and closes the store.
   */
  close(drainMs?: number): Promise<void>;
}

/** Wiring only: config → store → providers → core → servers. */
export async function startServer(config: ServerConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = Store.open(join(config.dataDir, 'cairn.db'));
  chmodSync(join(config.dataDir, 'cairn.db'), 0o600);
  const ctx = { dataDir: config.dataDir, log };
  const authority = new TokenAuthority(loadOrCreateKey(join(config.dataDir, 'token-signing.key')), store);
  const vault = new CredentialVault(config.masterKey ?? (config.masterKeyFile ? loadKey(config.masterKeyFile) : loadOrCreateKey(join(config.dataDir, MASTER_KEY_FILE))));
  const backends = new BackendResolver(store, ctx, vault);
  const sessions = new UploadSessions(store, backends, config.sessionTtlMs, log);
  const reader = new BlobReader(store, backends);
  const writer = new BlobWriter(store, backends, sessions, log);
  const queries = new BlobQueries(store, backends, reader);
  const tokens = new TokenService(store, authority);
  const management = new BackendManagement(store, backends, vault, ctx, log);
  const readiness = new Readiness(store, config.revalidateIntervalMs);
  const health = new HealthState(SERVICE_NAMES, () => readiness.check().ready);
  const orgName = (id: string) => store.orgs.byId(id)?.name;
  const metrics = new Metrics({ list: () => store.backends.listAll().map((backend) => ({ orgName: orgName(backend.orgId) ?? backend.orgId, backend })) });
  const telemetry = new Telemetry(metrics, log, orgName);

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
  // Fresh statuses at start (a read-only data volume shows up as INVALID), so readiness is known
  // at once for local backends; slow remote checks finish in the background.
  const firstValidation = management.revalidateAll().catch((e) => log.warn({ err: e }, 'start-up validation failed'));
  await Promise.race([firstValidation, new Promise((r) => setTimeout(r, STARTUP_VALIDATION_WAIT_MS).unref())]);

  const tls = config.tlsCert ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey!), ...(config.tlsClientCa ? { clientCa: readFileSync(config.tlsClientCa) } : {}) } : undefined;
  const { http, httpAddress, httpUrl } = await startHttp(config, tls, { authority, writer, reader, queries, telemetry, readiness, registry: metrics.registry });
  const links = new DownloadLinks(authority, queries, httpUrl);
  const grpc = buildGrpcServer({ authority, writer, reader, queries, tokens, management, health, telemetry, links, httpUrl });
  const creds = tls
    ? ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], Boolean(tls.clientCa))
    : ServerCredentials.createInsecure();
  const port = await bindServer(grpc, config.listen, creds).catch((e: Error) => {
    http?.close();
    throw e;
  });
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
  const healthSync = setInterval(() => health.sync(), HEALTH_SYNC_MS);
  healthSync.unref();
  log.info({ address, httpAddress, httpUrl, tls: Boolean(tls), clientCertificates: Boolean(tls?.clientCa), dataDir: config.dataDir }, 'cairn listening');

  let closing: Promise<void> | undefined;
  let hurry: (() => void) | undefined;
  const close = (drainMs = config.drainTimeoutMs): Promise<void> => {
    if (closing && drainMs === 0) hurry?.();
    return (closing ??= (async () => {
      clearInterval(sweeper);
      clearInterval(revalidator);
      clearInterval(healthSync);
      readiness.drain();
      health.sync();
      const inFlight = telemetry.transfersInFlight;
      log.info({ inFlight, drainMs }, 'draining: no new calls; waiting for in-flight transfers');
      const grpcDone = new Promise<void>((resolve) => grpc.tryShutdown(() => resolve()));
      const httpDone = http ? new Promise<void>((resolve) => http.close(() => resolve())) : Promise.resolve();
      // Keep-alive connections go idle as their last response ends; close them as they do.
      const idleSweep = setInterval(() => http?.closeIdleConnections(), 100);
      http?.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all([grpcDone, httpDone]).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), drainMs);
          hurry = () => resolve(false);
        }),
      ]);
      clearTimeout(timer);
      clearInterval(idleSweep);
      if (!drained) {
        log.warn({ inFlight: telemetry.transfersInFlight }, 'drain deadline passed: cancelling the remaining calls');
        grpc.forceShutdown();
        http?.closeAllConnections();
      }
      // Cancelled handlers park their uploads (or drop HTTP staging) before the store closes.
      await telemetry.idle(CANCEL_CLEANUP_MS);
      await sessions.close();
      await backends.close();
      store.close();
      log.info({ drained }, 'stopped');
    })());
  };

  return {
    config, address, port, httpAddress, httpUrl, adminTokenCreated, adminTokenPath, store, authority, sessions, backends, vault, management, telemetry, readiness, log, close,
  };
}

/** Binds the HTTP listener (unless it is off) and works out the base URL clients should use. */
async function startHttp(config: ServerConfig, tls: HttpTls | undefined, deps: HttpDeps): Promise<{ http?: HttpServer; httpAddress?: string; httpUrl?: string }> {
  if (!config.httpListen) return {};
  const at = config.httpListen.lastIndexOf(':');
  const host = config.httpListen.slice(0, at);
  const server = buildHttpServer(deps, tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) => reject(new Error(`HTTP listen address (--http-listen / CAIRN_HTTP_LISTEN) ${config.httpListen}: ${e.message}`)));
    server.listen(Number(config.httpListen!.slice(at + 1)), host.replace(/^\[|\]$/g, ''), () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const httpAddress = `${host}:${(server.address() as AddressInfo).port}`;
  return { http: server, httpAddress, httpUrl: config.httpPublicUrl ?? `${tls ? 'https' : 'http'}://${httpAddress}` };
}
