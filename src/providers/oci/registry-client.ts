import { Agent, Dispatcher, request } from 'undici';
import { CasError } from '../../domain/errors';
import { OciConfig, OciCredentials } from './oci-config';
import { RegistryAuth } from './registry-auth';

export const REGISTRY_CONNECT_TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 5;

export interface RegistryResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  readonly signal?: AbortSignal;
}

/**
 * HTTP to one registry over undici: authentication on 401 (retried once), redirects followed by
 * hand so that the Authorization header never goes to another host (blob storage behind a
 * redirect gets a presigned URL, not our credentials), and transport failures as UNAVAILABLE.
 */
export class RegistryClient {
  readonly base: string;
  private readonly auth: RegistryAuth;
  private readonly agent = new Agent({ connect: { timeout: REGISTRY_CONNECT_TIMEOUT_MS }, keepAliveTimeout: 10_000 });

  constructor(
    readonly config: OciConfig,
    credentials: OciCredentials | undefined,
  ) {
    this.base = `${config.insecureHttp ? 'http' : 'https'}://${config.registry}`;
    this.auth = new RegistryAuth(credentials);
  }

  get scopes(): string[] {
    return [`repository:${this.config.repository}:pull,push`];
  }

  /** Path under /v2/<repository>/, or an absolute/relative URL the registry handed out (Location). */
  url(pathOrUrl: string): URL {
    return new URL(pathOrUrl.startsWith('/') || /^https?:/.test(pathOrUrl) ? pathOrUrl : `/v2/${this.config.repository}/${pathOrUrl}`, this.base);
  }

  async send(method: Dispatcher.HttpMethod, pathOrUrl: string, opts: SendOptions = {}): Promise<RegistryResponse> {
    let url = this.url(pathOrUrl);
    let retriedAuth = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameHost = url.host === new URL(this.base).host;
      const authorization = sameHost ? this.auth.header(this.scopes) : undefined;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method,
          dispatcher: this.agent,
          headers: { ...opts.headers, ...(authorization ? { authorization } : {}) },
          ...(opts.body ? { body: opts.body } : {}),
          signal: opts.signal,
        });
      } catch (e) {
        if (opts.signal?.aborted) throw new CasError('CANCELLED', `oci backend: ${method} cancelled`, { cause: e });
        throw new CasError('UNAVAILABLE', `oci backend: registry ${this.config.registry} is unreachable`, { cause: e });
      }
      if (res.statusCode === 401 && sameHost && !retriedAuth) {
        await res.body.dump();
        retriedAuth = true;
        if (await this.auth.answer(header(res.headers, 'www-authenticate'), this.scopes, opts.signal)) {
          hop--;
          continue;
        }
        throw new CasError('UNAVAILABLE', `oci backend: registry ${this.config.registry} refused the credentials`);
      }
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && (method === 'GET' || method === 'HEAD')) {
        const location = header(res.headers, 'location');
        await res.body.dump();
        if (!location) throw new CasError('UNAVAILABLE', 'oci backend: a redirect without a Location');
        url = new URL(location, url);
        continue;
      }
      return { statusCode: res.statusCode, headers: res.headers, body: res.body };
    }
    throw new CasError('UNAVAILABLE', `oci backend: more than ${MAX_REDIRECTS} redirects`);
  }

  /** send(), then fail with a clear error unless the status is one of `ok`. */
  async expect(ok: readonly number[], method: Dispatcher.HttpMethod, pathOrUrl: string, opts: SendOptions = {}): Promise<RegistryResponse> {
    const res = await this.send(method, pathOrUrl, opts);
    if (ok.includes(res.statusCode)) return res;
    const text = (await res.body.text().catch(() => '')).slice(0, 300);
    throw registryError(`${method} ${this.url(pathOrUrl).pathname}`, res.statusCode, text, this.config);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A registry's error answer as the domain error; the body's error codes (spec) name the reason. */
export function registryError(op: string, statusCode: number, body: string, config: OciConfig): CasError {
  const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(body)?.[1];
  if (statusCode === 404 && code === 'NAME_UNKNOWN') return new CasError('UNAVAILABLE', `oci backend: repository ${config.repository} does not exist on ${config.registry}`);
  if (statusCode === 404) return new CasError('NOT_FOUND', `oci backend: ${op}: not found`);
  if (statusCode === 401 || statusCode === 403 || code === 'DENIED' || code === 'UNAUTHORIZED') {
    return new CasError('UNAVAILABLE', `oci backend: ${op}: access denied (check the credentials and the push/pull rights on ${config.repository})`);
  }
  if (statusCode === 416) return new CasError('INTERNAL', `oci backend: ${op}: the registry refused the upload range`);
  if (statusCode >= 500) return new CasError('UNAVAILABLE', `oci backend: ${op}: the registry answered ${statusCode}`);
  return new CasError('INTERNAL', `oci backend: ${op}: the registry answered ${statusCode}${code ? ` ${code}` : ''}`);
}
