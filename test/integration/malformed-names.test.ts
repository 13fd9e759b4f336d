import { status } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus } from '../../generated/grpc/health/v1/health';
import { grpcServingStatus } from '../helpers/health';
import { randomBlob } from '../helpers/bytes';
import { queryStatus, rawRead, rawWrite } from '../helpers/bytestream';
import { malformedNames } from '../helpers/malformed-names';
import { stagingFiles } from '../helpers/local-files';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

async function inBatches<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

test('thousands of malformed resource names are all INVALID_ARGUMENT and the server stays healthy', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261127);
  const writes = malformedNames('write', 1500, seed);
  const reads = malformedNames('read', 1500, seed + 1);
  const wrong: string[] = [];
  const note = (what: string, name: string, code: number) => {
    if (code !== status.INVALID_ARGUMENT) wrong.push(`${what} ${JSON.stringify(name)} -> ${status[code]}`);
  };
  await inBatches(writes, 32, async (name) => {
    note('Write', name, (await rawWrite(t.admin, t.adminToken, [{ resourceName: name, data: Buffer.from('x'), finishWrite: true }])).code);
    note('QueryWriteStatus', name, (await queryStatus(t.admin, t.adminToken, name)).code);
  });
  await inBatches(reads, 32, async (name) => note('Read', name, (await rawRead(t.admin, t.adminToken, name)).code));
  expect({ seed, wrong: wrong.slice(0, 10), count: wrong.length }).toEqual({ seed, wrong: [], count: 0 });

  expect(await grpcServingStatus(t.server.address)).toBe(HealthCheckResponse_ServingStatus.SERVING);
  const { bytes, digest } = randomBlob(10_000);
  await expect(t.admin.uploadBytes(bytes, digest)).resolves.toBe(10_000);
  expect(stagingFiles(t)).toEqual([]);
});
