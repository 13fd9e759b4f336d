import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import { Digest } from '../domain/digest';
import { CasError } from '../domain/errors';
import { Backend } from '../domain/model';
import { BlobMeta, StagedUpload, StorageProvider } from '../domain/ports';
import { WriteResource } from '../domain/resource-name';
import { SessionRecord, Store } from '../store';
import { BackendResolver } from './backend-resolver';
import { DigestAccumulator } from './digest-check';

export const DEFAULT_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** An upload session with its staging open and its running hash, kept between streams. */
export interface LiveSession {
  readonly record: SessionRecord;
  readonly backend: Backend;
  readonly provider: StorageProvider;
  readonly digest: Digest;
  readonly meta: BlobMeta;
  readonly staged: StagedUpload;
  readonly acc: DigestAccumulator;
  /** A Write stream is feeding it right now. */
  attached: boolean;
  /** Kept in memory only (a one-message upload): nothing to resume, no database row. */
  readonly ephemeral?: boolean;
  /** Wakes a stream waiting to take over once the current one lets go. */
  released?: () => void;
}

/**
 * How long a new stream waits for the previous one to let go: a client that lost its connection
 * often reconnects before the server has noticed and parked the old stream.
 */
export const ATTACH_WAIT_MS = 1000;

/**
 * Resumable upload sessions, keyed by (organisation, client upload id). The staging itself is
 * named by a server-generated id. The database row outlives the process; the running hash is
 * rebuilt from the staged bytes when a restarted server sees the session again.
 */
export class UploadSessions {
  private readonly live = new Map<string, LiveSession>();
  private readonly loading = new Map<string, Promise<LiveSession | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly backends: BackendResolver,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /** Opens the session for this resource, new or resumed, and marks it attached to the caller's stream. */
  async attach(orgId: string, backend: Backend, resource: WriteResource, meta: BlobMeta): Promise<LiveSession> {
    const existing = this.store.sessions.byUpload(orgId, resource.uploadId);
    if (existing) {
      if (existing.hex !== resource.digest.hex || existing.size !== resource.digest.size || existing.backendId !== backend.id) {
        throw new CasError('INVALID_ARGUMENT', `upload id ${resource.uploadId} is already in use for another blob or backend; use a new UUID`);
      }
      const live = await this.load(existing);
      if (live) return this.claim(live, ATTACH_WAIT_MS);
      this.store.sessions.delete(existing.id); // its staging is gone: start over under the same upload id
    }
    return this.claim(await this.create(orgId, backend, resource, meta), 0);
  }

  /**
   * A session for an upload whose whole body arrives in its first message: it cannot be
   * interrupted half-way, so it skips the database row and the resume bookkeeping.
   */
  async ephemeral(orgId: string, backend: Backend, resource: WriteResource, meta: BlobMeta): Promise<LiveSession> {
    const id = randomUUID();
    const now = new Date();
    const record: SessionRecord = {
      id, orgId, backendId: backend.id, uploadId: resource.uploadId, hex: resource.digest.hex, size: resource.digest.size,
      committedSize: 0, filename: meta.filename, mediaType: meta.mediaType, createdAt: now, updatedAt: now,
    };
    const provider = this.backends.provider(backend);
    const staged = await provider.stage(id, resource.digest, meta);
    return { record, backend, provider, digest: resource.digest, meta, staged, acc: new DigestAccumulator(), attached: true, ephemeral: true };
  }

  /** Whether the client's upload id already names a session (a resume). */
  exists(orgId: string, uploadId: string): boolean {
    return this.store.sessions.byUpload(orgId, uploadId) !== undefined;
  }

  private async claim(live: LiveSession, waitMs: number): Promise<LiveSession> {
    if (live.attached && waitMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        const previous = live.released;
        live.released = () => {
          previous?.();
          resolve();
        };
        timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
    }
    if (!this.live.has(live.record.id)) {
      throw new CasError('ABORTED', 'this upload ended while the stream waited for it; ask QueryWriteStatus where it stands');
    }
    if (live.attached) throw new CasError('ABORTED', 'another Write stream is feeding this upload right now');
    live.attached = true;
    return live;
  }

  private release(s: LiveSession): void {
    s.attached = false;
    const wake = s.released;
    s.released = undefined;
    wake?.();
  }

