import { randomUUID } from 'node:crypto';
import { ClientSecretCredential, TokenCredential } from '@azure/identity';
import { Agent } from 'node:https';
import { BlobServiceClient, ContainerClient, newPipeline, RequestPolicyFactory, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Logger } from 'pino';
import { Digest, parseHex } from '../../domain/digest';
import { CasError, isCasError } from '../../domain/errors';
import { BlobMeta, ByteRange, ProviderCapabilities, StagedUpload, StorageProvider } from '../../domain/ports';
import { AzureConfig, AzureCredentials } from './azure-config';
import { azureError } from './azure-errors';
import { AzureStagedUpload } from './azure-staged-upload';

export const AZURE_VALIDATE_TIMEOUT_MS = 15_000;

/**
 * Blobs as block blobs in one container, at `<prefix>sha256/<hex>`, with the media type as
 * Content-Type and the file name as metadata. Authenticates with a service principal through a
 * TokenCredential, or with the account's shared key.
 */
export class AzureBlobProvider implements StorageProvider {
  readonly id = 'azure-blob' as const;
  readonly capabilities: ProviderCapabilities = {
    writable: true,
    resume: true, // while the server stays up
    durableResume: false,
    range: true,
    serverSideChecksum: false,
  };
  readonly container: ContainerClient;

  /** `tokenCredential` replaces the service principal (tests use a fixed token against Azurite). */
  constructor(
    readonly config: AzureConfig,
    credentials: AzureCredentials,
    _log: Logger,
    tokenCredential?: TokenCredential,
  ) {
    const credential =
      tokenCredential ??
      (credentials.kind === 'shared-key'
        ? new StorageSharedKeyCredential(config.storageAccount, credentials.accountKey)
        : new ClientSecretCredential(credentials.tenantId, credentials.clientId, credentials.clientSecret));
    const pipeline = newPipeline(credential, { retryOptions: { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 } });
    if (config.caCertificate) pipeline.factories.unshift(useAgent(new Agent({ keepAlive: true, ca: config.caCertificate })));
    this.container = new BlobServiceClient(config.endpoint, pipeline).getContainerClient(config.container);
  }

  private blobOf(d: Pick<Digest, 'hex'>) {
    return this.container.getBlockBlobClient(`${this.config.prefix}sha256/${parseHex(d.hex)}`);
  }

  async exists(d: Digest, signal?: AbortSignal): Promise<boolean> {
    try {
      return (await this.blobOf(d).getProperties({ abortSignal: signal })).contentLength === d.size;
    } catch (e) {
      const err = azureError('get properties', e, this.config.container);
      if (err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  async *read(d: Digest, range: ByteRange, signal?: AbortSignal): AsyncIterable<Buffer> {
    if (range.length === 0) return;
    let body: NodeJS.ReadableStream;
    try {
      const res = await this.blobOf(d).download(range.offset, range.length, { abortSignal: signal });
      body = res.readableStreamBody!;
    } catch (e) {
      throw azureError('download', e, this.config.container);
    }
    try {
      for await (const chunk of body) yield chunk as Buffer;
    } catch (e) {
      throw isCasError(e) ? e : azureError('read body', e, this.config.container);
    }
  }

  async stage(stagingId: string, d: Digest, meta: BlobMeta): Promise<StagedUpload> {
    return new AzureStagedUpload(this.blobOf(d), stagingId, d, meta, this.config.container);
  }

  async reopen(): Promise<undefined> {
    return undefined;
  }

  async sweepStaging(): Promise<number> {
    return 0;
  }

  async delete(d: Digest, signal?: AbortSignal): Promise<void> {
    try {
      await this.blobOf(d).deleteIfExists({ abortSignal: signal });
    } catch (e) {
      throw azureError('delete', e, this.config.container);
    }
  }

  /** Creates the container if needed (only here, never per upload), then writes, reads back and deletes a probe. */
  async validate(signal?: AbortSignal): Promise<void> {
    const bound = AbortSignal.any([AbortSignal.timeout(AZURE_VALIDATE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    const probe = this.container.getBlockBlobClient(`${this.config.prefix}cairn-probe/${randomUUID()}`);
    const body = Buffer.from(`cairn write probe ${new Date().toISOString()}`);
    try {
      await this.container.createIfNotExists({ abortSignal: bound });
      await probe.upload(body, body.length, { abortSignal: bound });
      const back = await probe.downloadToBuffer(0, undefined, { abortSignal: bound });
      if (!back.equals(body)) throw new CasError('UNAVAILABLE', 'azure-blob backend: the probe blob read back different bytes');
      await probe.delete({ abortSignal: bound });
    } catch (e) {
      if (isCasError(e)) throw e;
      if (bound.aborted && !signal?.aborted) throw new CasError('UNAVAILABLE', `azure-blob backend: validation timed out after ${AZURE_VALIDATE_TIMEOUT_MS / 1000}s`, { cause: e });
      throw azureError('validate', e, this.config.container);
    }
  }

  async close(): Promise<void> {}
}

/** A policy that sends every request through `agent` (the SDK passes `agent` through to Node's https). */
function useAgent(agent: Agent): RequestPolicyFactory {
  return {
    create: (next) => ({
      sendRequest: (request) => {
        (request as { agent?: Agent }).agent = agent;
        return next.sendRequest(request);
      },
    }),
  };
}
