import { CasError } from '../domain/errors';
import { Backend } from '../domain/model';
import { Store } from '../store';
import { assertMatches } from './digest-check';
import { LiveSession, UploadSessions } from './upload-sessions';

/**
 * One Write stream's view of an upload session. It enforces the ByteStream write rules
 * (each write_offset continues exactly where the committed bytes end; no byte past the
 * declared size; verify before commit) independently of the transport.
 *
 * Failures that make the upload unrecoverable (too many bytes, wrong digest, a backend error)
 * end the session and remove its staging; a client's offset mistake does not.
 */
export class WriteSession {
  private open = true;

  constructor(
    private readonly live: LiveSession,
    private readonly sessions: UploadSessions,
    private readonly store: Store,
  ) {}

  get committedSize(): number {
    return this.live.acc.size;
  }

  get backend(): Backend {
    return this.live.backend;
  }

  async append(offset: number, data: Buffer): Promise<void> {
    this.assertOpen();
    const committed = this.live.acc.size;
    if (offset !== committed) {
      throw new CasError('INVALID_ARGUMENT', `write_offset ${offset} does not continue the upload: ${committed} bytes are committed`);
    }
    if (committed + data.length > this.live.digest.size) {
      await this.fail();
      throw new CasError(
        'SIZE_MISMATCH',
        `size mismatch: expected ${this.live.digest.size} bytes, received at least ${committed + data.length}`,
      );
    }
    if (data.length === 0) return;
    // Hash while the provider takes the chunk: the two overlap instead of queueing behind each other.
    // The call's signal is deliberately not passed: bytes already accepted must land in staging even
    // when the client goes away, or the upload could not be resumed from them.
    const written = this.live.staged.write(data);
    this.live.acc.update(data);
    try {
      await written;
    } catch (e) {
      await this.fail();
      throw e;
    }
  }

  /** Verifies everything received, then commits. Returns the committed size. */
  async finish(signal?: AbortSignal): Promise<number> {
    this.assertOpen();
    const { acc, digest, backend, record, meta } = this.live;
    try {
      assertMatches(digest, acc.size, () => acc.hex());
      await this.live.staged.commit(signal);
    } catch (e) {
      await this.fail();
      throw e;
    }
    this.open = false;
    this.store.db.transaction(() => {
      this.store.blobs.insert({
        orgId: record.orgId, backendId: backend.id, hex: digest.hex, size: digest.size,
        filename: meta.filename, mediaType: meta.mediaType, createdAt: new Date(),
      });
      this.sessions.forget(this.live);
    })();
    return digest.size;
  }

  /** The stream ended without finishing: keep what arrived for a resume. Idempotent. */
  async detach(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.sessions.park(this.live);
  }

  private async fail(): Promise<void> {
    this.open = false;
    await this.sessions.end(this.live, true);
  }

  private assertOpen(): void {
    if (!this.open) throw new CasError('FAILED_PRECONDITION', 'this upload session has ended');
  }
}
