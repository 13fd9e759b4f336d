/** Backend and organisation names follow DNS-label rules (RFC 1123): 1–63 of [a-z0-9-], no edge hyphen. */
const DNS_LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isBackendName(s: string): boolean {
  return DNS_LABEL_RE.test(s);
}

export const isOrgName = isBackendName;

/** Request headers (gRPC metadata or HTTP) that carry a blob's file name (percent-encoded) and media type. */
export const FILENAME_HEADER = 'x-cairn-filename';
export const MEDIA_TYPE_HEADER = 'x-cairn-media-type';

/** Header values are ASCII, so clients percent-encode file names (encodeURIComponent); a value that does not decode is taken as is. */
export function decodeHeaderText(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * File names reported by clients are display data only: never a path. This keeps printable
 * characters, drops control characters and caps the length so logs and listings stay sane.
 */
export function cleanFilename(s: string | undefined): string {
  if (!s) return '';
  return s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
}

const MEDIA_TYPE_RE = /^[A-Za-z0-9!#$&^_.+-]{1,127}\/[A-Za-z0-9!#$&^_.+-]{1,127}(\s*;.*)?$/;

export function cleanMediaType(s: string | undefined): string {
  if (!s) return 'application/octet-stream';
  const t = s.trim();
  return MEDIA_TYPE_RE.test(t) && t.length <= 255 ? t : 'application/octet-stream';
}
