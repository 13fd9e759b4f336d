import { CasError } from '../../domain/errors';

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'REQUEST_SEND_ERROR']);

/** Turns an Azure SDK error into the domain error; no RestError leaves the azure-blob provider. */
export function azureError(op: string, e: unknown, container: string): CasError {
  const err = (e ?? {}) as RestErrorLike;
  if (err.name === 'AbortError') return new CasError('CANCELLED', `azure-blob backend: ${op}: cancelled`, { cause: e });
  if (err.code === 'ContainerNotFound') return new CasError('UNAVAILABLE', `azure-blob backend: ${op}: container "${container}" does not exist`, { cause: e });
  if (err.code === 'BlobNotFound' || err.statusCode === 404) return new CasError('NOT_FOUND', `azure-blob backend: ${op}: no such blob`, { cause: e });
  if (err.statusCode === 401 || err.statusCode === 403 || err.name === 'AuthenticationError' || err.name === 'CredentialUnavailableError') {
    return new CasError('UNAVAILABLE', `azure-blob backend: ${op}: access denied (check the credentials and the role assignment)`, { cause: e });
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(`${err.code ?? ''} ${err.message ?? ''}`)) {
    return new CasError('UNAVAILABLE', `azure-blob backend: ${op}: the endpoint's TLS certificate is not trusted (set caCertificate for a private CA)`, { cause: e });
  }
  if (NETWORK_CODES.has(err.code ?? '') || /ECONNREFUSED|ECONNRESET|socket hang up/.test(err.message ?? '')) {
    return new CasError('UNAVAILABLE', `azure-blob backend: ${op}: the store is unreachable`, { cause: e });
  }
  if ((err.statusCode ?? 0) >= 500) return new CasError('UNAVAILABLE', `azure-blob backend: ${op}: the store answered ${err.statusCode}`, { cause: e });
  return new CasError('INTERNAL', `azure-blob backend: ${op} failed`, { cause: e });
}

/** A commit that lost a race to an identical blob (cairn names blobs by digest, so its content is the same). */
export function isAlreadyThere(e: unknown): boolean {
  const err = (e ?? {}) as RestErrorLike;
  return err.code === 'BlobAlreadyExists' || err.code === 'ConditionNotMet' || err.code === 'InvalidBlockList' || err.statusCode === 409 || err.statusCode === 412;
}
