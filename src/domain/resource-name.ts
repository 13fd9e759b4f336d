import { Digest, parseBareHex, parseSize, truncate } from './digest';
import { invalidArgument } from './errors';
import { isBackendName } from './names';

/**
 * ByteStream resource names in the Remote Execution API form:
 *   write: [{backend}/]uploads/{uuid}/blobs/{sha256-hex}/{size}
 *   read:  [{backend}/]blobs/{sha256-hex}/{size}
 * The optional first segment names one of the caller's organisation's backends.
 */
export interface ReadResource {
  readonly backend?: string;
  readonly digest: Digest;
}

export interface WriteResource extends ReadResource {
  readonly uploadId: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RESOURCE_NAME = 512;

function segmentsOf(name: string): string[] {
  if (typeof name !== 'string' || name.length === 0) throw invalidArgument('resource_name is required');
  if (name.length > MAX_RESOURCE_NAME) throw invalidArgument(`resource_name is longer than ${MAX_RESOURCE_NAME} characters`);
  return name.split('/');
}

function backendOf(segments: string[], expected: number, name: string): string | undefined {
  if (segments.length === expected) return undefined;
  if (segments.length === expected + 1) {
    const backend = segments[0]!;
    if (!isBackendName(backend)) throw malformed(name, `backend ${JSON.stringify(truncate(backend, 40))} is not a valid backend name`);
    return backend;
  }
  throw malformed(name, 'wrong number of path segments');
}

function malformed(name: string, why: string): Error {
  return invalidArgument(`malformed resource name ${JSON.stringify(truncate(name))}: ${why}`);
}

function digestAt(segments: string[], i: number, name: string): Digest {
  if (segments[i] !== 'blobs') throw malformed(name, 'expected "blobs/{sha256-hex}/{size}"');
  try {
    return { hex: parseBareHex(segments[i + 1]!), size: parseSize(segments[i + 2]!) };
  } catch (e) {
    throw malformed(name, (e as Error).message);
  }
}

export function parseReadResource(name: string): ReadResource {
  const segments = segmentsOf(name);
  const backend = backendOf(segments, 3, name);
  const at = backend === undefined ? 0 : 1;
  const digest = digestAt(segments, at, name);
  return backend === undefined ? { digest } : { backend, digest };
}

export function parseWriteResource(name: string): WriteResource {
  const segments = segmentsOf(name);
  const backend = backendOf(segments, 5, name);
  const at = backend === undefined ? 0 : 1;
  if (segments[at] !== 'uploads') throw malformed(name, 'expected "uploads/{uuid}/blobs/{sha256-hex}/{size}"');
  const uploadId = segments[at + 1]!;
  if (!UUID_RE.test(uploadId)) throw malformed(name, 'upload id is not a UUID');
  const digest = digestAt(segments, at + 2, name);
  return { ...(backend === undefined ? {} : { backend }), uploadId: uploadId.toLowerCase(), digest };
}

export function formatReadResource(digest: Digest, backend?: string): string {
  return `${backend ? `${backend}/` : ''}blobs/${digest.hex}/${digest.size}`;
}

export function formatWriteResource(uploadId: string, digest: Digest, backend?: string): string {
  return `${backend ? `${backend}/` : ''}uploads/${uploadId}/blobs/${digest.hex}/${digest.size}`;
}
