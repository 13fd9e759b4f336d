/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266, RFC 5987) for a name a client chose
 * at upload: only its last path component, with control characters removed; the quoted form is
 * plain ASCII with quotes and backslashes replaced, the extended form percent-encodes the rest.
 */
export function contentDisposition(uploadedName: string, fallback: string): string {
  const last = uploadedName.replace(/\\/g, '/').split('/').pop() ?? '';
  const clean = last.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  const name = clean && clean !== '.' && clean !== '..' ? clean : fallback;
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (ascii === name) return `attachment; filename="${ascii}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** RFC 5987 attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else is %XX of its UTF-8 bytes. */
function encodeRfc5987(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}
