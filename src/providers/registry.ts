import { join } from 'node:path';
import { Logger } from 'pino';
import { Backend } from '../domain/model';
import { ProviderId, StorageProvider } from '../domain/ports';
import { InlineProvider } from './inline/inline-provider';
import { LocalProvider } from './local/local-provider';
import { MemoryProvider } from './memory/memory-provider';

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

/*
 * The remote providers' SDKs (AWS ~20 MiB, Azure ~16 MiB, undici ~8 MiB of resident memory) are
 * loaded on first use, so a server that never talks to a store does not carry its SDK.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const s3 = () => {
  // The SDK warns on every load that future releases will need Node 22; cairn pins a Node 20 release.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return s3Modules();
};
const s3Modules = () => ({ ...(require('./aws-s3/s3-config') as typeof import('./aws-s3/s3-config')), ...(require('./aws-s3/s3-provider') as typeof import('./aws-s3/s3-provider')) });
const azure = () => ({ ...(require('./azure-blob/azure-config') as typeof import('./azure-blob/azure-config')), ...(require('./azure-blob/azure-provider') as typeof import('./azure-blob/azure-provider')) });
const oci = () => ({ ...(require('./oci/oci-config') as typeof import('./oci/oci-config')), ...(require('./oci/oci-provider') as typeof import('./oci/oci-provider')) });
/* eslint-enable @typescript-eslint/no-require-imports */

/** The one list of providers. Adding a provider is a folder plus one line here. */
export const PROVIDERS: Partial<Record<ProviderId, ProviderFactory>> = {
  local: (b, _spec, ctx) => new LocalProvider(localRootOf(ctx, b.id)),
  inline: () => new InlineProvider(),
  memory: () => new MemoryProvider(),
  'aws-s3': (_b, spec, ctx) => {
    const { S3Provider, parseS3Config, parseS3Credentials } = s3();
    return new S3Provider(parseS3Config(spec.config), parseS3Credentials(spec.credentials), ctx.log);
  },
  'azure-blob': (_b, spec, ctx) => {
    const { AzureBlobProvider, parseAzureConfig, parseAzureCredentials } = azure();
    return new AzureBlobProvider(parseAzureConfig(spec.config), parseAzureCredentials(spec.credentials), ctx.log);
  },
  oci: (b, spec) => {
    const { OciProvider, parseOciConfig, parseOciCredentials } = oci();
    return new OciProvider(parseOciConfig({ location: b.location, ...spec.config }), parseOciCredentials(spec.credentials));
  },
};

export function createProvider(backend: Backend, spec: ProviderSpec, ctx: ProviderContext): StorageProvider {
  const factory = PROVIDERS[backend.provider];
  if (!factory) throw new Error(`provider ${backend.provider} is not available in this build`);
  return factory(backend, spec, ctx);
}
