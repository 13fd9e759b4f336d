import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, ConfigFile, DEFAULT_DATA_DIR, DEFAULT_HTTP_LISTEN, DEFAULT_LISTEN, formatConfig, loadServerConfig, parseConfigFile, resolveSettings } from '../../config/server-config';
import { startServer } from '../../main';
import { fail } from '../common';

function readConfig(path: string | undefined): ConfigFile | undefined {
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file (--config / CAIRN_CONFIG) ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfigFile(path, text, parseYaml);
}

export function serverCommand(): Command {
  return new Command('server')
    .description('run the cairn server (gRPC ByteStream CAS, plus the HTTP data path, health and metrics)')
    .addOption(new Option('--listen <host:port>', `gRPC listen address [env CAIRN_LISTEN, default ${DEFAULT_LISTEN}]`))
    .addOption(new Option('--http-listen <host:port|off>', `HTTP listen address: blobs, /healthz, /readyz, /metrics [env CAIRN_HTTP_LISTEN, default ${DEFAULT_HTTP_LISTEN}]`))
    .addOption(new Option('--http-public-url <url>', 'base URL clients and download links use for the HTTP listener [env CAIRN_HTTP_PUBLIC_URL, default derived from --http-listen]'))
    .addOption(new Option('--drain-timeout <duration>', 'on SIGTERM, how long in-flight transfers may finish before they are cancelled [env CAIRN_DRAIN_TIMEOUT, default 30s]'))
    .addOption(new Option('--data-dir <dir>', `database, keys and local blobs [env CAIRN_DATA_DIR, default ${DEFAULT_DATA_DIR}]`))
    .addOption(new Option('--tls-cert <file>', 'TLS certificate chain (PEM) [env CAIRN_TLS_CERT]'))
    .addOption(new Option('--tls-key <file>', 'TLS private key (PEM) [env CAIRN_TLS_KEY]'))
    .addOption(new Option('--tls-client-ca <file>', 'require client certificates signed by this CA, on both listeners [env CAIRN_TLS_CLIENT_CA]'))
    .addOption(new Option('--master-key-file <file>', 'key that encrypts backend credentials [env CAIRN_MASTER_KEY_FILE, default <data dir>/master.key]'))
    .addOption(new Option('--revalidate-interval <duration>', 'how often every backend is checked again [env CAIRN_REVALIDATE_INTERVAL, default 30m]'))
    .addOption(new Option('--session-ttl <duration>', 'abandoned uploads are removed after this [env CAIRN_SESSION_TTL, default 24h]'))
    .addOption(new Option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent [env CAIRN_LOG_LEVEL, default info]'))
    .addOption(new Option('--config <file>', 'YAML or JSON file of settings; flags and CAIRN_* variables win over it [env CAIRN_CONFIG]'))
    .addOption(new Option('--print-config', 'print the effective configuration (secrets masked) and exit'))
    .addHelpText('after', '\nThe master key can also be given inline (base64 of 32 bytes) as CAIRN_MASTER_KEY or masterKey in a config file; it has no flag.')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      try {
        const { config: configPath, printConfig, ...flags } = opts as Record<string, string | undefined> & { printConfig?: boolean };
        const file = readConfig(configPath ?? process.env.CAIRN_CONFIG);
        const config = loadServerConfig(flags, process.env, file);
        if (printConfig) {
          process.stdout.write(formatConfig(resolveSettings(flags, process.env, file)));
          return;
        }
        const running = await startServer(config);
        const cli = process.argv[1]; // the executable CLI: its shebang carries the node flags
        process.stderr.write(
          [
            '',
            `cairn is listening on ${running.address} (gRPC, ${config.tlsCert ? 'TLS' : 'plaintext'}); data in ${config.dataDir}`,
            running.httpUrl ? `HTTP data path, /healthz, /readyz and /metrics on ${running.httpUrl}` : 'HTTP listener off',
            running.adminTokenCreated
              ? `created organisation "default" and its admin token: ${running.adminTokenPath} (mode 0600)`
              : `admin token of organisation "default": ${running.adminTokenPath}`,
            '',
            'Upload a first file:',
            `  export CAIRN_SERVER=${running.address} CAIRN_TOKEN=$(cat ${running.adminTokenPath})`,
            `  ${cli} artifact upload README.md`,
            `  ${cli} artifact download <the printed digest> -o /tmp/`,
            '',
          ].join('\n') + '\n',
        );
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) {
            // A second signal skips the drain.
            running.log.warn({ signal }, 'second signal: cancelling in-flight calls now');
            void running.close(0);
            return;
          }
          stopping = true;
          running.log.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, 'shutting down');
          running.close().then(() => process.exit(0), (e) => fail(e));
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      } catch (e) {
        fail(e);
      }
    });
}
