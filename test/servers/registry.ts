import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { ChildServer, ProcessServer, startChild } from './child-server';
import { TOKEN_ISSUER, TOKEN_SERVICE, TokenServer } from './token-server';

export const REGISTRY_USER = { username: 'cairn', password: 'registry-test-password' };

/** A free loopback port (the registry cannot report a port it picked itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The CNCF distribution registry (Debian's `docker-registry`, 2.8) with its own config on a free
 * loopback port: anonymous, htpasswd (bcrypt) basic auth, or bearer tokens from a TokenServer. Known quirks (handled in code):
 * it ignores Content-Range on PATCH and rotates the upload Location after every PATCH; GET of an
 * OCI manifest needs the OCI media type in Accept.
 */
export class RegistryServer extends ProcessServer {
  constructor(
    private readonly auth: 'none' | 'htpasswd' | 'token' = 'none',
    private readonly tokens?: TokenServer,
  ) {
    super('cairn-registry-');
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The registry cannot report a port it picked, so one is chosen first and kept across restarts. */
  protected async launch(): Promise<ChildServer> {
    if (this.port === 0) this.port = await freePort();
    const lines = [
      'version: 0.1',
      'log:',
      '  level: info',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(this.dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${this.port}`,
    ];
    if (this.auth === 'htpasswd') {
      writeFileSync(join(this.dir, 'htpasswd'), `${REGISTRY_USER.username}:${bcrypt.hashSync(REGISTRY_USER.password, 5)}\n`);
      lines.push('auth:', '  htpasswd:', '    realm: cairn-test', `    path: ${join(this.dir, 'htpasswd')}`);
    }
    if (this.auth === 'token') {
      if (!this.tokens) throw new Error('token auth needs a TokenServer');
      lines.push('auth:', '  token:', `    realm: ${this.tokens.realm}`, `    service: ${TOKEN_SERVICE}`, `    issuer: ${TOKEN_ISSUER}`, `    rootcertbundle: ${this.tokens.certPath}`);
    }
    writeFileSync(join(this.dir, 'config.yml'), lines.join('\n') + '\n');
    return startChild('docker-registry', ['serve', join(this.dir, 'config.yml')], new RegExp(`listening on 127\\.0\\.0\\.1:(${this.port})`));
  }
}
