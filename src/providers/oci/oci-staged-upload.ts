import { Digest } from '../../domain/digest';
import { CasError } from '../../domain/errors';
import { BlobMeta, StagedUpload } from '../../domain/ports';
import { evidenceManifest, EMPTY_CONFIG, EMPTY_CONFIG_DIGEST, OCI_MANIFEST_MEDIA_TYPE, tagOf } from './oci-manifest';
import { PartPipeline } from '../part-pipeline';
import { header, registryError, RegistryClient } from './registry-client';

/** Bytes per PATCH; blobs up to this size go up in one PUT after verification. */
export const OCI_CHUNK_BYTES = 8 << 20;
const MANIFEST_ATTEMPTS = 6;

/**
 * A chunked blob upload (distribution spec "pushing a blob in chunks"): POST opens a session,
 * each PATCH sends the next chunk and the registry answers with the next Location (it rotates),
 * and the final `PUT ?digest=` — which is what makes the blob exist — is sent only at commit,
 * after cairn verified the digest. The registry checks the digest again: a second line. The
 * offset is tracked here, since some registries ignore Content-Range. One PATCH at a time, as the
 * protocol requires; memory per upload is at most two chunks.
 */
export class OciStagedUpload implements StagedUpload {
  private accepted = 0;
  private sent = 0;
  private location: string | undefined;
  private readonly pipeline: PartPipeline;

  constructor(
    private readonly registry: RegistryClient,
    private readonly digest: Digest,
    private readonly meta: BlobMeta,
  ) {
    this.pipeline = new PartPipeline(OCI_CHUNK_BYTES, digest.size > OCI_CHUNK_BYTES, (body) => this.patch(body), (e) =>
      new CasError('UNAVAILABLE', 'oci backend: a chunk upload failed', { cause: e }),
    );
  }

  get size(): number {
    return this.accepted;
  }

  async write(chunk: Buffer): Promise<void> {
    await this.pipeline.add(chunk);
    this.accepted += chunk.length;
  }

  private async open(signal?: AbortSignal): Promise<string> {
    if (this.location) return this.location;
    const res = await this.registry.expect([202], 'POST', 'blobs/uploads/', { signal });
    await res.body.dump();
    const location = header(res.headers, 'location');
    if (!location) throw new CasError('UNAVAILABLE', 'oci backend: the registry opened an upload without a Location');
    this.location = location;
    return location;
  }

  /** One chunk; the registry hands out the next Location with every answer. */
  private async patch(body: Buffer): Promise<void> {
    const start = this.sent;
    const location = await this.open();
    const res = await this.registry.expect([202], 'PATCH', location, {
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length), 'content-range': `${start}-${start + body.length - 1}` },
    });
    await res.body.dump();
    this.sent += body.length;
    this.location = header(res.headers, 'location') ?? location;
  }

  async flush(): Promise<void> {
    await this.pipeline.drain();
  }

  // eslint-disable-next-line require-yield
  async *readBack(): AsyncIterable<Buffer> {
    throw new CasError('INTERNAL', 'oci backend: uploaded chunks cannot be read back');
  }

  async commit(signal?: AbortSignal): Promise<void> {
    try {
      await this.pipeline.drain();
      const rest = this.pipeline.take();
      const location = await this.open(signal);
      const url = this.registry.url(location);
      url.searchParams.set('digest', `sha256:${this.digest.hex}`);
      const put = await this.registry.expect([201], 'PUT', url.toString(), {
        body: rest,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(rest.length) },
        signal,
      });
      await put.body.dump();
      this.location = undefined;
      await this.pushManifest(signal);
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  /** The empty config blob (once per repository) and the tagged artifact manifest. */
  private async pushManifest(signal?: AbortSignal): Promise<void> {
    const head = await this.registry.send('HEAD', `blobs/${EMPTY_CONFIG_DIGEST}`, { signal });
    await head.body.dump();
    if (head.statusCode !== 200) {
      const opened = await this.registry.expect([202], 'POST', 'blobs/uploads/', { signal });
      await opened.body.dump();
      const url = this.registry.url(header(opened.headers, 'location')!);
      url.searchParams.set('digest', EMPTY_CONFIG_DIGEST);
      const put = await this.registry.expect([201], 'PUT', url.toString(), {
        body: EMPTY_CONFIG,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(EMPTY_CONFIG.length) },
        signal,
      });
      await put.body.dump();
    }
    const manifest = evidenceManifest(this.digest, this.meta);
    for (let attempt = 1; ; attempt++) {
      const res = await this.registry.send('PUT', `manifests/${tagOf(this.digest)}`, {
        body: manifest,
        headers: { 'content-type': OCI_MANIFEST_MEDIA_TYPE, 'content-length': String(manifest.length) },
        signal,
      });
      const text = res.statusCode === 201 ? '' : await res.body.text().catch(() => '');
      if (res.statusCode === 201) return void (await res.body.dump());
      // While concurrent pushes of the same digest move the blob into place, the registry can
      // briefly see a referenced blob as missing; the blob is verified, so wait and tag again.
      const racing = res.statusCode === 400 && /DIGEST_INVALID|BLOB_UNKNOWN/.test(text);
      if (!racing || attempt >= MANIFEST_ATTEMPTS) throw registryError('PUT manifest', res.statusCode, text, this.registry.config);
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }

  /** Cancels the registry's upload session; a registry that refuses leaves it to its own expiry. */
  async abort(): Promise<void> {
    await this.pipeline.discard();
    const location = this.location;
    this.location = undefined;
    if (!location) return;
    await this.registry.send('DELETE', location).then((r) => r.body.dump(), () => undefined);
  }

  async release(): Promise<void> {
    await this.abort();
  }
}
