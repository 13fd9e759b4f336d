import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate the CA never signed. */
  readonly rogueCert: string;
  readonly rogueKey: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A throwaway CA (P-256, one day) with a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function makeTestPki(dir: string): TestPki {
  const at = (n: string) => join(dir, n);
  openssl(['req', '-x509', ...newKey, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '1', '-subj', '/CN=cairn-test-ca']);
  const issue = (name: string, subject: string, ext: string) => {
    writeFileSync(at(`${name}.ext`), ext);
    openssl(['req', ...newKey, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', subject]);
    openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', '1', '-extfile', at(`${name}.ext`)]);
  };
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=ci-runner', 'extendedKeyUsage=clientAuth\n');
  openssl(['req', '-x509', ...newKey, '-keyout', at('rogue.key'), '-out', at('rogue.pem'), '-days', '1', '-subj', '/CN=rogue']);
  return {
    ca: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key'), clientCert: at('client.pem'), clientKey: at('client.key'), rogueCert: at('rogue.pem'), rogueKey: at('rogue.key'),
  };
}
