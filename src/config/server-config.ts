import { dirname, resolve } from 'node:path';
import { DEFAULT_SESSION_TTL_MS } from '../core/upload-sessions';

export const DEFAULT_LISTEN = '127.0.0.1:9400';
export const DEFAULT_HTTP_LISTEN = '127.0.0.1:9401';
export const DEFAULT_DATA_DIR = '.cairn';
export const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
export const DEFAULT_LOG_LEVEL = 'info';
export const DEFAULT_REVALIDATE_INTERVAL_MS = 30 * 60 * 1000;
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
  /** Absolute path of the data directory (database, keys, local blobs). */
  readonly dataDir: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** When set, both listeners require client certificates signed by this CA. */
  readonly tlsClientCa?: string;
  /** Upload sessions untouched this long are removed with their staging. */
  readonly sessionTtlMs: number;
  readonly sweepIntervalMs: number;
  /** How often every backend's write-permission check runs again in the background. */
  readonly revalidateIntervalMs: number;
  /** The key backend credentials are sealed with; `<data dir>/master.key` (created 0600) unless set. */
  readonly masterKeyFile?: string;
  /** The same key given inline (base64 of 32 bytes), from the environment or a config file; a secret. */
  readonly masterKey?: Buffer;
  readonly logLevel: string;
}

/** Every setting, by the name it has in a config file (flags use the kebab-case of it). */
export interface ServerConfigInput {
  readonly listen?: string;
  readonly httpListen?: string;
  readonly httpPublicUrl?: string;
  readonly drainTimeout?: string;
  readonly dataDir?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsClientCa?: string;
  readonly sessionTtl?: string;
  readonly logLevel?: string;
  readonly masterKeyFile?: string;
  readonly masterKey?: string;
  readonly revalidateInterval?: string;
}

type Key = keyof ServerConfigInput;

interface Setting {
  readonly key: Key;
  readonly what: string;
  readonly env: string;
  /** Secrets have no flag (flags reach shell history and `ps`) and are masked by --print-config. */
  readonly flag?: string;
  readonly secret?: boolean;
  /** A file path: relative ones in a config file are taken from the file's directory. */
  readonly path?: boolean;
  readonly fallback?: string;
}

