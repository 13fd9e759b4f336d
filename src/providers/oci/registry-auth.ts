import { request } from 'undici';
import { CasError } from '../../domain/errors';
import { OciCredentials } from './oci-config';

/** How long a token without `expires_in` is trusted (the spec's default is 60 s). */
const DEFAULT_TOKEN_SECONDS = 60;

interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (or Basic). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  const m = /^\s*(Basic|Bearer)\b(.*)$/i.exec(header ?? '');
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: m[1]!.toLowerCase() as 'basic' | 'bearer', params };
}

/**
 * Registry authentication: anonymous, HTTP basic, or the bearer-token challenge flow of the
 * distribution spec (token from the realm named in WWW-Authenticate, for the service and each
 * scope sent as its own `scope` parameter, cached until it expires).
 */
export class RegistryAuth {
  private basic = false;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly credentials: OciCredentials | undefined) {}

  /** The Authorization header to send for these scopes, if one is known. */
  header(scopes: readonly string[]): string | undefined {
    const cached = this.tokens.get(scopes.join(' '));
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    if (this.basic && this.credentials) return basicHeader(this.credentials);
    return undefined;
  }

  /** Answers a 401: returns true when a retry with new credentials makes sense. */
  async answer(wwwAuthenticate: string | undefined, scopes: readonly string[], signal?: AbortSignal): Promise<boolean> {
    const challenge = parseChallenge(wwwAuthenticate);
    if (!challenge) return false;
    if (challenge.scheme === 'basic') {
      // Concurrent requests can all meet the challenge before any has switched to basic: each
      // retries once (the client allows one retry per request), whatever the others did.
      if (!this.credentials) return false;
      this.basic = true;
      return true;
    }
    const realm = challenge.params.realm;
    if (!realm || !/^https?:\/\//.test(realm)) return false;
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const res = await request(url, {
      method: 'GET',
      headers: this.credentials ? { authorization: basicHeader(this.credentials) } : {},
      signal,
    }).catch((e) => {
      throw new CasError('UNAVAILABLE', 'oci backend: the token service is unreachable', { cause: e });
    });
    const text = await res.body.text();
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new CasError('UNAVAILABLE', 'oci backend: the token service refused the credentials');
    }
    if (res.statusCode !== 200) throw new CasError('UNAVAILABLE', `oci backend: the token service answered ${res.statusCode}`);
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new CasError('UNAVAILABLE', 'oci backend: the token service answered something that is not JSON');
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new CasError('UNAVAILABLE', 'oci backend: the token service answered without a token');
    const seconds = Number(body.expires_in) > 0 ? Number(body.expires_in) : DEFAULT_TOKEN_SECONDS;
    // Renew a little early so a request never starts with a token about to lapse.
    this.tokens.set(scopes.join(' '), { token, expiresAt: Date.now() + Math.max(1, seconds - 5) * 1000 });
    return true;
  }
}

function basicHeader(c: OciCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
