import { Backend, ValidationStatus } from '../../generated/cairn/cas/v1/cas_backend';
import { formatBytes } from './progress';
import { formatTable } from './table';

const STATUS: Record<number, string> = {
  [ValidationStatus.VALIDATION_STATUS_OK]: 'OK',
  [ValidationStatus.VALIDATION_STATUS_INVALID]: 'INVALID',
  [ValidationStatus.VALIDATION_STATUS_UNKNOWN]: 'UNKNOWN',
};

/** A backend as the CLI shows it (JSON output uses the same fields). */
export function backendView(b: Backend) {
  return {
    name: b.name,
    provider: b.provider,
    location: b.location,
    default: b.default,
    status: STATUS[b.status] ?? 'UNKNOWN',
    statusError: b.statusError,
    validatedAt: b.validatedAt?.toISOString() ?? null,
    maxBytes: b.maxBytes,
    description: b.description,
    deletedAt: b.deletedAt?.toISOString() ?? null,
  };
}

/** The `cas-backend list` table: name, provider, location, default, status, validated, limit. */
export function backendTable(backends: Backend[]): string {
  const rows = backends.map(backendView).map((v) => [
    v.name, v.provider, v.location, v.default ? 'yes' : '', v.deletedAt ? 'DELETED' : v.status, v.validatedAt ?? '-', v.maxBytes ? formatBytes(v.maxBytes) : '-',
  ]);
  return formatTable(['NAME', 'PROVIDER', 'LOCATION', 'DEFAULT', 'STATUS', 'VALIDATED', 'LIMIT'], rows);
}
