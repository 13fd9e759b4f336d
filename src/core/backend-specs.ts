import { CasError, invalidArgument } from '../domain/errors';
import { ProviderId } from '../domain/ports';

/** Providers an admin may add; `inline` exists once per organisation and `memory` is for tests. */
export const MANAGED_PROVIDERS: readonly ProviderId[] = ['oci', 'aws-s3', 'azure-blob', 'local'];

/**
 * Turns a request's location and settings into the provider's stored config. The location is
 * what listings show: `registry/repository` (oci), `bucket` (aws-s3), `account/container`
 * (azure-blob). Settings carry the rest (region, endpoint, prefix, …).
 */
export function configFor(provider: ProviderId, location: string, settings: Record<string, string>): Record<string, unknown> {
  switch (provider) {
    case 'aws-s3':
      return { bucket: location, region: settings.region ?? 'us-east-1', ...pick(settings, ['endpoint', 'prefix', 'checksum']) };
    case 'azure-blob': {
      const [storageAccount, container] = location.split('/');
      if (!storageAccount || !container) throw invalidArgument('azure-blob location must be "storage-account/container"');
      return { storageAccount, container, ...pick(settings, ['endpoint', 'prefix', 'caCertificate']) };
    }
    case 'oci':
      return { insecureHttp: settings.insecureHttp === 'true' };
    case 'local':
      return {};
    default:
      throw new CasError('INVALID_ARGUMENT', `provider ${JSON.stringify(provider)} cannot be added; choose one of ${MANAGED_PROVIDERS.join(', ')}`);
  }
}

function pick(settings: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => settings[k] !== undefined && settings[k] !== '').map((k) => [k, settings[k]!]));
}
