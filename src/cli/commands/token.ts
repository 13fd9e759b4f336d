import { Command, Option } from 'commander';
import { Role } from '../../client';
import { parseDuration } from '../../config/server-config';
import { TokenInfo } from '../../../generated/cairn/auth/v1/token';
import { action, addClientOptions, printJson } from '../common';

const ROLE_BY_NAME: Record<string, Role> = { admin: Role.ROLE_ADMIN, uploader: Role.ROLE_UPLOADER, downloader: Role.ROLE_DOWNLOADER };
const ROLE_NAME: Record<number, string> = { [Role.ROLE_ADMIN]: 'admin', [Role.ROLE_UPLOADER]: 'uploader', [Role.ROLE_DOWNLOADER]: 'downloader' };

function view(t: TokenInfo) {
  return {
    id: t.id,
    role: ROLE_NAME[t.role] ?? 'unknown',
    description: t.description,
    createdAt: t.createdAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

export function tokenCommand(): Command {
  const token = new Command('token').description("manage your organisation's API tokens (admin)");

  addClientOptions(
    token
      .command('create')
      .description('create a token and print it once')
      .addOption(new Option('--role <role>', 'what the token may do').choices(Object.keys(ROLE_BY_NAME)).makeOptionMandatory())
      .option('--ttl <duration>', 'lifetime, e.g. 1h, 7d, 90d', '30d')
      .option('--description <text>', 'what the token is for', ''),
  ).action(
    action(async (client, opts) => {
      const o = opts as typeof opts & { role: string; ttl: string; description: string };
      const ttlSeconds = Math.ceil(parseDuration(o.ttl, '--ttl') / 1000);
      const res = await client.createToken(ROLE_BY_NAME[o.role]!, ttlSeconds, o.description);
      if (opts.output === 'json') return printJson({ token: res.token, ...view(res.info!) });
      process.stdout.write(`${res.token}\n`);
      process.stderr.write(`token ${res.info!.id} (${o.role}) expires ${res.info!.expiresAt?.toISOString()}; it is shown only once\n`);
    }),
  );

  addClientOptions(token.command('revoke <id>').description('revoke a token by id; it stops working at once')).action(
    action(async (client, opts, id: string) => {
      const res = await client.revokeToken(id);
      if (opts.output === 'json') return printJson(view(res.info!));
      process.stdout.write(`revoked ${res.info!.id}\n`);
    }),
  );

  addClientOptions(token.command('list').description("list the organisation's tokens (never the token strings)")).action(
    action(async (client, opts) => {
      const res = await client.listTokens();
      const rows = res.tokens.map(view);
      if (opts.output === 'json') return printJson(rows);
      for (const r of rows) {
        const state = r.revokedAt ? `revoked ${r.revokedAt}` : `expires ${r.expiresAt}`;
        process.stdout.write(`${r.id}  ${r.role.padEnd(10)} ${state}  ${r.description}\n`);
      }
    }),
  );

  return token;
}
