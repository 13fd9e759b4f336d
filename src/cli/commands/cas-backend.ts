import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Credentials } from '../../../generated/cairn/cas/v1/cas_backend';
import { backendTable, backendView } from '../backend-view';
import { action, addClientOptions, CliError, GlobalOptions, printJson } from '../common';
import { confirm } from '../confirm';
import { secretFrom } from '../secrets';

type Opts = GlobalOptions & Record<string, string | boolean | undefined>;

/** How each provider's flags become a location, settings and credentials. */
interface ProviderFlags {
  readonly describe: string;
  readonly options: (cmd: Command) => Command;
  readonly location: (o: Opts) => string;
  readonly settings: (o: Opts) => Record<string, string>;
  readonly credentials: (o: Opts) => Credentials | undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const defined = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
const required = (o: Opts, key: string, flag: string): string => {
  const v = str(o[key]);
  if (!v) throw new CliError(`${flag} is required`);
  return v;
};

const PROVIDERS: Record<'oci' | 'aws-s3' | 'azure-blob', ProviderFlags> = {
  oci: {
    describe: 'an OCI registry repository (GHCR, Harbor, ECR, ACR, distribution, …)',
    options: (c) =>
      c
        .option('--repo <registry/repository>', 'e.g. ghcr.io/acme/evidence')
        .option('--username <user>', 'registry user (omit for anonymous)')
        .option('--password <password>', 'registry password or token (prefer --password-file, CAIRN_OCI_PASSWORD or --secret-stdin)')
        .option('--password-file <file>', 'read the password from a file')
        .option('--insecure-http', 'talk plain http to the registry (test registries only)'),
    location: (o) => required(o, 'repo', '--repo'),
    settings: (o): Record<string, string> => (o.insecureHttp ? { insecureHttp: 'true' } : {}),
    credentials: (o) => {
      const password = secretFrom(o, 'password', 'CAIRN_OCI_PASSWORD', o.secretStdin ? 'password' : undefined);
      if (!o.username && !password) return undefined;
      return { kind: { $case: 'oci', value: { username: str(o.username), password: password ?? '' } } };
    },
  },
  'aws-s3': {
    describe: 'an S3 bucket (AWS, or Cloudflare R2 / MinIO with --endpoint)',
    options: (c) =>
      c
        .option('--bucket <bucket>', 'bucket name')
        .option('--region <region>', 'region (R2: auto)', 'us-east-1')
        .option('--endpoint <url>', 'custom endpoint for R2, MinIO, …')
        .option('--prefix <prefix>', 'key prefix; objects live at <prefix>/sha256/<hex>')
        .addOption(new Option('--checksum <mode>', 'send SHA-256 checksums to the store').choices(['sha256', 'off']))
        .option('--access-key-id <id>', 'access key id')
        .option('--secret-access-key <key>', 'secret access key (prefer --secret-access-key-file, CAIRN_S3_SECRET_ACCESS_KEY or --secret-stdin)')
        .option('--secret-access-key-file <file>', 'read the secret access key from a file'),
    location: (o) => required(o, 'bucket', '--bucket'),
    settings: (o) => defined({ region: str(o.region), endpoint: str(o.endpoint), prefix: str(o.prefix), checksum: str(o.checksum) }),
    credentials: (o) => {
      const secret = secretFrom(o, 'secretAccessKey', 'CAIRN_S3_SECRET_ACCESS_KEY', o.secretStdin ? 'secretAccessKey' : undefined);
      if (!o.accessKeyId && !secret) return undefined;
      if (!o.accessKeyId || !secret) throw new CliError('aws-s3 credentials need --access-key-id and a secret access key');
      return { kind: { $case: 'awsS3', value: { accessKeyId: str(o.accessKeyId), secretAccessKey: secret } } };
    },
  },
  'azure-blob': {
    describe: 'an Azure Blob Storage container',
    options: (c) =>
      c
        .option('--storage-account <name>', 'storage account')
        .option('--container <name>', 'container', 'cairn')
        .option('--tenant <id>', 'service principal tenant id')
        .option('--client-id <id>', 'service principal client id')
        .option('--client-secret <secret>', 'service principal secret (prefer --client-secret-file, CAIRN_AZURE_CLIENT_SECRET or --secret-stdin)')
        .option('--client-secret-file <file>', 'read the client secret from a file')
        .option('--account-key <key>', 'storage account key instead of a service principal')
        .option('--account-key-file <file>', 'read the account key from a file')
        .option('--endpoint <url>', 'blob service URL (sovereign clouds, Azurite)')
        .option('--prefix <prefix>', 'blob name prefix')
        .option('--ca-file <pem>', 'trust this CA for the endpoint'),
    location: (o) => `${required(o, 'storageAccount', '--storage-account')}/${str(o.container) || 'cairn'}`,
    settings: (o) => defined({ endpoint: str(o.endpoint), prefix: str(o.prefix), caCertificate: o.caFile ? readFileSync(str(o.caFile), 'utf8') : '' }),
    credentials: (o) => {
      const stdinKey = o.secretStdin ? (o.accountKey !== undefined || o.accountKeyFile ? 'accountKey' : 'clientSecret') : undefined;
      const clientSecret = secretFrom(o, 'clientSecret', 'CAIRN_AZURE_CLIENT_SECRET', stdinKey);
      const accountKey = secretFrom(o, 'accountKey', 'CAIRN_AZURE_ACCOUNT_KEY', stdinKey);
      if (!clientSecret && !accountKey) return undefined;
      return { kind: { $case: 'azureBlob', value: { tenantId: str(o.tenant), clientId: str(o.clientId), clientSecret: clientSecret ?? '', accountKey: accountKey ?? '' } } };
    },
  },
};

function common(c: Command): Command {
  return c
    .requiredOption('--name <name>', 'backend name (a DNS label)')
    .option('--description <text>', 'what the backend is for')
    .option('--default', 'make it the default backend')
    .option('--max-bytes <n>', 'largest blob it takes (0: no limit)')
    .option('--secret-stdin', "read the provider's secret from standard input")
    .option('-y, --yes', 'do not ask for confirmation');
}

function maxBytesOf(o: Opts): number | undefined {
  if (o.maxBytes === undefined) return undefined;
  const n = Number(o.maxBytes);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError('--max-bytes must be a whole number of bytes, 0 for no limit');
  return n;
}

export function casBackendCommand(): Command {
  const root = new Command('cas-backend').description("manage your organisation's storage backends");
  const add = root.command('add').description('add a backend; its credentials are checked against the store first');
  const update = root.command('update').description("change a backend's description, limit or default flag, or rotate its credentials");

  for (const [name, p] of Object.entries(PROVIDERS)) {
    addClientOptions(p.options(common(add.command(name).description(`add ${p.describe}`)))).action(
      action(async (client, opts) => {
        const o = opts as Opts;
        if (o.default) await confirm(`make "${str(o.name)}" the default backend of your organisation?`, Boolean(o.yes));
        const credentials = p.credentials(o);
        const res = await client.createBackend({
          name: str(o.name), provider: name, location: p.location(o), description: str(o.description), maxBytes: maxBytesOf(o) ?? 0,
          default: Boolean(o.default), settings: { values: p.settings(o) }, ...(credentials ? { credentials } : {}),
        });
        if (o.output === 'json') return printJson(backendView(res.backend!));
        process.stdout.write(`added ${res.backend!.name} (${name}, ${res.backend!.location}): validated OK${res.backend!.default ? ', now the default' : ''}\n`);
      }),
    );
    addClientOptions(p.options(common(update.command(name).description(`change a ${name} backend`)))).action(
      action(async (client, opts) => {
        const o = opts as Opts;
        if (o.default) await confirm(`make "${str(o.name)}" the default backend of your organisation?`, Boolean(o.yes));
        const credentials = p.credentials(o);
        const maxBytes = maxBytesOf(o);
        const res = await client.updateBackend({
          name: str(o.name), default: Boolean(o.default),
          ...(o.description !== undefined ? { description: str(o.description) } : {}),
          ...(maxBytes !== undefined ? { maxBytes } : {}),
          ...(credentials ? { credentials } : {}),
        });
        if (o.output === 'json') return printJson(backendView(res.backend!));
        process.stdout.write(`updated ${res.backend!.name}${credentials ? ': new credentials validated and saved' : ''}\n`);
      }),
    );
  }

  addClientOptions(root.command('list').description('list backends: name, provider, location, default, status, validated, limit').option('--all', 'include deleted backends')).action(
    action(async (client, opts) => {
      const res = await client.listBackends(Boolean((opts as Opts).all));
      if (opts.output === 'json') return printJson(res.backends.map(backendView));
      process.stdout.write(backendTable(res.backends));
    }),
  );

  addClientOptions(root.command('set-default <name>').description('make a backend the default').option('-y, --yes', 'do not ask')).action(
    action(async (client, opts, name: string) => {
      await confirm(`make "${name}" the default backend of your organisation?`, Boolean((opts as Opts).yes));
      const res = await client.setDefaultBackend(name);
      if (opts.output === 'json') return printJson({ ...backendView(res.backend!), previousDefault: res.previousDefault });
      process.stdout.write(`${name} is now the default (was ${res.previousDefault || 'none'})\n`);
    }),
  );

  addClientOptions(root.command('validate <name>').description("run the backend's write-permission check now")).action(
    action(async (client, opts, name: string) => {
      const v = backendView((await client.validateBackend(name)).backend!);
      if (opts.output === 'json') return printJson(v);
      process.stdout.write(v.status === 'OK' ? `${name}: OK\n` : `${name}: ${v.status}: ${v.statusError}\n`);
      if (v.status !== 'OK') process.exitCode = 1;
    }),
  );

  addClientOptions(
    root
      .command('delete <name>')
      .description('stop writing to a backend (its blobs stay readable); --purge also forgets its credentials and blob index')
      .option('--purge', 'forget credentials and index rows: its blobs are no longer reachable through cairn')
      .option('-y, --yes', 'do not ask'),
  ).action(
    action(async (client, opts, name: string) => {
      const o = opts as Opts;
      await confirm(o.purge ? `delete "${name}" and forget its credentials and blob index?` : `delete "${name}"? Its blobs stay readable.`, Boolean(o.yes));
      const res = await client.deleteBackend(name, Boolean(o.purge));
      if (o.output === 'json') return printJson({ ...backendView(res.backend!), newDefault: res.newDefault });
      process.stdout.write(`deleted ${name}${o.purge ? ' (purged)' : ''}${res.newDefault ? `; ${res.newDefault} is now the default` : ''}\n`);
    }),
  );
  return root;
}
