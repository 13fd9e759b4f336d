import { CasError } from '../../domain/errors';

/** Non-secret settings of an aws-s3 backend (AWS S3, or Cloudflare R2 / MinIO through `endpoint`). */
export interface S3Config {
  readonly bucket: string;
  readonly region: string;
  /** Custom endpoint (R2, MinIO, …); path-style addressing is used with it. */
  readonly endpoint?: string;
  /** Key prefix; objects live at `<prefix>sha256/<hex>`. */
  readonly prefix: string;
  /** Send SHA-256 checksums for the store to check too (R2 handles checksums differently: set "off"). */
  readonly checksum: 'sha256' | 'off';
}

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks and normalises a stored config; a bad one names the setting. */
export function parseS3Config(raw: Record<string, unknown>): S3Config {
  const bucket = String(raw.bucket ?? '');
  if (!BUCKET_RE.test(bucket)) throw invalid(`bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
  const region = String(raw.region ?? 'us-east-1');
  if (!/^[a-z0-9-]{2,32}$/.test(region)) throw invalid(`region ${JSON.stringify(region)} is not a region name`);
  const endpoint = raw.endpoint === undefined || raw.endpoint === '' ? undefined : String(raw.endpoint);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/.*)?$/.test(endpoint)) throw invalid(`endpoint ${JSON.stringify(endpoint)} is not an http(s) URL`);
  const prefix = String(raw.prefix ?? '');
  if (prefix.length > 512 || prefix.startsWith('/') || prefix.includes('..')) throw invalid(`prefix ${JSON.stringify(prefix)} is not a usable key prefix`);
  const checksum = raw.checksum === 'off' ? 'off' : 'sha256';
  return { bucket, region, ...(endpoint ? { endpoint } : {}), prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix, checksum };
}

export function parseS3Credentials(raw: Record<string, string> | undefined): S3Credentials {
  if (!raw?.accessKeyId || !raw.secretAccessKey) throw invalid('credentials need an access key id and a secret access key');
  return { accessKeyId: raw.accessKeyId, secretAccessKey: raw.secretAccessKey, ...(raw.sessionToken ? { sessionToken: raw.sessionToken } : {}) };
}

function invalid(why: string): CasError {
  return new CasError('INVALID_ARGUMENT', `aws-s3 backend: ${why}`);
}
