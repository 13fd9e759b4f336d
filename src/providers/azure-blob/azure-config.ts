import { CasError } from '../../domain/errors';

/** Non-secret settings of an azure-blob backend. */
export interface AzureConfig {
  readonly storageAccount: string;
  readonly container: string;
  /** Blob service URL; `https://<account>.blob.core.windows.net` unless set (sovereign clouds, Azurite). */
  readonly endpoint: string;
  /** Blob name prefix; blobs live at `<prefix>sha256/<hex>`. */
  readonly prefix: string;
  /** PEM of a CA to trust for the endpoint (private endpoints, Azurite over https). */
  readonly caCertificate?: string;
}

/** A service principal (the usual way), or the account's shared key (the alternative). */
export type AzureCredentials =
  | { readonly kind: 'service-principal'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: 'shared-key'; readonly accountKey: string };

export function parseAzureConfig(raw: Record<string, unknown>): AzureConfig {
  const storageAccount = String(raw.storageAccount ?? '');
  if (!/^[a-z0-9]{3,24}$/.test(storageAccount)) throw invalid(`storage account ${JSON.stringify(storageAccount)} is not a storage account name`);
  const container = String(raw.container ?? 'cairn');
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container)) throw invalid(`container ${JSON.stringify(container)} is not a container name`);
  const endpoint = String(raw.endpoint || `https://${storageAccount}.blob.core.windows.net`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(endpoint)) throw invalid(`endpoint ${JSON.stringify(endpoint)} is not an http(s) URL`);
  const prefix = String(raw.prefix ?? '');
  if (prefix.length > 512 || prefix.startsWith('/') || prefix.includes('..')) throw invalid(`prefix ${JSON.stringify(prefix)} is not a usable name prefix`);
  const ca = raw.caCertificate === undefined || raw.caCertificate === '' ? undefined : String(raw.caCertificate);
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw invalid('caCertificate is not a PEM certificate');
  return { storageAccount, container, endpoint, prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix, ...(ca ? { caCertificate: ca } : {}) };
}

export function parseAzureCredentials(raw: Record<string, string> | undefined): AzureCredentials {
  if (raw?.accountKey) return { kind: 'shared-key', accountKey: raw.accountKey };
  if (raw?.tenantId && raw.clientId && raw.clientSecret) {
    return { kind: 'service-principal', tenantId: raw.tenantId, clientId: raw.clientId, clientSecret: raw.clientSecret };
  }
  throw invalid('credentials need a service principal (tenant id, client id, client secret) or an account key');
}

function invalid(why: string): CasError {
  return new CasError('INVALID_ARGUMENT', `azure-blob backend: ${why}`);
}
