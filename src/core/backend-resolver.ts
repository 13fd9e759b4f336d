import { CasError, notFound } from '../domain/errors';
import { Backend } from '../domain/model';
import { StorageProvider } from '../domain/ports';
import { createProvider, ProviderContext } from '../providers/registry';
import { Store } from '../store';
import { CredentialVault } from './credential-vault';

/**
 * Finds an organisation's backends and the live provider object for each. Providers are built
 * once per backend and reused across calls; only a credential rotation (see forget) replaces one,
 * since name, provider and location never change and default/limit/description are read per call.
 */
export class BackendResolver {
  private readonly cache = new Map<string, StorageProvider>();

  constructor(
    private readonly store: Store,
    private readonly ctx: ProviderContext,
    private readonly vault: CredentialVault,
  ) {}

  /** The named backend, or the organisation's default. Soft-deleted ones are found (reads need them). */
  resolve(orgId: string, name?: string): Backend {
    if (name) {
      const b = this.store.backends.byName(orgId, name);
      if (!b) throw notFound(`backend ${JSON.stringify(name)} not found in your organisation`);
      return b;
    }
    const d = this.store.backends.defaultOf(orgId);
    if (!d) throw new CasError('FAILED_PRECONDITION', 'your organisation has no default backend');
    return d;
  }

  byId(id: string): Backend {
    const b = this.store.backends.byId(id);
    if (!b) throw new CasError('INTERNAL', `backend ${id} vanished`);
    return b;
  }

  /** A backend that may take new blobs: not deleted, not known to be broken. */
  resolveWritable(orgId: string, name?: string): Backend {
    const b = this.resolve(orgId, name);
    if (b.deletedAt) throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(b.name)} is deleted and takes no new blobs`);
    if (b.status === 'INVALID') {
      throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(b.name)} failed validation: ${b.statusError || 'unknown reason'}`);
    }
    return b;
  }

  provider(b: Backend): StorageProvider {
    const hit = this.cache.get(b.id);
    if (hit) return hit;
    const sealed = this.store.backends.sealedCredentialsOf(b.id);
    const spec = { config: this.store.backends.configOf(b.id), ...(sealed ? { credentials: this.vault.open(b.id, sealed) } : {}) };
    const provider = createProvider(b, spec, this.ctx);
    this.cache.set(b.id, provider);
    return provider;
  }

  /**
   * Drops the cached provider after its credentials changed; the next call builds one with the
   * new credentials. The old one is not closed: uploads already running on it finish on it.
   */
  forget(backendId: string): void {
    this.cache.delete(backendId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.cache.values()].map((p) => p.close()));
    this.cache.clear();
  }
}
