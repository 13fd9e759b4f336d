import { isMaterialKind } from './materials';
import type { AttestationState, MaterialRecord } from './state';

/** in-toto Statement v1 and ResourceDescriptor (in-toto attestation framework, v1). */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** A URN, so the type names no web host the project does not control. */
export const CAIRN_PREDICATE_TYPE = 'urn:cairn:predicate:evidence:v1';

/** Annotation keys on every material descriptor. */
export const ANNOTATIONS = {
  kind: 'cairn.kind',
  size: 'cairn.size',
  filename: 'cairn.filename',
  backend: 'cairn.backend.name',
  provider: 'cairn.backend.provider',
} as const;

export interface ResourceDescriptor {
  readonly name?: string;
  readonly digest?: Readonly<Record<string, string>>;
  /** base64 of the content itself (inline evidence) */
  readonly content?: string;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface MaterialDescriptor extends ResourceDescriptor {
  readonly name: string;
  readonly digest: { readonly sha256: string } & Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: {
    readonly name: string;
    readonly startedAt?: string;
    readonly finishedAt?: string;
    readonly materials: readonly MaterialDescriptor[];
  };
}

/** The descriptor of one material: digest, media type, where it is, and its bytes when inline. */
export function descriptorOf(m: MaterialRecord): MaterialDescriptor {
  const where = m.storage.kind === 'inline' ? { backend: 'inline', provider: 'inline' } : m.storage;
  return {
    name: m.name,
    digest: { sha256: m.hex },
    mediaType: m.mediaType,
    ...(m.storage.kind === 'inline' ? { content: m.storage.content } : {}),
    annotations: {
      [ANNOTATIONS.kind]: m.kind,
      [ANNOTATIONS.size]: String(m.size),
      ...(m.filename ? { [ANNOTATIONS.filename]: m.filename } : {}),
      [ANNOTATIONS.backend]: where.backend,
      [ANNOTATIONS.provider]: where.provider,
    },
  };
}

/**
 * The statement `push` signs. Its subjects are the artifacts it is about (the materials of kind
 * `artifact`); in-toto requires at least one.
 */
export function buildStatement(state: AttestationState, finishedAt = new Date()): Statement {
  const subject = state.materials.filter((m) => m.kind === 'artifact').map((m) => ({ name: m.name, digest: { sha256: m.hex } }));
  if (subject.length === 0) {
    throw new Error("the attestation names no subject: add the artifact it is about with 'cairn attestation add --kind artifact --name <name> --value <file>'");
  }
  return {
    _type: STATEMENT_TYPE,
    subject,
    predicateType: CAIRN_PREDICATE_TYPE,
    predicate: { name: state.name, startedAt: state.startedAt, finishedAt: finishedAt.toISOString(), materials: state.materials.map(descriptorOf) },
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses a statement from verified payload bytes; a clear message names what is wrong. */
export function parseStatement(payload: Buffer): Statement {
  let s: Partial<Statement>;
  try {
    s = JSON.parse(payload.toString('utf8')) as Partial<Statement>;
  } catch {
    throw new Error('the signed payload is not JSON');
  }
  if (!s || typeof s !== 'object') throw new Error('the signed payload is not a JSON object');
  if (s._type !== STATEMENT_TYPE) throw new Error(`not an in-toto Statement v1 (_type ${JSON.stringify(s._type)})`);
  if (!Array.isArray(s.subject) || s.subject.length === 0) throw new Error('the statement has no subject');
  if (s.predicateType !== CAIRN_PREDICATE_TYPE) throw new Error(`unexpected predicateType ${JSON.stringify(s.predicateType)}`);
  if (!s.predicate || !Array.isArray(s.predicate.materials)) throw new Error('the predicate lists no materials');
  for (const [what, list] of [['subject', s.subject], ['material', s.predicate.materials]] as const) {
    list.forEach((desc: ResourceDescriptor, i) => {
      if (!desc || typeof desc !== 'object' || typeof desc.name !== 'string' || !HEX64.test(desc.digest?.sha256 ?? '')) {
        throw new Error(`${what} #${i + 1} is malformed: want a name and a 64-hex digest.sha256`);
      }
    });
  }
  for (const m of s.predicate.materials) {
    if (!m.annotations || typeof m.annotations !== 'object') throw new Error(`material "${m.name}" has no annotations`);
    if (!isMaterialKind(m.annotations[ANNOTATIONS.kind] ?? '')) throw new Error(`material "${m.name}" has an unknown kind`);
    if (m.content !== undefined && (typeof m.content !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(m.content))) throw new Error(`material "${m.name}": content is not base64`);
  }
  return s as Statement;
}
