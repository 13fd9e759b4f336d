import { join } from 'node:path';
import { Logger } from 'pino';
import { Backend } from '../domain/model';
import { ProviderId, StorageProvider } from '../domain/ports';
import { parseS3Config, parseS3Credentials } from './aws-s3/s3-config';
import { S3Provider } from './aws-s3/s3-provider';
import { parseAzureConfig, parseAzureCredentials } from './azure-blob/azure-config';
import { AzureBlobProvider } from './azure-blob/azure-provider';
import { InlineProvider } from './inline/inline-provider';
import { LocalProvider } from './local/local-provider';
import { MemoryProvider } from './memory/memory-provider';
import { parseOciConfig, parseOciCredentials } from './oci/oci-config';
import { OciProvider } from './oci/oci-provider';

export interface ProviderContext {
  /** The server's data directory; providers that keep files keep them below it. */
  readonly dataDir: string;
  readonly log: Logger;
}

/** A backend's stored settings: non-secret config, and credentials decrypted only to build the provider. */
export interface ProviderSpec {
  readonly config: Record<string, unknown>;
  readonly credentials?: Record<string, string>;
}

export type ProviderFactory = (backend: Backend, spec: ProviderSpec, ctx: ProviderContext) => StorageProvider;

/** Where a local backend keeps its files: derived from the server's id for it, never from a client string. */
export function localRootOf(ctx: ProviderContext, backendId: string): string {
  return join(ctx.dataDir, 'local', backendId);
}

/** The one list of providers. Adding a provider is a folder plus one line here. */
export const PROVIDERS: Partial<Record<ProviderId, ProviderFactory>> = {
  local: (b, _spec, ctx) => new LocalProvider(localRootOf(ctx, b.id)),
  inline: () => new InlineProvider(),
  memory: () => new MemoryProvider(),
  'aws-s3': (_b, spec, ctx) => new S3Provider(parseS3Config(spec.config), parseS3Credentials(spec.credentials), ctx.log),
  'azure-blob': (_b, spec, ctx) => new AzureBlobProvider(parseAzureConfig(spec.config), parseAzureCredentials(spec.credentials), ctx.log),
  oci: (b, spec) => new OciProvider(parseOciConfig({ location: b.location, ...spec.config }), parseOciCredentials(spec.credentials)),
};

export function createProvider(backend: Backend, spec: ProviderSpec, ctx: ProviderContext): StorageProvider {
  const factory = PROVIDERS[backend.provider];
  if (!factory) throw new Error(`provider ${backend.provider} is not available in this build`);
  return factory(backend, spec, ctx);
}