  private async create(orgId: string, backend: Backend, resource: WriteResource, meta: BlobMeta): Promise<LiveSession> {
    const id = randomUUID();
    const created = this.store.sessions.create({
      id, orgId, backendId: backend.id, uploadId: resource.uploadId, hex: resource.digest.hex,
      size: resource.digest.size, filename: meta.filename, mediaType: meta.mediaType,
    });
    if (!created) throw new CasError('ABORTED', 'another Write stream started this upload at the same moment');
    const record = this.store.sessions.byUpload(orgId, resource.uploadId)!;
    const provider = this.backends.provider(backend);
    const pending = (async () => {
      const staged = await provider.stage(id, resource.digest, meta);
      const live: LiveSession = {
        record, backend, provider, digest: resource.digest, meta, staged, acc: new DigestAccumulator(), attached: false,
      };
      this.live.set(id, live);
      return live;
    })();
    this.loading.set(id, pending);
    try {
      return (await pending)!;
    } catch (e) {
      this.store.sessions.delete(id);
      throw e;
    } finally {
      this.loading.delete(id);
    }
  }

  /** The live session for a record, reopening its staging (after a restart) when needed. */
  async load(record: SessionRecord): Promise<LiveSession | undefined> {
    const hit = this.live.get(record.id);
    if (hit) return hit;
    const pending = this.loading.get(record.id);
    if (pending) return pending;
    const p = this.reopen(record);
    this.loading.set(record.id, p);
    try {
      return await p;
    } finally {
      this.loading.delete(record.id);
    }
  }

  private async reopen(record: SessionRecord): Promise<LiveSession | undefined> {
    const backend = this.backends.byId(record.backendId);
    const provider = this.backends.provider(backend);
    const digest = { hex: record.hex, size: record.size };
    const meta = { filename: record.filename, mediaType: record.mediaType };
    const staged = await provider.reopen(record.id, digest, meta);
    if (!staged) return undefined;
    const acc = new DigestAccumulator();
    for await (const chunk of staged.readBack()) acc.update(chunk);
    if (acc.size !== staged.size || acc.size > record.size) {
      await staged.abort();
      return undefined;
    }
    this.log.info({ session: record.id, committed: acc.size }, 'resumed upload session from staging');
    const live: LiveSession = { record, backend, provider, digest, meta, staged, acc, attached: false };
    this.live.set(record.id, live);
    return live;
  }

  /** Keeps what was received for a later resume; ends the session when the provider cannot resume. */
  async park(s: LiveSession): Promise<void> {
    if (s.ephemeral || !s.provider.capabilities.resume) return this.end(s, true);
    try {
      await s.staged.flush();
      this.store.sessions.recordProgress(s.record.id, s.acc.size);
      this.release(s);
    } catch (e) {
      this.log.warn({ err: e, session: s.record.id }, 'could not park upload session; dropping it');
      await this.end(s, true);
    }
  }

  /** Drops the session's row and live entry (synchronous, so it can join a transaction). */
  forget(s: LiveSession): void {
    if (s.ephemeral) return;
    this.live.delete(s.record.id);
    this.store.sessions.delete(s.record.id);
    this.release(s);
  }

  /** Forgets the session; with abort, its staging is removed too. */
  async end(s: LiveSession, abort: boolean): Promise<void> {
    this.forget(s);
    if (abort) await s.staged.abort().catch((e) => this.log.warn({ err: e, session: s.record.id }, 'staging cleanup failed'));
  }

  /** Removes sessions untouched for the TTL, with their staging. Returns how many were removed. */
  async expire(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const record of this.store.sessions.staleSince(now - this.ttlMs)) {
      const hit = this.live.get(record.id);
      if (hit?.attached || this.loading.has(record.id)) continue;
      if (hit) {
        await this.end(hit, true);
      } else {
        const provider = this.backends.provider(this.backends.byId(record.backendId));
        const staged = await provider.reopen(record.id, { hex: record.hex, size: record.size }, record).catch(() => undefined);
        await staged?.abort();
        this.store.sessions.delete(record.id);
      }
      removed++;
    }
    if (removed > 0) this.log.info({ removed }, 'expired abandoned upload sessions');
    return removed;
  }

  /** At shutdown: let go of every parked session's handles; durable staging stays for the next start. */
  async close(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((s) => s.staged.release().catch(() => undefined)));
  }

  /** At start-up: drop staging that no session owns, and sessions whose staging cannot have survived. */
  async recover(): Promise<void> {
    for (const backend of this.store.backends.listAll()) {
      const provider = this.backends.provider(backend);
      if (!provider.capabilities.durableResume) {
        for (const id of this.store.sessions.idsForBackend(backend.id)) this.store.sessions.delete(id);
      }
      const removed = await provider.sweepStaging(this.store.sessions.idsForBackend(backend.id));
      if (removed > 0) this.log.info({ backend: backend.name, removed }, 'removed orphaned staging');
    }
  }
}
