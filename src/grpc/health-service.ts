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
 * Watch sends the current status and then every change until the client goes away.
 */
export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly changes = new EventEmitter();

  constructor(services: readonly string[]) {
    for (const s of ['', ...services]) this.statuses.set(s, ServingStatus.SERVING);
    this.changes.setMaxListeners(0);
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
      const status = this.get(call.request.service);
      if (status === undefined) respond({ code: 5, details: `unknown service ${JSON.stringify(call.request.service)}` });
      else respond(null, { status });
    };
    const watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
      const name = call.request.service;
      const send = (status: ServingStatus): void => void call.write({ status });
      send(this.get(name) ?? ServingStatus.SERVICE_UNKNOWN);
      this.changes.on(name, send);
      call.on('cancelled', () => this.changes.off(name, send));
    };
    return { check, watch };
  }
}

export { ServingStatus };
