import { handleServerStreamingCall, handleUnaryCall } from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import {
  HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthServer,
} from '../../generated/grpc/health/v1/health';

/**
 * grpc.health.v1. "" is the whole server; each registered service name has its own status.
 * Watch sends the current status and then every change until the client goes away. With a
 * readiness probe, every Check (and every `sync()`, which the server runs periodically for
 * watchers) sets all statuses from it, so gRPC health and /readyz agree.
 */
export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly changes = new EventEmitter();

  constructor(
    services: readonly string[],
    private readonly probe?: () => boolean,
  ) {
    for (const s of ['', ...services]) this.statuses.set(s, ServingStatus.SERVING);
    this.changes.setMaxListeners(0);
  }

  /** Brings every status in line with the readiness probe; changes reach watchers. */
  sync(): void {
    if (!this.probe) return;
    const want = this.probe() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    if (this.statuses.get('') !== want) this.setAll(want);
  }

  setAll(status: ServingStatus): void {
    for (const name of this.statuses.keys()) {
      this.statuses.set(name, status);
      this.changes.emit(name, status);
    }
  }

  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  service(): HealthServer {
    const check: handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, respond) => {
      this.sync();
      const status = this.get(call.request.service);
      if (status === undefined) respond({ code: 5, details: `unknown service ${JSON.stringify(call.request.service)}` });
      else respond(null, { status });
    };
    const watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
      const name = call.request.service;
      this.sync();
      const send = (status: ServingStatus): void => void call.write({ status });
      send(this.get(name) ?? ServingStatus.SERVICE_UNKNOWN);
      this.changes.on(name, send);
      call.on('cancelled', () => this.changes.off(name, send));
    };
    return { check, watch };
  }
}

export { ServingStatus };
