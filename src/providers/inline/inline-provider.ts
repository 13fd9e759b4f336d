import { CasError } from '../../domain/errors';
import { INLINE_MAX_BYTES } from '../../domain/model';
import { ProviderCapabilities, StagedUpload, StorageProvider } from '../../domain/ports';

export const INLINE_REFUSAL =
  'evidence for the inline backend belongs inside the attestation itself (the ResourceDescriptor content field, ' +
  `up to ${INLINE_MAX_BYTES} bytes), not in the CAS; to store blobs, add a storage backend ` +
  "('cairn cas-backend add ...') and make it the default or name it in the resource name";

/**
 * The always-present fallback backend. It stores nothing: its content travels in the
 * attestation, so cairn refuses writes to it and never finds a blob on it.
 */
export class InlineProvider implements StorageProvider {
  readonly id = 'inline' as const;
  readonly capabilities: ProviderCapabilities = {
    writable: false,
    resume: false,
    durableResume: false,
    range: false,
    serverSideChecksum: false,
  };

  async exists(): Promise<boolean> {
    return false;
  }

  // eslint-disable-next-line require-yield
  async *read(): AsyncIterable<Buffer> {
    throw new CasError('NOT_FOUND', 'the inline backend stores no blobs');
  }

  async stage(): Promise<StagedUpload> {
    throw new CasError('FAILED_PRECONDITION', INLINE_REFUSAL);
  }

  async reopen(): Promise<undefined> {
    return undefined;
  }

  async sweepStaging(): Promise<number> {
    return 0;
  }

  async delete(): Promise<void> {}

  async validate(): Promise<void> {}

  async close(): Promise<void> {}
}
