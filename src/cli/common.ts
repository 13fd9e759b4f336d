import { Command, Option } from 'commander';
import { CairnClient, DEFAULT_SERVER, describeError, Transport, TRANSPORTS } from '../client';

export interface GlobalOptions {
  server?: string;
  token?: string;
  tls?: boolean;
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  transport?: Transport;
  output?: 'text' | 'json';
}

/** Options every client command takes; flags win over CAIRN_* variables. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <host:port>', 'cairn server address').env('CAIRN_SERVER').default(DEFAULT_SERVER))
    .addOption(new Option('--token <token>', 'bearer token (prefer the CAIRN_TOKEN variable: flags end up in shell history)').env('CAIRN_TOKEN'))
    .addOption(new Option('--tls', 'connect with TLS').env('CAIRN_TLS'))
    .addOption(new Option('--ca <file>', 'CA certificate to trust for TLS').env('CAIRN_CA'))
    .addOption(new Option('--client-cert <file>', 'client certificate (PEM), for servers that require one').env('CAIRN_CLIENT_CERT'))
    .addOption(new Option('--client-key <file>', 'private key of the client certificate (PEM)').env('CAIRN_CLIENT_KEY'))
    .addOption(
      new Option('--transport <transport>', 'data path for uploads and downloads: auto uses HTTP when the server offers it')
        .choices(TRANSPORTS as Transport[])
        .env('CAIRN_TRANSPORT')
        .default('auto'),
    )
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'));
}

export function clientFrom(opts: GlobalOptions): CairnClient {
  if (!opts.token) throw new CliError('no token: set CAIRN_TOKEN or pass --token (the admin token is in <data dir>/admin.token)');
  if (Boolean(opts.clientCert) !== Boolean(opts.clientKey)) throw new CliError('--client-cert and --client-key go together');
  return new CairnClient({
    server: opts.server ?? DEFAULT_SERVER,
    token: opts.token,
    tls: Boolean(opts.tls),
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.clientCert ? { cert: opts.clientCert, key: opts.clientKey! } : {}),
    transport: opts.transport ?? 'auto',
    onFallback: (why) => process.stderr.write(`cairn: note: ${why}\n`),
  });
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Runs a command body with a client; any failure becomes one line on stderr and exit code 1. */
export function action<A extends unknown[]>(body: (client: CairnClient, opts: GlobalOptions, ...args: A) => Promise<void>) {
  return lazyAction<A>((connect, opts, ...args) => body(connect(), opts, ...args));
}

/**
 * Like `action`, for commands that need the server only sometimes: `connect()` makes the client
 * (and asks for a token) on first use, and it is closed at the end.
 */
export function lazyAction<A extends unknown[]>(body: (connect: () => CairnClient, opts: GlobalOptions, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as GlobalOptions;
    let client: CairnClient | undefined;
    try {
      await body(() => (client ??= clientFrom(opts)), opts, ...(args.slice(0, -1) as A));
    } catch (e) {
      fail(e);
    } finally {
      client?.close();
    }
  };
}

export function fail(e: unknown): never {
  process.stderr.write(`cairn: ${describeError(e)}\n`);
  process.exit(1);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
