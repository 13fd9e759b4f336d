import { Metadata, ServiceError, status } from '@grpc/grpc-js';
import { Logger } from 'pino';
import { CasError, ErrorCode } from '../domain/errors';

/** The one mapping from domain error codes to gRPC status codes. */
const GRPC_CODE: Record<ErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  DIGEST_MISMATCH: status.INVALID_ARGUMENT,
  SIZE_MISMATCH: status.INVALID_ARGUMENT,
  // gRPC's own code for "larger than allowed" (as for an oversized message).
  SIZE_EXCEEDED: status.RESOURCE_EXHAUSTED,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAVAILABLE: status.UNAVAILABLE,
  CANCELLED: status.CANCELLED,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  ABORTED: status.ABORTED,
  DATA_LOSS: status.DATA_LOSS,
  INTERNAL: status.INTERNAL,
};

/**
 * Turns anything thrown below the transport into a status for the client. Domain errors keep
 * their message; INTERNAL and unknown errors are masked and logged with their cause.
 */
export function toServiceError(e: unknown, log: Logger, context: Record<string, unknown> = {}): Partial<ServiceError> {
  if (e instanceof CasError && e.code !== 'INTERNAL') {
    return { code: GRPC_CODE[e.code], details: e.message, metadata: new Metadata() };
  }
  log.error({ err: e, ...context }, 'internal error');
  return { code: status.INTERNAL, details: 'internal error (see the server log)', metadata: new Metadata() };
}
