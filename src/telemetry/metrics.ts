import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Backend } from '../domain/model';

/** Seconds; transfers of a few bytes to a few GiB. */
const TRANSFER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600];
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15];

export interface BackendView {
  /** Every backend that is not deleted, with its organisation's name. */
  list(): { orgName: string; backend: Backend }[];
}

/**
 * cairn's Prometheus metrics, in a registry of their own (not prom-client's global one).
 * Label values are transport, direction, result codes, organisation/backend/provider names and
 * RPC or route names: never a token, credential, digest or file name.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly transferBytes: Counter<'direction' | 'transport' | 'org' | 'backend' | 'provider' | 'result'>;
  readonly transfers: Counter<'direction' | 'transport' | 'org' | 'backend' | 'provider' | 'result'>;
  readonly transferSeconds: Histogram<'direction' | 'transport' | 'result'>;
  readonly inFlight: Gauge<'direction' | 'transport'>;
  readonly dedupHits: Counter<'transport' | 'org' | 'backend' | 'provider'>;
  readonly digestMismatches: Counter<'transport' | 'org' | 'backend' | 'provider'>;
  readonly requests: Counter<'transport' | 'method' | 'result'>;
  readonly requestSeconds: Histogram<'transport' | 'method'>;

  constructor(backends: BackendView) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'cairn_' });
    const transferLabels = ['direction', 'transport', 'org', 'backend', 'provider', 'result'] as const;
    this.transferBytes = new Counter({ name: 'cairn_transfer_bytes_total', help: 'Blob bytes received (in) and sent (out)', labelNames: transferLabels, registers });
    this.transfers = new Counter({ name: 'cairn_transfers_total', help: 'Blob uploads (in) and downloads (out) by result', labelNames: transferLabels, registers });
    this.transferSeconds = new Histogram({
      name: 'cairn_transfer_duration_seconds', help: 'Duration of blob transfers', labelNames: ['direction', 'transport', 'result'], buckets: TRANSFER_BUCKETS, registers,
    });
    this.inFlight = new Gauge({ name: 'cairn_transfers_in_flight', help: 'Blob transfers in progress', labelNames: ['direction', 'transport'], registers });
    this.dedupHits = new Counter({ name: 'cairn_dedup_hits_total', help: 'Uploads answered at once because the blob was already stored', labelNames: ['transport', 'org', 'backend', 'provider'], registers });
    this.digestMismatches = new Counter({
      name: 'cairn_digest_mismatches_total', help: 'Uploads refused because the bytes did not match their digest or size', labelNames: ['transport', 'org', 'backend', 'provider'], registers,
    });
    this.requests = new Counter({ name: 'cairn_requests_total', help: 'RPCs and HTTP requests by method and result', labelNames: ['transport', 'method', 'result'], registers });
    this.requestSeconds = new Histogram({ name: 'cairn_request_duration_seconds', help: 'Duration of RPCs and HTTP requests', labelNames: ['transport', 'method'], buckets: REQUEST_BUCKETS, registers });
    new Gauge({
      name: 'cairn_backend_validation_ok', help: "1 when the backend's last write-permission check passed, 0 when it failed or has not run", labelNames: ['org', 'backend', 'provider'], registers,
      collect() {
        this.reset();
        for (const { orgName, backend } of backends.list()) this.set({ org: orgName, backend: backend.name, provider: backend.provider }, backend.status === 'OK' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cairn_backend_validated_timestamp_seconds', help: "When the backend's write-permission check last ran", labelNames: ['org', 'backend', 'provider'], registers,
      collect() {
        this.reset();
        for (const { orgName, backend } of backends.list()) {
          if (backend.validatedAt) this.set({ org: orgName, backend: backend.name, provider: backend.provider }, backend.validatedAt.getTime() / 1000);
        }
      },
    });
  }
}
