import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

/** Every .proto the server implements; reflection serves them so grpcurl can list and call everything. */
export const SERVED_PROTOS = [
  'google/bytestream/bytestream.proto',
  'cairn/cas/v1/resource.proto',
  'cairn/cas/v1/cas_backend.proto',
  'cairn/auth/v1/token.proto',
  'grpc/health/v1/health.proto',
] as const;

/** The proto/ directory of this package, found from the running file (src/ under ts, dist/src/ when built). */
export function protoRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'proto', 'cairn'))) return join(dir, 'proto');
  }
  throw new Error(`cannot find the proto/ directory above ${from}`);
}

export function addReflection(server: Server): void {
  const pkg = loadSync([...SERVED_PROTOS], { includeDirs: [protoRoot()] });
  new ReflectionService(pkg).addToServer(server);
}
