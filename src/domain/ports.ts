import { Digest } from './digest';

/** Provider ids are constants that match the CLI's words. */
export const PROVIDER_IDS = ['local', 'inline', 'memory', 'aws-s3', 'azure-blob', 'oci'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface ProviderCapabilities {
  /** Accepts blobs through ByteStream at all (inline does not: its content lives in the attestation). */
  readonly writable: boolean;
  /** A cut-off upload keeps its staged bytes and can continue while the server stays up. */
  readonly resume: boolean;
  /** Staged bytes survive a server restart, so a resume also works after one. */
  readonly durableResume: boolean;
  /** A byte range can be read without fetching the bytes before it. */
  readonly range: boolean;
  /** The store checks a checksum cairn sends with the bytes (a second line behind cairn's own check). */
  readonly serverSideChecksum: boolean;
}

export interface BlobMeta {
  readonly filename: string;
  readonly mediaType: string;
}

export interface ByteRange {
  readonly offset: number;
  /** Bytes to read from offset; the caller never asks past the end. */
  readonly length: number;
}

/**
 * Bytes being staged for one upload session. The contract every provider keeps:
 * - nothing written here is visible under the digest until commit() resolves;
 * - commit() is only called after the core verified size and SHA-256 of exactly the bytes written;
 * - abort() removes the staging and is idempotent; after it nothing of this upload remains.
 */
export interface StagedUpload {
  /** Bytes accepted so far. */
  readonly size: number;
  /** Appends one chunk; resolves once the chunk is accepted, which is the backpressure signal. */
  write(chunk: Buffer, signal?: AbortSignal): Promise<void>;
  /** Waits until every accepted byte is durable in staging (before a session is parked). */
  flush(): Promise<void>;
  /** Streams the staged bytes back, so a restarted server can rebuild the running hash. */
  readBack(signal?: AbortSignal): AsyncIterable<Buffer>;
  /** Makes the staged bytes visible under the digest. Concurrent commits of one digest are safe. */
  commit(signal?: AbortSignal): Promise<void>;
  abort(): Promise<void>;
  /** Frees what this process holds (file handles, sockets) but keeps the staging for reopen(). */
  release(): Promise<void>;
}

/**
 * One storage backend. Providers translate their SDK's errors into CasError
 * (NOT_FOUND, UNAVAILABLE, PERMISSION_DENIED, …); no SDK error type leaves a provider.
 */
export interface StorageProvider {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  exists(digest: Digest, signal?: AbortSignal): Promise<boolean>;
  /** Streams the range; NOT_FOUND when the blob is absent. */
  read(digest: Digest, range: ByteRange, signal?: AbortSignal): AsyncIterable<Buffer>;
  /** Starts staging a new upload under a server-generated staging id. */
  stage(stagingId: string, digest: Digest, meta: BlobMeta, signal?: AbortSignal): Promise<StagedUpload>;
  /** Reopens staging left by an earlier process; undefined when there is none or it cannot survive. */
  reopen(stagingId: string, digest: Digest, meta: BlobMeta): Promise<StagedUpload | undefined>;
  /** Removes staging whose id is not in `live` (left by a crash); returns how many were removed. */
  sweepStaging(live: ReadonlySet<string>): Promise<number>;
  delete(digest: Digest, signal?: AbortSignal): Promise<void>;
  /** Live write-permission check; throws a CasError whose message never carries a secret. */
  validate(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
