import { Telemetry } from '../telemetry/telemetry';
import { BlobQueries } from '../core/blob-queries';
import { TokenAuthority } from '../core/token-authority';
import { makeDigest, parseHex } from '../domain/digest';
import { invalidArgument } from '../domain/errors';
import { ResourceServiceServer } from '../../generated/cairn/cas/v1/resource';
import { callerOf } from './call-context';
import { unary } from './unary';
import { DownloadLinks } from '../core/download-links';
import { VERSION } from '../version';

export const MAX_FIND_MISSING_DIGESTS = 10_000;

export interface ResourceDeps {
  readonly authority: TokenAuthority;
  readonly queries: BlobQueries;
  readonly links: DownloadLinks;
  readonly telemetry: Telemetry;
  /** The HTTP data path's base URL, when the listener is on. */
  readonly httpUrl: string | undefined;
}

export function resourceService(deps: ResourceDeps): ResourceServiceServer {
  const { authority, queries, links, telemetry } = deps;
  return {
    describe: unary(
      telemetry,
      'Describe',
      (call) => queries.describe(callerOf(call.metadata, authority), parseHex(call.request.digest), call.request.backend || undefined),
      (d) => ({
        digest: { hash: d.digest.hex, sizeBytes: d.digest.size },
        filename: d.filename,
        mediaType: d.mediaType,
        backend: d.backend,
        provider: d.provider,
        ...(d.createdAt ? { createdAt: d.createdAt } : {}),
        inlineMaxBytes: d.inlineMaxBytes,
      }),
    ),
    findMissing: unary(
      telemetry,
      'FindMissing',
      (call) => {
        const caller = callerOf(call.metadata, authority);
        if (call.request.digests.length > MAX_FIND_MISSING_DIGESTS) {
          throw invalidArgument(`FindMissing takes at most ${MAX_FIND_MISSING_DIGESTS} digests per call`);
        }
        const digests = call.request.digests.map((d) => makeDigest(d.hash, d.sizeBytes));
        return queries.findMissing(caller, digests, call.request.backend || undefined);
      },
      (missing) => ({ missing: missing.map((d) => ({ hash: d.hex, sizeBytes: d.size })) }),
    ),
    createDownloadLink: unary(
      telemetry,
      'CreateDownloadLink',
      (call) => links.create(callerOf(call.metadata, authority), parseHex(call.request.digest), call.request.ttlSeconds * 1000),
      (l) => ({ url: l.url, expiresAt: l.expiresAt }),
    ),
    getServerInfo: unary(
      telemetry,
      'GetServerInfo',
      (call) => callerOf(call.metadata, authority),
      () => ({ version: VERSION, httpUrl: deps.httpUrl ?? '' }),
    ),
  };
}
