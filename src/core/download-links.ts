import { CasError } from '../domain/errors';
import { Caller } from '../domain/model';
import { BlobQueries } from './blob-queries';
import { TokenAuthority } from './token-authority';

export const DEFAULT_LINK_TTL_MS = 15 * 60 * 1000;
export const MAX_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Signed download links: a GET URL for one blob, for browsers and tools that hold no token. */
export class DownloadLinks {
  constructor(
    private readonly authority: TokenAuthority,
    private readonly queries: BlobQueries,
    /** The HTTP listener's public base URL; undefined when it is off. */
    private readonly baseUrl: string | undefined,
  ) {}

  create(caller: Caller, hex: string, ttlMs: number): { url: string; expiresAt: Date } {
    if (!this.baseUrl) throw new CasError('FAILED_PRECONDITION', 'download links need the HTTP listener, and this server runs without it');
    if (ttlMs < 0 || ttlMs > MAX_LINK_TTL_MS) throw new CasError('INVALID_ARGUMENT', `a link lives between 1 second and ${MAX_LINK_TTL_MS / 3_600_000} hours`);
    // Only for blobs the caller can read now (this also checks the downloader role).
    const blob = this.queries.describe(caller, hex);
    const { params, expiresAt } = this.authority.signLink(caller, blob.digest.hex, ttlMs || DEFAULT_LINK_TTL_MS);
    const query = new URLSearchParams({ ...params });
    return { url: `${this.baseUrl}/v1/blobs/sha256:${blob.digest.hex}?${query.toString()}`, expiresAt };
  }
}
