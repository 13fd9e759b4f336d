import { CasError } from '../../domain/errors';

/** Non-secret settings of an oci backend: `location` is `registry/repository`. */
export interface OciConfig {
  /** host[:port] */
  readonly registry: string;
  /** One repository holds every blob of the backend. */
  readonly repository: string;
  /** Plain http: an explicit opt-in (test registries, air-gapped mirrors); https otherwise. */
  readonly insecureHttp: boolean;
}

export interface OciCredentials {
  readonly username: string;
  readonly password: string;
}

const REPO_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

export function parseOciConfig(raw: Record<string, unknown>): OciConfig {
  const location = String(raw.location ?? '');
  const slash = location.indexOf('/');
  const registry = slash > 0 ? location.slice(0, slash) : '';
  const repository = slash > 0 ? location.slice(slash + 1) : '';
  if (!HOST_RE.test(registry) || !REPO_RE.test(repository) || repository.length > 255) {
    throw new CasError('INVALID_ARGUMENT', `oci backend: location ${JSON.stringify(location)} is not "registry/repository" (e.g. ghcr.io/acme/evidence)`);
  }
  return { registry, repository, insecureHttp: raw.insecureHttp === true };
}

export function parseOciCredentials(raw: Record<string, string> | undefined): OciCredentials | undefined {
  if (!raw?.username && !raw?.password) return undefined;
  if (!raw.username || !raw.password) throw new CasError('INVALID_ARGUMENT', 'oci backend: credentials need both a username and a password');
  return { username: raw.username, password: raw.password };
}
