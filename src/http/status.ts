import { ServerResponse } from 'node:http';
import { Logger } from 'pino';
import { CasError, ErrorCode } from '../domain/errors';

/** The one mapping from domain error codes to HTTP statuses (the gRPC one is grpc/status.ts). */
const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  DIGEST_MISMATCH: 400,
  SIZE_MISMATCH: 400,
  SIZE_EXCEEDED: 413,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  OUT_OF_RANGE: 416,
  FAILED_PRECONDITION: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  UNAVAILABLE: 503,
  CANCELLED: 499,
  DEADLINE_EXCEEDED: 504,
  ABORTED: 409,
  DATA_LOSS: 500,
  INTERNAL: 500,
};

/** Conditions only HTTP has (no route, wrong method, no Content-Length). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Answers an error as `{"error": {"code", "message"}}`. Domain errors keep their message;
 * anything else is INTERNAL with a bland one, and the log keeps the cause.
 */
export function sendError(res: ServerResponse, e: unknown, log: Logger, context: Record<string, unknown>): void {
  let status = 500;
  let code = 'INTERNAL';
  let message = 'internal error (see the server log)';
  const headers: Record<string, string> = {};
  if (e instanceof HttpError) {
    ({ status, code, message } = e);
    Object.assign(headers, e.headers);
  } else if (e instanceof CasError && e.code !== 'INTERNAL') {
    status = HTTP_STATUS[e.code];
    code = e.code;
    message = e.message;
    if (code === 'UNAUTHENTICATED') headers['WWW-Authenticate'] = 'Bearer realm="cairn"';
  } else {
    log.error({ err: e, ...context }, 'internal error');
  }
  if (res.headersSent) {
    res.destroy(e instanceof Error ? e : new Error(message));
    return;
  }
  sendJson(res, status, { error: { code, message } }, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
