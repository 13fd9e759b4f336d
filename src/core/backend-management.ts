import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import { CasError, invalidArgument, notFound } from '../domain/errors';
import { Backend, Caller } from '../domain/model';
import { isBackendName } from '../domain/names';
import { ProviderId } from '../domain/ports';
import { createProvider, ProviderContext } from '../providers/registry';
import { Store } from '../store';
import { requireRole } from './access';
import { configFor, MANAGED_PROVIDERS } from './backend-specs';
import { BackendResolver } from './backend-resolver';
import { CredentialVault } from './credential-vault';

export interface NewBackendInput {
  readonly name: string;
  readonly provider: string;
  readonly location: string;
  readonly description: string;
  /** 0 for no limit. */
  readonly maxBytes: number;
  readonly makeDefault: boolean;
  readonly credentials?: Record<string, string>;
  readonly settings: Record<string, string>;
}

export interface BackendUpdate {
  readonly description?: string;
  readonly maxBytes?: number;
  readonly makeDefault: boolean;
  readonly credentials?: Record<string, string>;
}

/**
 * Backend management for an organisation's admins: every new or rotated credential is checked
 * live against the store before anything is saved; exactly one default per organisation; soft
 * delete keeps blobs readable; every change and status change leaves an audit row.
 */
export class BackendManagement {
  constructor(
    private readonly store: Store,
    private readonly backends: BackendResolver,
    private readonly vault: CredentialVault,
    private readonly ctx: ProviderContext,
    private readonly log: Logger,
  ) {}

  list(caller: Caller, includeDeleted: boolean): Backend[] {
    requireRole(caller, 'downloader', 'listing backends');
    return this.store.backends.listForOrg(caller.orgId, includeDeleted);
  }

  get(caller: Caller, name: string): Backend {
    requireRole(caller, 'downloader', 'reading backends');
    return this.find(caller, name);
  }

  async create(caller: Caller, input: NewBackendInput): Promise<Backend> {
    requireRole(caller, 'admin', 'adding backends');
    if (!isBackendName(input.name)) throw invalidArgument(`backend name ${JSON.stringify(input.name.slice(0, 70))} must be a DNS label: 1-63 of a-z, 0-9 and -, not starting or ending with -`);
    const provider = input.provider as ProviderId;
    if (!MANAGED_PROVIDERS.includes(provider)) throw invalidArgument(`provider must be one of ${MANAGED_PROVIDERS.join(', ')}`);
    if (this.store.backends.byName(caller.orgId, input.name)) throw new CasError('ALREADY_EXISTS', `backend ${JSON.stringify(input.name)} already exists`);
    if (input.maxBytes < 0) throw invalidArgument('max bytes must be 0 (no limit) or positive');
    const config = configFor(provider, input.location, input.settings);
    const draft = this.draft(caller.orgId, input.name, provider, input.location);
    await this.check(draft, config, input.credentials);
    const backend = this.store.db.transaction(() => {
      const b = this.store.backends.create({
        orgId: caller.orgId, name: input.name, provider, location: input.location, description: input.description,
        maxBytes: input.maxBytes > 0 ? input.maxBytes : null, config, status: 'OK',
      });
      this.store.backends.recordStatus(b.id, 'OK', '', new Date());
      if (input.credentials) this.store.backends.setSealedCredentials(b.id, this.vault.seal(b.id, input.credentials));
      this.store.backends.audit(caller.orgId, b.id, caller.tokenId, 'create', provider);
      if (input.makeDefault) this.makeDefault(caller, b);
      return b;
    })();
    return this.store.backends.byId(backend.id)!;
  }

