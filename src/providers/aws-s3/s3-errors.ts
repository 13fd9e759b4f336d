import { CasError } from '../../domain/errors';

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ECONNABORTED']);

/**
 * Turns an AWS SDK error into the domain error. The message names the operation and the kind of
 * failure, never a credential. No SDK error type leaves the aws-s3 provider.
 */
export function s3Error(op: string, e: unknown, bucket: string): CasError {
  const err = (e ?? {}) as SdkLikeError;
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (name === 'AbortError' || err.code === 'ABORT_ERR') return new CasError('CANCELLED', `aws-s3 backend: ${op}: cancelled`, { cause: e });
  if (name === 'NoSuchBucket') return new CasError('UNAVAILABLE', `aws-s3 backend: ${op}: bucket "${bucket}" does not exist`, { cause: e });
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new CasError('NOT_FOUND', `aws-s3 backend: ${op}: no such blob`, { cause: e });
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied' || status === 403 || status === 401) {
    return new CasError('UNAVAILABLE', `aws-s3 backend: ${op}: access denied (check the credentials and the bucket policy)`, { cause: e });
  }
  if (name === 'TimeoutError' || NETWORK_CODES.has(err.code ?? '') || NETWORK_CODES.has(name) || /socket hang up|ECONNREFUSED|ECONNRESET/.test(err.message ?? '')) {
    return new CasError('UNAVAILABLE', `aws-s3 backend: ${op}: the store is unreachable`, { cause: e });
  }
  if (status !== undefined && status >= 500) return new CasError('UNAVAILABLE', `aws-s3 backend: ${op}: the store answered ${status}`, { cause: e });
  return new CasError('INTERNAL', `aws-s3 backend: ${op} failed`, { cause: e });
}
