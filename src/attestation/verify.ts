import { createHash, KeyObject } from 'node:crypto';
import { DsseError, IN_TOTO_PAYLOAD_TYPE, keyIdOf, verifyEnvelope } from './dsse';
import { ANNOTATIONS, MaterialDescriptor, parseStatement, Statement } from './statement';

export type Outcome = 'ok' | 'missing' | 'tampered' | 'error';

export interface MaterialCheck {
  readonly name: string;
  readonly kind: string;
  readonly hex: string;
  readonly size: number | undefined;
  /** "inline", or the backend name (and provider) the statement says holds it */
  readonly where: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

/** Why a stored blob could not be hashed: it is gone, its bytes changed, or something else failed. */
export class BlobProblem extends Error {
  override readonly name = 'BlobProblem';
  constructor(
    readonly outcome: Exclude<Outcome, 'ok'>,
    message: string,
  ) {
    super(message);
  }
}

/** Streams a stored blob and returns the SHA-256 and size of what actually arrived. */
export interface StoredBlobs {
  hash(hex: string, size: number | undefined, backend: string | undefined): Promise<{ hex: string; size: number }>;
}

/**
 * Opens an envelope: parses JSON, checks the DSSE signature with `key`, checks the payload is an
 * in-toto statement of cairn's predicate. Throws a DsseError whose `problem` says which step failed.
 */
export function openEnvelope(bytes: Buffer, key: KeyObject): { statement: Statement; keyid: string } {
  let envelope: unknown;
  try {
    envelope = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new DsseError('malformed envelope: not JSON');
  }
  const { payloadType, payload } = verifyEnvelope(envelope, key);
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new DsseError(`malformed envelope: payloadType is ${JSON.stringify(payloadType)}, want ${IN_TOTO_PAYLOAD_TYPE}`);
  try {
    return { statement: parseStatement(payload), keyid: keyIdOf(key) };
  } catch (e) {
    throw new DsseError(`malformed statement: ${(e as Error).message}`);
  }
}

function sizeOf(d: MaterialDescriptor): number | undefined {
  const raw = d.annotations[ANNOTATIONS.size];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Re-hashes one material (inline content, or the stored blob) and compares it with the statement. */
export async function checkMaterial(d: MaterialDescriptor, blobs: StoredBlobs): Promise<MaterialCheck> {
  const hex = d.digest.sha256;
  const size = sizeOf(d);
  const backend = d.annotations[ANNOTATIONS.backend];
  const provider = d.annotations[ANNOTATIONS.provider];
  const inline = d.content !== undefined;
  const where = inline ? 'inline' : backend ? `${backend} (${provider ?? '?'})` : 'default backend';
  const base = { name: d.name, kind: d.annotations[ANNOTATIONS.kind] ?? '', hex, size, where };
  const compare = (got: { hex: string; size: number }, what: string): MaterialCheck => {
    if (got.hex === hex && (size === undefined || got.size === size)) return { ...base, outcome: 'ok', detail: '' };
    return { ...base, outcome: 'tampered', detail: `${what} hash to sha256:${got.hex} (${got.size} bytes), not the signed digest` };
  };
  if (inline) {
    const bytes = Buffer.from(d.content!, 'base64');
    return compare({ hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }, 'the embedded bytes');
  }
  if (provider === 'inline') return { ...base, outcome: 'error', detail: 'marked inline but carries no content' };
  try {
    return compare(await blobs.hash(hex, size, backend), 'the stored bytes');
  } catch (e) {
    if (e instanceof BlobProblem) return { ...base, outcome: e.outcome, detail: e.message };
    return { ...base, outcome: 'error', detail: (e as Error).message };
  }
}

/** Checks every material, a few at a time, in statement order. */
export async function checkMaterials(statement: Statement, blobs: StoredBlobs, parallel = 4): Promise<MaterialCheck[]> {
  const materials = statement.predicate.materials;
  const results: MaterialCheck[] = new Array<MaterialCheck>(materials.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < materials.length) {
      const i = next++;
      results[i] = await checkMaterial(materials[i]!, blobs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, materials.length) }, worker));
  return results;
}

/** Subjects that no material backs (a signed statement about bytes it does not carry or reference). */
export function unbackedSubjects(statement: Statement): string[] {
  const known = new Set(statement.predicate.materials.map((m) => m.digest.sha256));
  return statement.subject.filter((s) => !known.has(s.digest?.sha256 ?? '')).map((s) => s.name ?? '(unnamed)');
}
