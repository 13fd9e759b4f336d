import { Logger } from 'pino';
import { CasError } from '../domain/errors';
import { Metrics } from './metrics';

export type Transport = 'grpc' | 'http';
export type Direction = 'in' | 'out';

/** The result label of a call: "ok", or the domain error code in lower case ("internal" for anything else). */
export function resultOf(e: unknown): string {
  if (e === undefined) return 'ok';
  return e instanceof CasError ? e.code.toLowerCase() : 'internal';
}

const seconds = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e9;

/**
 * Metrics and structured logs of every transfer and call, for both transports, in one place.
 * A log line carries the request id, organisation, backend, digest, bytes, duration and result;
 * it never carries a token, a credential or a link signature.
 */
export class Telemetry {
  private readonly orgNames = new Map<string, string>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly metrics: Metrics,
    readonly log: Logger,
    private readonly orgNameOf: (orgId: string) => string | undefined,
  ) {}

  transfer(transport: Transport, direction: Direction, requestId: string, hex?: string): Transfer {
    this.active++;
    return new Transfer(this, transport, direction, requestId, hex);
  }

  /** Transfers begun and not yet ended (their handlers have not finished cleaning up). */
  get transfersInFlight(): number {
    return this.active;
  }

  /** Resolves when no transfer is in flight, or after `timeoutMs`; says which. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Called by Transfer.end. */
  transferEnded(): void {
    this.active--;
    if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Records one non-transfer call (management, queries, health); `quiet` ones log at debug. */
  call(transport: Transport, method: string, requestId: string, quiet = false): CallRecord {
    const started = process.hrtime.bigint();
    return {
      end: (error?: unknown, orgId?: string) => {
        const result = resultOf(error);
        const duration = seconds(started);
        this.metrics.requests.inc({ transport, method, result });
        this.metrics.requestSeconds.observe({ transport, method }, duration);
        const line = { requestId, transport, method, org: this.orgName(orgId), durationMs: Math.round(duration * 1000), result };
        if (quiet) this.log.debug(line, 'call');
        else if (result === 'ok') this.log.info(line, 'call');
        else this.log.warn({ ...line, error: error instanceof CasError ? error.message : undefined }, 'call');
      },
    };
  }

  orgName(orgId: string | undefined): string {
    if (!orgId) return '';
    let name = this.orgNames.get(orgId);
    if (name === undefined) {
      name = this.orgNameOf(orgId) ?? orgId;
      this.orgNames.set(orgId, name);
    }
    return name;
  }
}

export interface CallRecord {
  end(error?: unknown, orgId?: string): void;
}

/** One upload or download: created when the request arrives, ended exactly once. */
export class Transfer {
  private readonly started = process.hrtime.bigint();
  private orgId: string | undefined;
  private backend = '';
  private provider = '';
  private bytes = 0;
  private note: 'dedup' | 'partial' | undefined;
  private ended = false;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly transport: Transport,
    private readonly direction: Direction,
    private readonly requestId: string,
    private hex: string | undefined,
  ) {
    telemetry.metrics.inFlight.inc({ direction, transport });
  }

  org(orgId: string): this {
    this.orgId = orgId;
    return this;
  }

  at(backend: { name: string; provider: string }, hex?: string): this {
    this.backend = backend.name;
    this.provider = backend.provider;
    if (hex) this.hex = hex;
    return this;
  }

  add(n: number): void {
    this.bytes += n;
  }

  /**
   * How a successful call ended when it was not a plain transfer: "dedup" (the blob was already
   * stored, so its bytes were not needed) or "partial" (an upload that stopped to resume later).
   */
  noted(note: 'dedup' | 'partial'): this {
    this.note = note;
    return this;
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const { metrics, log } = this.telemetry;
    const { transport, direction } = this;
    const result = error === undefined && this.note ? this.note : resultOf(error);
    const org = this.telemetry.orgName(this.orgId);
    const where = { org, backend: this.backend, provider: this.provider };
    const duration = seconds(this.started);
    metrics.inFlight.dec({ direction, transport });
    this.telemetry.transferEnded();
    metrics.transfers.inc({ direction, transport, ...where, result });
    metrics.transferBytes.inc({ direction, transport, ...where, result }, this.bytes);
    metrics.transferSeconds.observe({ direction, transport, result }, duration);
    if (result === 'dedup') metrics.dedupHits.inc({ transport, ...where });
    if (result === 'digest_mismatch' || result === 'size_mismatch') metrics.digestMismatches.inc({ transport, ...where });
    const line = {
      requestId: this.requestId, transport, direction, ...where, digest: this.hex ? `sha256:${this.hex}` : '', bytes: this.bytes, durationMs: Math.round(duration * 1000), result,
    };
    if (error === undefined) log.info(line, 'transfer');
    else log.warn({ ...line, error: error instanceof CasError ? error.message : undefined }, 'transfer');
  }
}
