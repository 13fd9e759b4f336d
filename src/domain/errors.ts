/**
 * The one error type of cairn. Every layer below the transport throws a CasError with a code
 * from this closed set; grpc/status.ts is the only place that turns it into a gRPC status.
 * Anything that is not a CasError reaches a client as INTERNAL with a bland message.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'SIZE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'OUT_OF_RANGE',
  'FAILED_PRECONDITION',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
  'CANCELLED',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'DATA_LOSS',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class CasError extends Error {
  override readonly name = 'CasError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCasError(e: unknown, code?: ErrorCode): e is CasError {
  return e instanceof CasError && (code === undefined || e.code === code);
}

export const invalidArgument = (message: string): CasError => new CasError('INVALID_ARGUMENT', message);
export const notFound = (message: string): CasError => new CasError('NOT_FOUND', message);
