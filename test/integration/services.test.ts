import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HealthClient, HealthCheckResponse_ServingStatus } from '../../generated/grpc/health/v1/health';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

test('grpc.health.v1 answers without a token, per service and for the whole server', async () => {
  const health = new HealthClient(t.server.address, credentials.createInsecure());
  try {
    const check = (service: string) =>
      new Promise<{ code: number; status?: number }>((resolve) =>
        health.check({ service }, (err, res) => resolve(err ? { code: err.code } : { code: 0, status: res!.status })),
      );
    expect(await check('')).toEqual({ code: 0, status: HealthCheckResponse_ServingStatus.SERVING });
    expect(await check('google.bytestream.ByteStream')).toEqual({ code: 0, status: HealthCheckResponse_ServingStatus.SERVING });
    expect(await check('nope.Service')).toEqual({ code: status.NOT_FOUND });
  } finally {
    health.close();
  }
});

test('server reflection lists every service and resolves their files, without a token', async () => {
  const def = loadSync(join(__dirname, '../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pkg = loadPackageDefinition(def) as any;
  const client = new pkg.grpc.reflection.v1.ServerReflection(t.server.address, credentials.createInsecure());
  try {
    const ask = (req: object) =>
      new Promise<Record<string, any>>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        const call = client.ServerReflectionInfo(new Metadata());
        call.on('data', (res: Record<string, unknown>) => {
          resolve(res);
          call.end();
        });
        call.on('error', reject);
        call.write(req);
      });
    const listed = await ask({ listServices: '' });
    const names = listed.listServicesResponse.service.map((s: { name: string }) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['google.bytestream.ByteStream', 'cairn.cas.v1.ResourceService', 'cairn.auth.v1.TokenService', 'grpc.health.v1.Health']),
    );
    const file = await ask({ fileContainingSymbol: 'google.bytestream.ByteStream' });
    expect(file.fileDescriptorResponse.fileDescriptorProto.length).toBeGreaterThan(0);
  } finally {
    client.close();
  }
});
