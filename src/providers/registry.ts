import { join } from 'node:path';
import { Backend } from '../domain/model';
import { ProviderId, StorageProvider } from '../domain/ports';
import { InlineProvider } from './inline/inline-provider';
import { LocalProvider } from './local/local-provider';
import { MemoryProvider } from './memory/memory-provider';

export interface ProviderContext {
  /** The server's data directory; providers that keep files keep them below it. */
  readonly dataDir: string;
}

export type ProviderFactory = (backend: Backend, config: Record<string, unknown>, ctx: ProviderContext) => StorageProvider;

/** Where a local backend keeps its files: derived from the server's id for it, never from a client string. */
export function localRootOf(ctx: ProviderContext, backendId: string): string {
  return join(ctx.dataDir, 'local', backendId);
}

/** The one list of providers. Adding a provider is a folder plus one line here. */
export const PROVIDERS: Partial<Record<ProviderId, ProviderFactory>> = {
  local: (b, _c, ctx) => new LocalProvider(localRootOf(ctx, b.id)),
  inline: () => new InlineProvider(),
  memory: () => new MemoryProvider(),
};

export function createProvider(backend: Backend, config: Record<string, unknown>, ctx: ProviderContext): StorageProvider {
  const factory = PROVIDERS[backend.provider];
  if (!factory) throw new Error(`provider ${backend.provider} is not available in this build`);
  return factory(backend, config, ctx);
}