  async update(caller: Caller, name: string, change: BackendUpdate): Promise<Backend> {
    requireRole(caller, 'admin', 'changing backends');
    const b = this.find(caller, name);
    if (b.deletedAt) throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(name)} is deleted`);
    if (change.maxBytes !== undefined && change.maxBytes < 0) throw invalidArgument('max bytes must be 0 (no limit) or positive');
    if (change.credentials) {
      if (b.provider === 'inline' || b.provider === 'local') throw invalidArgument(`a ${b.provider} backend has no credentials`);
      // The rotation is checked against the store before it replaces anything.
      await this.check(b, this.store.backends.configOf(b.id), change.credentials);
    }
    this.store.db.transaction(() => {
      this.store.backends.updateFields(b.id, {
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(change.maxBytes !== undefined ? { maxBytes: change.maxBytes > 0 ? change.maxBytes : null } : {}),
      });
      if (change.credentials) {
        this.store.backends.setSealedCredentials(b.id, this.vault.seal(b.id, change.credentials));
        this.backends.forget(b.id);
        this.store.backends.recordStatus(b.id, 'OK', '', new Date());
        this.store.backends.audit(caller.orgId, b.id, caller.tokenId, 'rotate');
      }
      if (change.description !== undefined || change.maxBytes !== undefined) this.store.backends.audit(caller.orgId, b.id, caller.tokenId, 'update');
      if (change.makeDefault) this.makeDefault(caller, b);
    })();
    return this.store.backends.byId(b.id)!;
  }

  /** Makes `name` the default; returns the backend and the previous default's name. */
  setDefault(caller: Caller, name: string): { backend: Backend; previous: string } {
    requireRole(caller, 'admin', 'changing the default backend');
    const b = this.find(caller, name);
    if (b.deletedAt) throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(name)} is deleted and cannot be the default`);
    const previous = this.store.db.transaction(() => this.makeDefault(caller, b))();
    return { backend: this.store.backends.byId(b.id)!, previous };
  }

  delete(caller: Caller, name: string, purge: boolean): { backend: Backend; newDefault: string } {
    requireRole(caller, 'admin', 'deleting backends');
    const b = this.find(caller, name);
    if (b.provider === 'inline') throw new CasError('FAILED_PRECONDITION', 'the inline backend cannot be deleted');
    let newDefault = '';
    this.store.db.transaction(() => {
      if (!b.deletedAt) {
        this.store.backends.softDelete(b.id);
        this.store.backends.audit(caller.orgId, b.id, caller.tokenId, 'delete');
        if (b.isDefault) {
          const inline = this.store.backends.byName(caller.orgId, 'inline')!;
          this.store.backends.setDefault(caller.orgId, inline.id);
          this.store.backends.audit(caller.orgId, inline.id, caller.tokenId, 'set-default', `after deleting ${b.name}`);
          newDefault = 'inline';
        }
      }
      if (purge) {
        this.store.backends.purge(b.id);
        this.backends.forget(b.id);
        this.store.backends.audit(caller.orgId, b.id, caller.tokenId, 'purge');
      }
    })();
    return { backend: this.store.backends.byId(b.id)!, newDefault };
  }

  /** Runs the write-permission check now and records the outcome (an audit row when the status changes). */
  async validate(caller: Caller, name: string): Promise<Backend> {
    requireRole(caller, 'admin', 'validating backends');
    const b = this.find(caller, name);
    if (b.deletedAt) throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(name)} is deleted`);
    return this.recheck(b, caller.tokenId);
  }

  /**
   * Re-runs every live backend's check in parallel (each bounded by its provider's timeout) and
   * records the results; the background revalidation calls this. Returns how many changed status.
   */
  async revalidateAll(): Promise<number> {
    const before = this.store.backends.listAll().filter((b) => b.provider !== 'inline' && b.provider !== 'memory');
    const after = await Promise.all(before.map((b) => this.recheck(b, null).catch(() => b)));
    return after.filter((b, i) => b.status !== before[i]!.status).length;
  }

  private async recheck(b: Backend, tokenId: string | null): Promise<Backend> {
    let error = '';
    try {
      const sealed = this.store.backends.sealedCredentialsOf(b.id);
      await this.check(b, this.store.backends.configOf(b.id), sealed ? this.vault.open(b.id, sealed) : undefined);
    } catch (e) {
      if (!(e instanceof CasError) || e.code !== 'FAILED_PRECONDITION') throw e;
      error = e.message;
    }
    const status = error ? 'INVALID' : 'OK';
    this.store.backends.recordStatus(b.id, status, error, new Date());
    if (status !== b.status) this.store.backends.audit(b.orgId, b.id, tokenId, 'status', `${b.status} -> ${status}`);
    return this.store.backends.byId(b.id)!;
  }

  private makeDefault(caller: Caller, b: Backend): string {
    const previous = this.store.backends.defaultOf(caller.orgId);
    if (previous?.id === b.id) return previous.name;
    this.store.backends.setDefault(caller.orgId, b.id);
    this.store.backends.audit(caller.orgId, b.id, caller.tokenId, 'set-default', previous ? `was ${previous.name}` : '');
    return previous?.name ?? '';
  }

  private find(caller: Caller, name: string): Backend {
    const b = this.store.backends.byName(caller.orgId, name);
    if (!b) throw notFound(`backend ${JSON.stringify(name.slice(0, 70))} not found in your organisation`);
    return b;
  }

  /** A backend value for a check before it exists. */
  private draft(orgId: string, name: string, provider: ProviderId, location: string): Backend {
    const now = new Date();
    return {
      id: randomUUID(), orgId, name, provider, location, description: '', maxBytes: null, isDefault: false,
      status: 'UNKNOWN', statusError: '', validatedAt: null, createdAt: now, updatedAt: now, deletedAt: null,
    };
  }

  /** The provider's live check with these settings; FAILED_PRECONDITION carrying its reason otherwise. */
  private async check(b: Backend, config: Record<string, unknown>, credentials: Record<string, string> | undefined): Promise<void> {
    let provider;
    try {
      provider = createProvider(b, { config, ...(credentials ? { credentials } : {}) }, this.ctx);
    } catch (e) {
      throw e instanceof CasError ? new CasError('INVALID_ARGUMENT', e.message) : e;
    }
    try {
      await provider.validate();
    } catch (e) {
      this.log.info({ backend: b.name, provider: b.provider, reason: (e as Error).message }, 'backend validation failed');
      throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(b.name)} failed validation: ${(e as Error).message}`);
    } finally {
      await provider.close().catch(() => undefined);
    }
  }
}
