/** in-toto Statement v1 and ResourceDescriptor (in-toto attestation framework, v1). */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** A URN, so the type names no web host the project does not control. */
export const CAIRN_PREDICATE_TYPE = 'urn:cairn:predicate:evidence:v1';

export interface ResourceDescriptor {
  readonly name?: string;
  readonly digest?: Readonly<Record<string, string>>;
  /** base64 of the content itself (inline evidence) */
  readonly content?: string;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: {
    readonly name: string;
    readonly materials: readonly (ResourceDescriptor & { readonly annotations: Readonly<Record<string, string>> })[];
  };
}

/** Parses a statement from verified payload bytes; a clear message names what is wrong. */
export function parseStatement(payload: Buffer): Statement {
  let s: Partial<Statement>;
  try {
    s = JSON.parse(payload.toString('utf8')) as Partial<Statement>;
  } catch {
    throw new Error('the signed payload is not JSON');
  }
  if (s._type !== STATEMENT_TYPE) throw new Error(`not an in-toto Statement v1 (_type ${JSON.stringify(s._type)})`);
  if (!Array.isArray(s.subject)) throw new Error('the statement has no subject list');
  if (s.predicateType !== CAIRN_PREDICATE_TYPE) throw new Error(`unexpected predicateType ${JSON.stringify(s.predicateType)}`);
  if (!s.predicate || !Array.isArray(s.predicate.materials)) throw new Error('the predicate lists no materials');
  return s as Statement;
}
