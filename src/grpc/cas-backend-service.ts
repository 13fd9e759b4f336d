import { Telemetry } from '../telemetry/telemetry';
import { BackendManagement } from '../core/backend-management';
import { TokenAuthority } from '../core/token-authority';
import { Backend, ValidationStatus } from '../domain/model';
import {
  Backend as WireBackend,
  CasBackendServiceServer,
  Credentials,
  ValidationStatus as WireStatus,
} from '../../generated/cairn/cas/v1/cas_backend';
import { callerOf } from './call-context';
import { unary } from './unary';

const STATUS: Record<ValidationStatus, WireStatus> = {
  OK: WireStatus.VALIDATION_STATUS_OK,
  INVALID: WireStatus.VALIDATION_STATUS_INVALID,
  UNKNOWN: WireStatus.VALIDATION_STATUS_UNKNOWN,
};

/** A backend on the wire: everything but its credentials, which no answer ever carries. */
export function toWireBackend(b: Backend): WireBackend {
  return {
    name: b.name,
    provider: b.provider,
    location: b.location,
    description: b.description,
    maxBytes: b.maxBytes ?? 0,
    default: b.isDefault,
    status: STATUS[b.status],
    statusError: b.statusError,
    ...(b.validatedAt ? { validatedAt: b.validatedAt } : {}),
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
    ...(b.deletedAt ? { deletedAt: b.deletedAt } : {}),
  };
}

/** The provider-specific credential message as the flat record the providers read. */
export function credentialsOf(c: Credentials | undefined): Record<string, string> | undefined {
  const kind = c?.kind;
  if (!kind) return undefined;
  const strip = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
  switch (kind.$case) {
    case 'awsS3':
      return strip({ accessKeyId: kind.value.accessKeyId, secretAccessKey: kind.value.secretAccessKey });
    case 'azureBlob':
      return strip({ tenantId: kind.value.tenantId, clientId: kind.value.clientId, clientSecret: kind.value.clientSecret, accountKey: kind.value.accountKey });
    case 'oci':
      return strip({ username: kind.value.username, password: kind.value.password });
  }
}

export function casBackendService(deps: { authority: TokenAuthority; management: BackendManagement; telemetry: Telemetry }): CasBackendServiceServer {
  const { authority, management, telemetry } = deps;
  const caller = (call: { metadata: Parameters<typeof callerOf>[0] }) => callerOf(call.metadata, authority);
  return {
    create: unary(
      telemetry,
      'CreateBackend',
      (call) => {
        const r = call.request;
        const credentials = credentialsOf(r.credentials);
        return management.create(caller(call), {
          name: r.name, provider: r.provider, location: r.location, description: r.description, maxBytes: r.maxBytes,
          makeDefault: r.default, settings: r.settings?.values ?? {}, ...(credentials ? { credentials } : {}),
        });
      },
      (b) => ({ backend: toWireBackend(b) }),
    ),
    get: unary(telemetry, 'GetBackend', (call) => management.get(caller(call), call.request.name), (b) => ({ backend: toWireBackend(b) })),
    list: unary(telemetry, 'ListBackends', (call) => management.list(caller(call), call.request.includeDeleted), (bs) => ({ backends: bs.map(toWireBackend) })),
    update: unary(
      telemetry,
      'UpdateBackend',
      (call) => {
        const r = call.request;
        const credentials = credentialsOf(r.credentials);
        return management.update(caller(call), r.name, {
          makeDefault: r.default,
          ...(r.description !== undefined ? { description: r.description } : {}),
          ...(r.maxBytes !== undefined ? { maxBytes: r.maxBytes } : {}),
          ...(credentials ? { credentials } : {}),
        });
      },
      (b) => ({ backend: toWireBackend(b) }),
    ),
    delete: unary(
      telemetry,
      'DeleteBackend',
      (call) => management.delete(caller(call), call.request.name, call.request.purge),
      (r) => ({ backend: toWireBackend(r.backend), newDefault: r.newDefault }),
    ),
    setDefault: unary(
      telemetry,
      'SetDefaultBackend',
      (call) => management.setDefault(caller(call), call.request.name),
      (r) => ({ backend: toWireBackend(r.backend), previousDefault: r.previous }),
    ),
    validate: unary(telemetry, 'ValidateBackend', (call) => management.validate(caller(call), call.request.name), (b) => ({ backend: toWireBackend(b) })),
  };
}
