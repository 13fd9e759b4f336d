import { Logger } from 'pino';
import { BlobQueries } from '../core/blob-queries';
import { TokenAuthority } from '../core/token-authority';
import { makeDigest, parseHex } from '../domain/digest';
import { invalidArgument } from '../domain/errors';
import { ResourceServiceServer } from '../../generated/cairn/cas/v1/resource';
import { callerOf } from './call-context';
import { unary } from './unary';

export const MAX_FIND_MISSING_DIGESTS = 10_000;

export function resourceService(deps: { authority: TokenAuthority; queries: BlobQueries; log: Logger }): ResourceServiceServer {
  const { authority, queries, log } = deps;
  return {
    describe: unary(
      log,
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
      log,
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
  };
}
