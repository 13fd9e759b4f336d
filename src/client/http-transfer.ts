import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, IncomingMessage, request as httpRequest, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { Digest } from '../domain/digest';
import { FILENAME_HEADER } from '../domain/names';

/** An HTTP answer that is not success, with the server's error code and message. */
export class HttpTransferError extends Error {
  override readonly name = 'HttpTransferError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpEndpoint {
  /** e.g. http://127.0.0.1:9401 */
  readonly baseUrl: string;
  readonly token?: string;
  /** PEM files: a CA to trust, and a client certificate and key for servers that ask for one. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Network failures after which an upload is tried again from the start (HTTP uploads do not resume). */
const RETRYABLE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** Failures that mean nothing reached the server: auto mode falls back to gRPC. */
export const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
export const HTTP_UPLOAD_ATTEMPTS = 3;
/** How long an upload waits for "100 Continue" before sending its body anyway. */
export const CONTINUE_WAIT_MS = 1000;

/** One keep-alive agent per endpoint, with the TLS material read once. */
function agentFor(e: HttpEndpoint): HttpAgent {
  const tls = {
    ...(e.ca ? { ca: readFileSync(e.ca) } : {}),
    ...(e.cert ? { cert: readFileSync(e.cert) } : {}),
    ...(e.key ? { key: readFileSync(e.key) } : {}),
  };
  return e.baseUrl.startsWith('https:') ? new HttpsAgent({ keepAlive: true, ...tls }) : new HttpAgent({ keepAlive: true });
}

export class HttpTransfers {
  private readonly agent: HttpAgent;

  constructor(private readonly endpoint: HttpEndpoint) {
    this.agent = agentFor(endpoint);
  }

  /**
   * PUT /v1/blobs/sha256:<hex> with `Expect: 100-continue`, so a blob the server already holds
   * costs no body. Returns whether the server stored it now (false: it was there already).
   */
  async upload(
    digest: Digest,
    open: () => Readable,
    opts: { backend?: string; filename?: string; mediaType?: string; onProgress?: (sent: number) => void } = {},
  ): Promise<{ created: boolean; backend: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.putOnce(digest, open, opts);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (attempt >= HTTP_UPLOAD_ATTEMPTS || !RETRYABLE.has(code)) throw e;
      }
    }
  }

  private async putOnce(
    digest: Digest,
    open: () => Readable,
    opts: { backend?: string; filename?: string; mediaType?: string; onProgress?: (sent: number) => void },
  ): Promise<{ created: boolean; backend: string }> {
    const query = opts.backend ? `?backend=${encodeURIComponent(opts.backend)}` : '';
    const req = this.request('PUT', `/v1/blobs/sha256:${digest.hex}${query}`, {
      'Content-Length': String(digest.size),
      Expect: '100-continue',
      'Content-Type': opts.mediaType ?? 'application/octet-stream',
      ...(opts.filename ? { [FILENAME_HEADER]: encodeURIComponent(opts.filename) } : {}),
    });
    const response = once(req, 'response').then(([r]) => r as IncomingMessage);
    response.catch(() => undefined);
    let source: Readable | undefined;
    const sendBody = () => {
      if (source || req.destroyed) return;
      let sent = 0;
      source = open();
      source.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        opts.onProgress?.(sent);
      });
      source.on('error', (e) => req.destroy(e));
      source.pipe(req);
    };
    req.on('continue', sendBody);
    // A proxy that swallows "Expect: 100-continue" would leave us waiting: send anyway after a
    // moment, as curl does.
    const fallback = setTimeout(sendBody, CONTINUE_WAIT_MS);
    response.then(() => clearTimeout(fallback), () => clearTimeout(fallback));
    req.flushHeaders();
    try {
      const res = await response;
      const body = (await readJson(res)) as { created?: boolean; backend?: string };
      if (res.statusCode === 200 || res.statusCode === 201) {
        opts.onProgress?.(digest.size);
        return { created: res.statusCode === 201, backend: body.backend ?? '' };
      }
      throw errorOf(res.statusCode ?? 0, body);
    } finally {
      source?.destroy();
      // No body was sent (the blob was there already, or the server refused): this request cannot be reused.
      if (!source) req.destroy();
    }
  }

  /** GET of a whole blob (or a range) as a stream of chunks; fails if the connection is cut short. */
  async *download(hex: string, backend?: string): AsyncIterable<Buffer> {
    const query = backend ? `?backend=${encodeURIComponent(backend)}` : '';
    const req = this.request('GET', `/v1/blobs/sha256:${hex}${query}`, {});
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    if (res.statusCode !== 200 && res.statusCode !== 206) throw errorOf(res.statusCode ?? 0, await readJson(res));
    const expected = Number(res.headers['content-length']);
    let got = 0;
    const cutShort = () => new HttpTransferError(0, 'DATA_LOSS', `the download was cut short after ${got} of ${expected} bytes (the server stopped sending)`);
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        got += chunk.length;
        yield chunk;
      }
    } catch (e) {
      // The server aborts a response whose stored bytes fail their re-hash; node reports "aborted".
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as Error).message === 'aborted') throw cutShort();
      throw e;
    }
    if (!res.complete || (Number.isFinite(expected) && got !== expected)) throw cutShort();
  }

  close(): void {
    this.agent.destroy();
  }

  private request(method: string, path: string, headers: Record<string, string>) {
    const url = new URL(path, this.endpoint.baseUrl.replace(/\/?$/, '/'));
    const options: RequestOptions = {
      method,
      agent: this.agent,
      headers: { ...headers, ...(this.endpoint.token ? { Authorization: `Bearer ${this.endpoint.token}` } : {}) },
    };
    return url.protocol === 'https:' ? httpsRequest(url, options) : httpRequest(url, options);
  }
}

async function readJson(res: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) parts.push(c);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  } catch {
    return {};
  }
}

function errorOf(status: number, body: unknown): HttpTransferError {
  const err = (body as { error?: { code?: string; message?: string } }).error;
  return new HttpTransferError(status, err?.code ?? `HTTP_${status}`, err?.message ?? `the server answered HTTP ${status}`);
}
