import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Registry } from 'prom-client';
import { Readiness } from '../core/readiness';
import { parseBareHex, truncate } from '../domain/digest';
import { CasError, invalidArgument } from '../domain/errors';
import { requestIdFrom } from '../telemetry/request-id';
import { blobRoutes, BlobRoutesDeps } from './blobs';
import { HttpError, sendError, sendJson } from './status';

export interface HttpDeps extends BlobRoutesDeps {
  readonly readiness: Readiness;
  readonly registry: Registry;
}

export interface HttpTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCa?: Buffer;
}

const BLOB_PATH = /^\/v1\/blobs\/(.+)$/;

/**
 * The HTTP listener: PUT/GET/HEAD /v1/blobs/sha256:<hex>, /healthz, /readyz and /metrics.
 * Handlers stay thin: the blob routes call the same core use cases as gRPC.
 */
export function buildHttpServer(deps: HttpDeps, tls?: HttpTls): Server {
  const blobs = blobRoutes(deps);
  const { telemetry, readiness, registry } = deps;
  const { log } = telemetry;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    // While draining, every answer closes its connection, so keep-alive clients move on.
    if (readiness.isDraining) res.setHeader('Connection', 'close');
    const url = new URL(req.url ?? '/', 'http://cairn.invalid');
    const method = req.method ?? 'GET';
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort(new CasError('CANCELLED', 'the client went away'));
    });
    const blob = BLOB_PATH.exec(url.pathname);
    if (blob) {
      let hex: string;
      try {
        const name = blob[1]!;
        if (!name.startsWith('sha256:')) throw invalidArgument(`blob paths are /v1/blobs/sha256:<64 hex>, not /v1/blobs/${truncate(name, 40)}`);
        hex = parseBareHex(name.slice('sha256:'.length), name);
        if (method !== 'PUT' && method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, { Allow: 'PUT, GET, HEAD' });
      } catch (e) {
        const record = telemetry.call('http', `${method} /v1/blobs`, requestId);
        sendError(res, e, log, { route: url.pathname });
        return record.end(e);
      }
      const r = { req, res, hex, url, requestId, signal: ac.signal };
      void (method === 'PUT' ? blobs.put(r) : blobs.get(r, method === 'HEAD'));
      return;
    }
    const route = `${method} ${url.pathname}`;
    const record = telemetry.call('http', OPS_ROUTES.has(url.pathname) ? route : `${method} (unknown)`, requestId, true);
    ops(url.pathname, method, res).then(
      () => record.end(),
      (e) => {
        sendError(res, e, log, { route });
        record.end(e);
      },
    );
  };

  async function ops(path: string, method: string, res: ServerResponse): Promise<void> {
    if (!OPS_ROUTES.has(path)) throw new HttpError(404, 'NOT_FOUND', `no route ${truncate(path, 80)}: see /v1/blobs/sha256:<hex>, /healthz, /readyz, /metrics`);
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, { Allow: 'GET, HEAD' });
    if (path === '/healthz') return sendText(res, 200, 'ok\n', 'text/plain; charset=utf-8');
    if (path === '/readyz') {
      const report = readiness.check();
      return sendJson(res, report.ready ? 200 : 503, report);
    }
    return sendText(res, 200, await registry.metrics(), registry.contentType);
  }

  const server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handle)
    : createHttpServer(handle);
  // Answer "Expect: 100-continue" ourselves: a PUT of a blob that is already stored gets its
  // 200 before the client sends a byte.
  server.on('checkContinue', handle);
  // Large blobs take a while; only idle keep-alive connections are timed out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

const OPS_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

function sendText(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