/** The settings table: what each is, where it can come from, and its default. */
export const SETTINGS: readonly Setting[] = [
  { key: 'listen', what: 'listen address', flag: '--listen', env: 'CAIRN_LISTEN', fallback: DEFAULT_LISTEN },
  { key: 'httpListen', what: 'HTTP listen address', flag: '--http-listen', env: 'CAIRN_HTTP_LISTEN', fallback: DEFAULT_HTTP_LISTEN },
  { key: 'httpPublicUrl', what: 'HTTP public URL', flag: '--http-public-url', env: 'CAIRN_HTTP_PUBLIC_URL' },
  { key: 'dataDir', what: 'data directory', flag: '--data-dir', env: 'CAIRN_DATA_DIR', path: true, fallback: DEFAULT_DATA_DIR },
  { key: 'tlsCert', what: 'TLS certificate', flag: '--tls-cert', env: 'CAIRN_TLS_CERT', path: true },
  { key: 'tlsKey', what: 'TLS key', flag: '--tls-key', env: 'CAIRN_TLS_KEY', path: true },
  { key: 'tlsClientCa', what: 'client certificate CA', flag: '--tls-client-ca', env: 'CAIRN_TLS_CLIENT_CA', path: true },
  { key: 'masterKeyFile', what: 'master key file', flag: '--master-key-file', env: 'CAIRN_MASTER_KEY_FILE', path: true },
  { key: 'masterKey', what: 'master key', env: 'CAIRN_MASTER_KEY', secret: true },
  { key: 'sessionTtl', what: 'session TTL', flag: '--session-ttl', env: 'CAIRN_SESSION_TTL', fallback: `${DEFAULT_SESSION_TTL_MS / 3_600_000}h` },
  { key: 'revalidateInterval', what: 'revalidation interval', flag: '--revalidate-interval', env: 'CAIRN_REVALIDATE_INTERVAL', fallback: `${DEFAULT_REVALIDATE_INTERVAL_MS / 60_000}m` },
  { key: 'drainTimeout', what: 'drain timeout', flag: '--drain-timeout', env: 'CAIRN_DRAIN_TIMEOUT', fallback: `${DEFAULT_DRAIN_TIMEOUT_MS / 1000}s` },
  { key: 'logLevel', what: 'log level', flag: '--log-level', env: 'CAIRN_LOG_LEVEL', fallback: DEFAULT_LOG_LEVEL },
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A parsed config file: its path (for messages) and its values, paths already made absolute. */
export interface ConfigFile {
  readonly path: string;
  readonly values: ServerConfigInput;
}

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface ResolvedSetting {
  readonly key: Key;
  readonly value: string | undefined;
  readonly source: Source | undefined;
  readonly secret: boolean;
  /** e.g. `--env CAIRN_LISTEN`, `config.yaml` */
  readonly from: string;
}

/** Each setting's winning value: flags, then the environment, then the config file, then the default. */
export function resolveSettings(flags: ServerConfigInput, env: NodeJS.ProcessEnv = process.env, file?: ConfigFile): ResolvedSetting[] {
  return SETTINGS.map((s) => {
    const pick = (
      [
        [flags[s.key], 'flag', s.flag ?? ''],
        [env[s.env], 'env', s.env],
        [file?.values[s.key], 'file', file?.path ?? ''],
        [s.fallback, 'default', 'default'],
      ] as const
    ).find(([v]) => v !== undefined && v !== '');
    return { key: s.key, value: pick?.[0], source: pick?.[1], from: pick?.[2] ?? '', secret: Boolean(s.secret) };
  });
}

/** How a bad value's message names its setting: every place it can be set. */
function label(key: Key): string {
  const s = SETTINGS.find((x) => x.key === key)!;
  return `${s.what} (${s.flag ? `${s.flag} / ` : ''}${s.env} / ${key} in a config file)`;
}

/** Reads the configuration once into a frozen object; a bad value names its setting. */
export function loadServerConfig(flags: ServerConfigInput, env: NodeJS.ProcessEnv = process.env, file?: ConfigFile): ServerConfig {
  const v = Object.fromEntries(resolveSettings(flags, env, file).map((r) => [r.key, r.value])) as ServerConfigInput;
  const listen = checkAddress(v.listen!, 'listen');
  const httpListen = v.httpListen === 'off' ? undefined : checkAddress(v.httpListen!, 'httpListen');
  if (v.httpPublicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(v.httpPublicUrl)) {
    throw new ConfigError(`${label('httpPublicUrl')}: ${JSON.stringify(v.httpPublicUrl)} is not an http(s) URL without a query`);
  }
  if (Boolean(v.tlsCert) !== Boolean(v.tlsKey)) throw new ConfigError(`TLS needs both a certificate: ${label('tlsCert')}, and a key: ${label('tlsKey')}`);
  if (v.tlsClientCa && !v.tlsCert) throw new ConfigError(`${label('tlsClientCa')} needs TLS: set the certificate and key too`);
  if (!LOG_LEVELS.includes(v.logLevel!)) throw new ConfigError(`${label('logLevel')} must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(v.logLevel)}`);
  if (v.masterKey && v.masterKeyFile) throw new ConfigError(`set the master key once: ${label('masterKey')} or ${label('masterKeyFile')}, not both`);
  let masterKey: Buffer | undefined;
  if (v.masterKey) {
    masterKey = Buffer.from(v.masterKey, 'base64');
    // The value is a secret: the message says what is wrong, never what it is.
    if (masterKey.length !== 32) throw new ConfigError(`${label('masterKey')} must be the base64 of 32 bytes (e.g. openssl rand -base64 32)`);
  }
  const sessionTtlMs = parseDuration(v.sessionTtl!, label('sessionTtl'));
  return Object.freeze({
    listen,
    ...(httpListen ? { httpListen } : {}),
    ...(v.httpPublicUrl ? { httpPublicUrl: v.httpPublicUrl.replace(/\/+$/, '') } : {}),
    drainTimeoutMs: parseDuration(v.drainTimeout!, label('drainTimeout')),
    dataDir: resolve(v.dataDir!),
    ...(v.tlsCert ? { tlsCert: resolve(v.tlsCert), tlsKey: resolve(v.tlsKey!) } : {}),
    ...(v.tlsClientCa ? { tlsClientCa: resolve(v.tlsClientCa) } : {}),
    ...(v.masterKeyFile ? { masterKeyFile: resolve(v.masterKeyFile) } : {}),
    ...(masterKey ? { masterKey } : {}),
    sessionTtlMs,
    revalidateIntervalMs: parseDuration(v.revalidateInterval!, label('revalidateInterval')),
    sweepIntervalMs: Math.min(DEFAULT_SWEEP_INTERVAL_MS, Math.max(1000, Math.floor(sessionTtlMs / 4))),
    logLevel: v.logLevel!,
  });
}

/**
 * Parses a YAML or JSON config file: a flat mapping of the settings above. Unknown keys and
 * values that are not scalars are refused by name; relative paths are taken from the file's directory.
 */
export function parseConfigFile(path: string, text: string, parseYaml: (t: string) => unknown): ConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return { path, values: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${path}: want a mapping of settings (listen, dataDir, …)`);
  const values: Record<string, string> = {};
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    const s = SETTINGS.find((x) => x.key === key);
    if (!s) throw new ConfigError(`${path}: unknown setting ${JSON.stringify(key)} (known: ${SETTINGS.map((x) => x.key).join(', ')})`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') throw new ConfigError(`${path}: ${key} must be a single value`);
    const value = String(raw);
    values[key] = s.path ? resolve(dirname(resolve(path)), value) : value;
  }
  return { path, values };
}

/**
 * The effective configuration as YAML a config file could hold, each line saying where its value
 * came from. Secrets are masked.
 */
export function formatConfig(resolved: readonly ResolvedSetting[]): string {
  const lines = ['# effective cairn configuration (flags > environment > config file > defaults)'];
  for (const r of resolved) {
    if (r.value === undefined) {
      lines.push(`# ${r.key}: (not set)`);
      continue;
    }
    const shown = r.secret ? '[redacted]' : r.value;
    lines.push(`${r.key}: ${JSON.stringify(shown)}  # ${r.source === 'flag' ? `flag ${r.from}` : r.source === 'env' ? `env ${r.from}` : r.source === 'file' ? r.from : 'default'}`);
  }
  return lines.join('\n') + '\n';
}

function checkAddress(address: string, key: Key): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address) || Number(address.slice(address.lastIndexOf(':') + 1)) > 65535) {
    throw new ConfigError(`${label(key)}: ${JSON.stringify(address)} is not host:port`);
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
