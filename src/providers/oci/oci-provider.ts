import { Digest, parseHex } from '../../domain/digest';
import { CasError, isCasError } from '../../domain/errors';
import { BlobMeta, ByteRange, ProviderCapabilities, StagedUpload, StorageProvider } from '../../domain/ports';
import { rangeStart, skipBytes } from '../http-range';
import { OciConfig, OciCredentials } from './oci-config';
import { OCI_MANIFEST_MEDIA_TYPE, tagOf } from './oci-manifest';
import { OciStagedUpload } from './oci-staged-upload';
import { header, registryError, RegistryClient } from './registry-client';

export const OCI_VALIDATE_TIMEOUT_MS = 15_000;

/**
 * Blobs in one repository of any OCI distribution registry (GHCR, Harbor, ECR, ACR, the CNCF
 * registry, …), each kept reachable by an artifact manifest tagged `sha256-<hex>`.
 */
export class OciProvider implements StorageProvider {
  readonly id = 'oci' as const;
  readonly capabilities: ProviderCapabilities = {
    writable: true,
    resume: true, // while the server stays up: the registry's upload session stays open
    durableResume: false,
    range: true,
    serverSideChecksum: true, // the final PUT ?digest= is checked by the registry too
  };
  readonly registry: RegistryClient;

  constructor(config: OciConfig, credentials: OciCredentials | undefined) {
    this.registry = new RegistryClient(config, credentials);
  }

  /** Present means tagged: the manifest is what keeps the blob from registry garbage collection. */
  async exists(d: Digest, signal?: AbortSignal): Promise<boolean> {
    const res = await this.registry.send('HEAD', `manifests/${tagOf({ hex: parseHex(d.hex) })}`, {
      headers: { accept: OCI_MANIFEST_MEDIA_TYPE },
      signal,
    });
    await res.body.dump();
    if (res.statusCode === 404) return false;
    if (res.statusCode !== 200) throw registryError('HEAD manifest', res.statusCode, '', this.registry.config);
    const blob = await this.registry.send('HEAD', `blobs/sha256:${d.hex}`, { signal });
    await blob.body.dump();
    return blob.statusCode === 200 && Number(header(blob.headers, 'content-length')) === d.size;
  }

  async *read(d: Digest, range: ByteRange, signal?: AbortSignal): AsyncIterable<Buffer> {
    if (range.length === 0) return;
    const res = await this.registry.send('GET', `blobs/sha256:${parseHex(d.hex)}`, {
      headers: { range: `bytes=${range.offset}-${range.offset + range.length - 1}` },
      signal,
    });
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      const text = await res.body.text().catch(() => '');
      throw registryError('GET blob', res.statusCode, text, this.registry.config);
    }
    // A 200 means the range was ignored: skip to the offset ourselves.
    const skip = res.statusCode === 206 ? range.offset - rangeStart(header(res.headers, 'content-range')) : range.offset;
    try {
      yield* skipBytes(res.body, skip);
    } catch (e) {
      throw isCasError(e) ? e : new CasError('UNAVAILABLE', 'oci backend: the blob download broke off', { cause: e });
    }
  }

  async stage(_stagingId: string, d: Digest, meta: BlobMeta): Promise<StagedUpload> {
    return new OciStagedUpload(this.registry, d, meta);
  }

  async reopen(): Promise<undefined> {
    return undefined;
  }

  async sweepStaging(): Promise<number> {
    return 0;
  }

  /** Untags the blob by deleting its manifest; the registry's garbage collection reclaims the bytes. */
  async delete(d: Digest, signal?: AbortSignal): Promise<void> {
    const head = await this.registry.send('HEAD', `manifests/${tagOf({ hex: parseHex(d.hex) })}`, { headers: { accept: OCI_MANIFEST_MEDIA_TYPE }, signal });
    await head.body.dump();
    const digest = header(head.headers, 'docker-content-digest');
    if (head.statusCode !== 200 || !digest) return;
    const res = await this.registry.expect([202, 404], 'DELETE', `manifests/${digest}`, { signal });
    await res.body.dump();
  }

  /** Push permission: open an upload session on the repository and cancel it, within a timeout. */
  async validate(signal?: AbortSignal): Promise<void> {
    const bound = AbortSignal.any([AbortSignal.timeout(OCI_VALIDATE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    try {
      const res = await this.registry.expect([202], 'POST', 'blobs/uploads/', { signal: bound });
      await res.body.dump();
      const location = header(res.headers, 'location');
      if (location) await this.registry.send('DELETE', location, { signal: bound }).then((r) => r.body.dump());
    } catch (e) {
      if (bound.aborted && !signal?.aborted) throw new CasError('UNAVAILABLE', `oci backend: validation timed out after ${OCI_VALIDATE_TIMEOUT_MS / 1000}s`, { cause: e });
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.registry.close();
  }
}

