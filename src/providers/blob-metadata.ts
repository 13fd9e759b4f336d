import { BlobMeta } from '../domain/ports';

/** User metadata travels in HTTP headers (S3, Azure), so the file name is percent-encoded there. */
export function metadataOf(meta: BlobMeta): Record<string, string> {
  return meta.filename ? { filename: encodeURIComponent(meta.filename) } : {};
}
