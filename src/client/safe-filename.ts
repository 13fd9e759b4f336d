import { basename } from 'node:path';

/**
 * A file name reported by the server is display data: this keeps only a plain final path
 * component, so nothing it says can lead a download outside the chosen directory.
 * Returns undefined when nothing safe is left.
 */
export function safeFilename(reported: string): string | undefined {
  const last = basename(reported.replace(/\\/g, '/'));
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!clean || clean === '.' || clean === '..' || clean.includes('/')) return undefined;
  return Buffer.byteLength(clean) > 255 ? undefined : clean;
}
