import { execFileSync } from 'node:child_process';
import { createPrivateKey, KeyObject, randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TOKEN_SERVICE = 'cairn-test-registry';
export const TOKEN_ISSUER = 'cairn-test-issuer';

/**
 * A registry token service (the distribution spec's bearer-token flow) for the tests: checks
 * HTTP basic credentials and answers with an ES256 JWT granting the requested scopes, signed by
 * a key whose self-signed certificate (made with openssl) is the registry's rootcertbundle.
 * It records every request, so tests can see scopes and caching.
 */
export class TokenServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'cairn-token-'));
  readonly certPath = join(this.dir, 'token-cert.pem');
  readonly requests: { scopes: string[]; service: string | null; authorized: boolean }[] = [];
  port = 0;
  private server: Server | undefined;
  private key!: KeyObject;
  private certDer!: string;

  constructor(
    private readonly user: { username: string; password: string },
    private readonly expiresIn = 300,
  ) {}

  get realm(): string {
    return `http://127.0.0.1:${this.port}/token`;
  }

  async start(): Promise<this> {
    const keyPath = join(this.dir, 'token-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', this.certPath, '-days', '1', '-subj', '/CN=cairn-test-token'], { stdio: 'ignore' });
    this.key = createPrivateKey(readFileSync(keyPath));
    this.certDer = new X509Certificate(readFileSync(this.certPath)).raw.toString('base64');
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const expected = `Basic ${Buffer.from(`${this.user.username}:${this.user.password}`).toString('base64')}`;
      const authorized = req.headers.authorization === expected;
      const scopes = url.searchParams.getAll('scope');
      this.requests.push({ scopes, service: url.searchParams.get('service'), authorized });
      if (!authorized) {
        res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: this.jwt(scopes, url.searchParams.get('service') ?? ''), expires_in: this.expiresIn }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  private jwt(scopes: string[], service: string): string {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
    });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = b64({ alg: 'ES256', typ: 'JWT', x5c: [this.certDer] });
    const body = b64({ iss: TOKEN_ISSUER, sub: this.user.username, aud: service, exp: now + this.expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access });
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), { key: this.key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${head}.${body}.${signature}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
