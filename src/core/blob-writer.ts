import { Logger } from 'pino';
import { formatDigest, isEmptyDigest } from '../domain/digest';
import { CasError, notFound } from '../domain/errors';
import { Backend, Caller } from '../domain/model';
import { cleanFilename, cleanMediaType } from '../domain/names';
import { WriteResource } from '../domain/resource-name';
import { Store } from '../store';
import { INLINE_REFUSAL } from '../providers/inline/inline-provider';
import { requireRole } from './access';
import { BackendResolver } from './backend-resolver';
import { UploadSessions } from './upload-sessions';
import { WriteSession } from './write-session';

export interface WriteMeta {
  readonly filename?: string;
  readonly mediaType?: string;
}

/** Either the blob is already there (dedup, empty blob) or a session is open to receive it. */
export type WriteStart =
  | { readonly kind: 'complete'; readonly size: number; readonly backend: Backend }
  | { readonly kind: 'open'; readonly session: WriteSession };

/** What the transport saw in the first message, so a one-message upload can skip resume bookkeeping. */
export interface FirstMessage {
  readonly offset: number;
  readonly length: number;
  readonly finish: boolean;
}

export interface WriteStatus {
  readonly committedSize: number;
  readonly complete: boolean;
}

/** The write use case: every rule a Write must pass before bytes are accepted, for any transport. */
export class BlobWriter {
  constructor(
    private readonly store: Store,
    private readonly backends: BackendResolver,
    private readonly sessions: UploadSessions,
    private readonly log: Logger,
  ) {}

  async start(caller: Caller, resource: WriteResource, meta: WriteMeta, first?: FirstMessage): Promise<WriteStart> {
    requireRole(caller, 'uploader', 'writing blobs');
    const backend = this.backends.resolveWritable(caller.orgId, resource.backend);
    const { digest } = resource;
    if (isEmptyDigest(digest)) return { kind: 'complete', size: 0, backend };
    if (!this.backends.provider(backend).capabilities.writable) {
      throw new CasError('FAILED_PRECONDITION', `backend ${JSON.stringify(backend.name)} is inline: ${INLINE_REFUSAL}`);
    }
    assertWithinLimit(backend, digest.size);
    if (await this.isStored(caller.orgId, backend, digest.hex, digest.size)) {
      return { kind: 'complete', size: digest.size, backend };
    }
    const clean = { filename: cleanFilename(meta.filename), mediaType: cleanMediaType(meta.mediaType) };
    const whole = first !== undefined && first.offset === 0 && first.finish && first.length === digest.size;
    const live =
      whole && !this.sessions.exists(caller.orgId, resource.uploadId)
        ? await this.sessions.ephemeral(caller.orgId, backend, resource, clean)
        : await this.sessions.attach(caller.orgId, backend, resource, clean);
    return { kind: 'open', session: new WriteSession(live, this.sessions, this.store) };
  }

  async status(caller: Caller, resource: WriteResource): Promise<WriteStatus> {
    requireRole(caller, 'uploader', 'querying uploads');
    const backend = this.backends.resolve(caller.orgId, resource.backend);
    const { digest } = resource;
    if (isEmptyDigest(digest)) return { committedSize: 0, complete: true };
    if (this.store.blobs.get(caller.orgId, backend.id, digest.hex)) return { committedSize: digest.size, complete: true };
    const record = this.store.sessions.byUpload(caller.orgId, resource.uploadId);
    if (record && record.hex === digest.hex && record.size === digest.size && record.backendId === backend.id) {
      const live = await this.sessions.load(record);
      if (live) return { committedSize: live.acc.size, complete: false };
      this.store.sessions.delete(record.id);
    }
    throw notFound(`no upload ${resource.uploadId} of ${formatDigest(digest)} is in progress`);
  }

  /** The index says so and the backend still has it; a vanished blob's index row is dropped so it can be uploaded again. */
  private async isStored(orgId: string, backend: Backend, hex: string, size: number): Promise<boolean> {
    if (!this.store.blobs.get(orgId, backend.id, hex)) return false;
    if (await this.backends.provider(backend).exists({ hex, size })) return true;
    this.log.warn({ backend: backend.name, digest: hex }, 'indexed blob is missing from its backend; accepting a new upload');
    this.store.blobs.remove(orgId, backend.id, hex);
    return false;
  }
}

export function assertWithinLimit(backend: Backend, size: number): void {
  if (backend.maxBytes !== null && size > backend.maxBytes) {
    throw new CasError(
      'SIZE_EXCEEDED',
      `blob of ${size} bytes exceeds the ${backend.maxBytes}-byte limit of backend ${JSON.stringify(backend.name)}`,
    );
  }
}
