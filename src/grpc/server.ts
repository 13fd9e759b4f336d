import { Server, ServerCredentials } from '@grpc/grpc-js';
import { FastByteStreamService } from './bytestream-codec';
import { ResourceServiceService } from '../../generated/cairn/cas/v1/resource';
import { TokenServiceService } from '../../generated/cairn/auth/v1/token';
import { CasBackendServiceService } from '../../generated/cairn/cas/v1/cas_backend';
import { casBackendService } from './cas-backend-service';
import { BackendManagement } from '../core/backend-management';
import { HealthService } from '../../generated/grpc/health/v1/health';
import { byteStreamService, ByteStreamDeps } from './bytestream-service';
import { HealthState } from './health-service';
import { addReflection } from './reflection';
import { ResourceDeps, resourceService } from './resource-service';
import { tokenService } from './token-service';
import { TokenService } from '../core/tokens';

/** Accepts Write chunks up to 16 MiB; cairn's own Read chunks are 1 MiB. */
export const MAX_MESSAGE_BYTES = 16 << 20;

export const SERVICE_NAMES = ['google.bytestream.ByteStream', 'cairn.cas.v1.ResourceService', 'cairn.cas.v1.CasBackendService', 'cairn.auth.v1.TokenService'];

export interface GrpcDeps extends ByteStreamDeps, ResourceDeps {
  readonly tokens: TokenService;
  readonly management: BackendManagement;
  readonly health: HealthState;
}

export function buildGrpcServer(deps: GrpcDeps): Server {
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(FastByteStreamService, byteStreamService(deps));
  server.addService(ResourceServiceService, resourceService(deps));
  server.addService(TokenServiceService, tokenService(deps));
  server.addService(CasBackendServiceService, casBackendService(deps));
  server.addService(HealthService, deps.health.service());
  addReflection(server);
  return server;
}

export function bindServer(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port))));
}
