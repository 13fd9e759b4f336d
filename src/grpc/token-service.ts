import { Telemetry } from '../telemetry/telemetry';
import { TokenAuthority } from '../core/token-authority';
import { TokenService } from '../core/tokens';
import { invalidArgument } from '../domain/errors';
import { Role as DomainRole, TokenRecord } from '../domain/model';
import { Role, TokenInfo, TokenServiceServer } from '../../generated/cairn/auth/v1/token';
import { callerOf } from './call-context';
import { unary } from './unary';

const ROLE_FROM_WIRE: Partial<Record<Role, DomainRole>> = {
  [Role.ROLE_ADMIN]: 'admin',
  [Role.ROLE_UPLOADER]: 'uploader',
  [Role.ROLE_DOWNLOADER]: 'downloader',
};
const ROLE_TO_WIRE: Record<DomainRole, Role> = { admin: Role.ROLE_ADMIN, uploader: Role.ROLE_UPLOADER, downloader: Role.ROLE_DOWNLOADER };

function toInfo(t: TokenRecord): TokenInfo {
  return {
    id: t.id,
    role: ROLE_TO_WIRE[t.role],
    description: t.description,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    ...(t.revokedAt ? { revokedAt: t.revokedAt } : {}),
  };
}

export function tokenService(deps: { authority: TokenAuthority; tokens: TokenService; telemetry: Telemetry }): TokenServiceServer {
  const { authority, tokens, telemetry } = deps;
  return {
    create: unary(
      telemetry,
      'CreateToken',
      (call) => {
        const caller = callerOf(call.metadata, authority);
        const role = ROLE_FROM_WIRE[call.request.role];
        if (!role) throw invalidArgument('role must be admin, uploader or downloader');
        return tokens.create(caller, role, call.request.ttlSeconds * 1000, call.request.description);
      },
      (r) => ({ token: r.token, info: toInfo(r.info) }),
    ),
    revoke: unary(
      telemetry,
      'RevokeToken',
      (call) => tokens.revoke(callerOf(call.metadata, authority), call.request.id),
      (t) => ({ info: toInfo(t) }),
    ),
    list: unary(
      telemetry,
      'ListTokens',
      (call) => tokens.list(callerOf(call.metadata, authority)),
      (list) => ({ tokens: list.map(toInfo) }),
    ),
  };
}
