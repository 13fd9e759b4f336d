import { createHash } from 'node:crypto';
import { Digest } from '../../domain/digest';
import { BlobMeta } from '../../domain/ports';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const EVIDENCE_ARTIFACT_TYPE = 'application/vnd.cairn.evidence.v1';
/** The OCI image spec's empty descriptor: the two bytes `{}`. */
export const EMPTY_CONFIG = Buffer.from('{}');
export const EMPTY_CONFIG_DIGEST = `sha256:${createHash('sha256').update(EMPTY_CONFIG).digest('hex')}`;

/** The tag that keeps a blob reachable: one per digest, all in the backend's one repository. */
export function tagOf(d: Pick<Digest, 'hex'>): string {
  return `sha256-${d.hex}`;
}

/**
 * An OCI artifact manifest for one piece of evidence (image-spec 1.1 "artifact" guidance):
 * artifactType, the empty config, one layer with the evidence's media type and its file name as
 * the title annotation. Tagged by digest, it keeps the blob out of registry garbage collection.
 */
export function evidenceManifest(d: Digest, meta: BlobMeta): Buffer {
  const layer = {
    mediaType: meta.mediaType || 'application/octet-stream',
    digest: `sha256:${d.hex}`,
    size: d.size,
    ...(meta.filename ? { annotations: { 'org.opencontainers.image.title': meta.filename } } : {}),
  };
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: EVIDENCE_ARTIFACT_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG.length },
      layers: [layer],
    }),
  );
}
