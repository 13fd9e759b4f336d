import { INLINE_MAX_BYTES } from '../domain/model';
import { Org, Store } from '../store';
import { localRootOf, ProviderContext } from '../providers/registry';

/**
 * Creates an organisation with the backends every organisation has: `inline` (the fallback,
 * 500 KiB cap) and `local` (files under the data directory), the latter as default.
 */
export function provisionOrg(store: Store, ctx: ProviderContext, name: string): Org {
  return store.db.transaction(() => {
    const org = store.orgs.create(name);
    store.backends.create({
      orgId: org.id, name: 'inline', provider: 'inline', location: 'attestation', maxBytes: INLINE_MAX_BYTES, status: 'OK',
      description: 'evidence embedded in the attestation itself',
    });
    const local = store.backends.create({
      orgId: org.id, name: 'local', provider: 'local', location: '', description: 'files under the server data directory',
    });
    store.db.prepare(`UPDATE backends SET location = ? WHERE id = ?`).run(localRootOf(ctx, local.id), local.id);
    store.backends.setDefault(org.id, local.id);
    return org;
  })();
}
