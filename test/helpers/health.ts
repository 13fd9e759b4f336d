import { credentials } from '@grpc/grpc-js';
import { HealthClient } from '../../generated/grpc/health/v1/health';

/** grpc.health.v1 Check for the whole server (""): its serving status, or undefined if the call failed. */
export async function grpcServingStatus(address: string): Promise<number | undefined> {
  const health = new HealthClient(address, credentials.createInsecure());
  try {
    return await new Promise((resolve) => health.check({ service: '' }, (_e, res) => resolve(res?.status)));
  } finally {
    health.close();
  }
}
