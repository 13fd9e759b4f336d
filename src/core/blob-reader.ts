import { formatDigest, isEmptyDigest } from '../domain/digest';
import { CasError, notFound } from '../domain/errors';
import { Backend, BlobRecord, Caller } from '../domain/model';
import { ReadResource } from '../domain/resource-name';
import { Store } from '../store';
import { requireRole } from './access';
import { BackendResolver } from './backend-resolver';
import { verifiedRead } from './digest-check';
import { rechunk } from './rechunk';

export interface ReadRequestRange {
  readonly offset: number;
  /** 0 means to the end. */
  readonly limit: number;
}

export interface OpenRead {
  readonly blob: BlobRecord | undefined;
  /** Where it is read from (undefined for the empty blob, which lives nowhere). */
  readonly backend: Backend | undefined;
  /** Bytes this read will deliver. */
  readonly length: number;
  readonly chunks: AsyncIterable<Buffer>;
}

/** The read use case: tenant-scoped lookup, range rules, and re-verification of full reads. */
export class BlobReader {
  constructor(
    private readonly store: Store,
    private readonly backends: BackendResolver,
  ) {}

  /** The organisation's record of a blob, through one named backend or any of its backends. */
  locate(caller: Caller, hex: string, backendName?: string): BlobRecord {
    requireRole(caller, 'downloader', 'reading blobs');
    const blob = backendName
      ? this.store.blobs.get(caller.orgId, this.backends.resolve(caller.orgId, backendName).id, hex)
      : this.store.blobs.find(caller.orgId, hex);
    if (!blob) throw notFound(`blob ${formatDigest({ hex })} not found`);
    return blob;
  }

  open(caller: Caller, resource: ReadResource, range: ReadRequestRange, signal?: AbortSignal): OpenRead {
    const { digest } = resource;
    if (range.offset < 0) throw new CasError('OUT_OF_RANGE', `read_offset ${range.offset} is negative`);
    if (range.limit < 0) throw new CasError('INVALID_ARGUMENT', `read_limit ${range.limit} is negative`);
    if (isEmptyDigest(digest)) {
      requireRole(caller, 'downloader', 'reading blobs');
      if (range.offset > 0) throw outOfRange(range.offset, 0);
      return { blob: undefined, backend: undefined, length: 0, chunks: empty() };
    }
    const blob = this.locate(caller, digest.hex, resource.backend);
    if (blob.size !== digest.size) throw notFound(`blob ${formatDigest(digest)} of ${digest.size} bytes not found`);
    if (range.offset > digest.size) throw outOfRange(range.offset, digest.size);
    const remaining = digest.size - range.offset;
    const length = range.limit === 0 ? remaining : Math.min(range.limit, remaining);
    const backend = this.backends.byId(blob.backendId);
    const source = rechunk(this.backends.provider(backend).read(digest, { offset: range.offset, length }, signal));
    const full = range.offset === 0 && length === digest.size;
    return { blob, backend, length, chunks: full ? verifiedRead(source, digest) : exactly(source, length, digest) };
  }
}

/** A ranged read delivers exactly `length` bytes: extra bytes from a store are cut, a short store is DATA_LOSS. */
async function* exactly(source: AsyncIterable<Buffer>, length: number, digest: { hex: string }): AsyncIterable<Buffer> {
  let left = length;
  for await (const chunk of source) {
    if (left === 0) break;
    const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
    left -= part.length;
    yield part;
  }
  if (left > 0) throw new CasError('DATA_LOSS', `stored bytes of ${formatDigest(digest)} end ${left} bytes early`);
}

function outOfRange(offset: number, size: number): CasError {
  return new CasError('OUT_OF_RANGE', `read_offset ${offset} is past the end of the ${size}-byte blob`);
}

async function* empty(): AsyncIterable<Buffer> {}
