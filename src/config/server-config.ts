import { resolve } from 'node:path';
import { DEFAULT_SESSION_TTL_MS } from '../core/upload-sessions';

export const DEFAULT_LISTEN = '127.0.0.1:9400';
export const DEFAULT_DATA_DIR = '.cairn';
export const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
export const DEFAULT_LOG_LEVEL = 'info';
export const DEFAULT_REVALIDATE_INTERVAL_MS = 30 * 60 * 1000;
export const DEFAULT_HTTP_LISTEN = '127.0.0.1:9401';
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

export interface ServerConfig {
  /** host:port of the gRPC listener; port 0 picks a free one. */
  readonly listen: string;
  /** host:port of the HTTP listener (blobs, health, metrics); undefined when it is off. */
  readonly httpListen?: string;
  /** The base URL download links and clients use for the HTTP listener; derived from it unless set. */
  readonly httpPublicUrl?: string;
  /** On SIGTERM, how long in-flight transfers may take to finish before they are cancelled. */
  readonly drainTimeoutMs: number;
  /** When set, both listeners require client certificates signed by this CA. */
  readonly tlsClientCa?: string;
  /** Absolute path of the data directory (database, keys, local blobs). */
  readonly dataDir: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Upload sessions untouched this long are removed with their staging. */
  readonly sessionTtlMs: number;
  readonly sweepIntervalMs: number;
  /** How often every backend's write-permission check runs again in the background. */
  readonly revalidateIntervalMs: number;
  /** The key backend credentials are sealed with; `<data dir>/master.key` (created 0600) unless set. */
  readonly masterKeyFile?: string;
  readonly logLevel: string;
}

/** Everything a setting can come from, flags first, then the environment. */
export interface ServerConfigInput {
  readonly listen?: string;
  readonly httpListen?: string;
  readonly httpPublicUrl?: string;
  readonly drainTimeout?: string;
  readonly tlsClientCa?: string;
  readonly dataDir?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly sessionTtl?: string;
  readonly logLevel?: string;
  readonly masterKeyFile?: string;
  readonly revalidateInterval?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the configuration once into a frozen object; a bad value names its setting. */
export function loadServerConfig(flags: ServerConfigInput, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const listen = checkAddress(flags.listen ?? env.CAIRN_LISTEN ?? DEFAULT_LISTEN, 'listen address (--listen / CAIRN_LISTEN)');
  const httpText = flags.httpListen ?? env.CAIRN_HTTP_LISTEN ?? DEFAULT_HTTP_LISTEN;
  const httpListen = httpText === 'off' ? undefined : checkAddress(httpText, 'HTTP listen address (--http-listen / CAIRN_HTTP_LISTEN)');
  const httpPublicUrl = flags.httpPublicUrl ?? env.CAIRN_HTTP_PUBLIC_URL;
  if (httpPublicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(httpPublicUrl)) {
    throw new ConfigError(`HTTP public URL (--http-public-url / CAIRN_HTTP_PUBLIC_URL) ${JSON.stringify(httpPublicUrl)} is not an http(s) URL without query`);
  }
  const drainText = flags.drainTimeout ?? env.CAIRN_DRAIN_TIMEOUT;
  const drainTimeoutMs = drainText === undefined ? DEFAULT_DRAIN_TIMEOUT_MS : parseDuration(drainText, 'drain timeout (--drain-timeout / CAIRN_DRAIN_TIMEOUT)');
  const tlsClientCa = flags.tlsClientCa ?? env.CAIRN_TLS_CLIENT_CA;
  const tlsCert = flags.tlsCert ?? env.CAIRN_TLS_CERT;
  const tlsKey = flags.tlsKey ?? env.CAIRN_TLS_KEY;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    throw new ConfigError('TLS needs both a certificate (--tls-cert / CAIRN_TLS_CERT) and a key (--tls-key / CAIRN_TLS_KEY)');
  }
  if (tlsClientCa && !tlsCert) throw new ConfigError('client certificates (--tls-client-ca / CAIRN_TLS_CLIENT_CA) need TLS: set --tls-cert and --tls-key too');
  const logLevel = flags.logLevel ?? env.CAIRN_LOG_LEVEL ?? DEFAULT_LOG_LEVEL;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`log level (--log-level / CAIRN_LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}`);
  const ttlText = flags.sessionTtl ?? env.CAIRN_SESSION_TTL;
  const sessionTtlMs = ttlText === undefined ? DEFAULT_SESSION_TTL_MS : parseDuration(ttlText, 'session TTL (--session-ttl / CAIRN_SESSION_TTL)');
  const masterKeyFile = flags.masterKeyFile ?? env.CAIRN_MASTER_KEY_FILE;
  const revalidateText = flags.revalidateInterval ?? env.CAIRN_REVALIDATE_INTERVAL;
  const revalidateIntervalMs =
    revalidateText === undefined ? DEFAULT_REVALIDATE_INTERVAL_MS : parseDuration(revalidateText, 'revalidation interval (--revalidate-interval / CAIRN_REVALIDATE_INTERVAL)');
  return Object.freeze({
    ...(masterKeyFile ? { masterKeyFile: resolve(masterKeyFile) } : {}),
    listen,
    ...(httpListen ? { httpListen } : {}),
    ...(httpPublicUrl ? { httpPublicUrl: httpPublicUrl.replace(/\/+$/, '') } : {}),
    drainTimeoutMs,
    ...(tlsClientCa ? { tlsClientCa: resolve(tlsClientCa) } : {}),
    dataDir: resolve(flags.dataDir ?? env.CAIRN_DATA_DIR ?? DEFAULT_DATA_DIR),
    ...(tlsCert ? { tlsCert: resolve(tlsCert), tlsKey: resolve(tlsKey!) } : {}),
    sessionTtlMs,
    revalidateIntervalMs,
    sweepIntervalMs: Math.min(DEFAULT_SWEEP_INTERVAL_MS, Math.max(1000, Math.floor(sessionTtlMs / 4))),
    logLevel,
  });
}

function checkAddress(address: string, setting: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address) || Number(address.slice(address.lastIndexOf(':') + 1)) > 65535) {
    throw new ConfigError(`${setting} ${JSON.stringify(address)} is not host:port`);
  }
  return address;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "24h", "7d", "500ms". */
export function parseDuration(text: string, setting: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new ConfigError(`${setting}: ${JSON.stringify(text)} is not a duration like 90s, 15m, 24h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
