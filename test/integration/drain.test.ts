import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { CairnClient } from '../../src/client';
import { formatWriteResource } from '../../src/domain/resource-name';
import { randomBlob } from '../helpers/bytes';
import { chunked, rawWrite, resumeUpload } from '../helpers/bytestream';
import { assertBuilt, ServerProcess, startServerProcess } from '../helpers/cli';

const MiB = 1 << 20;
const blob = randomBlob(256 * MiB);
let dir: string;
const clients: CairnClient[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cairn-drain-'));
});
afterAll(() => {
  clients.forEach((c) => c.close());
  rmSync(dir, { recursive: true, force: true });
});

async function start(data: string, drain: string): Promise<{ server: ServerProcess; client: CairnClient; token: string }> {
  const server = await startServerProcess(join(dir, data), ['--drain-timeout', drain]);
  const token = readFileSync(join(dir, data, 'admin.token'), 'utf8').trim();
  const client = new CairnClient({ server: server.address, token });
  clients.push(client);
  return { server, client, token };
}

test('SIGTERM during a 256 MiB upload: the server drains, the upload completes, the server exits 0', async () => {
  const { server, client, token } = await start('a', '60s');
  let exit: Promise<number | null> | undefined;
  const outcome = await rawWrite(client, token, chunked(formatWriteResource(randomUUID(), blob.digest), blob.bytes, MiB), {
    beforeIndex: 32,
    before: async () => {
      exit = server.stop('SIGTERM');
    },
  });
  expect(outcome).toMatchObject({ code: status.OK, committedSize: blob.bytes.length });
  expect(await exit).toBe(0);

  const again = await start('a', '2s');
  expect(await again.client.findMissing([blob.digest])).toEqual([]);
  expect((await again.client.readAll(blob.digest)).equals(blob.bytes)).toBe(true);
  expect(await again.server.stop()).toBe(0);
}, 120_000);

test('SIGTERM with a short drain deadline cancels a slow upload; nothing is visible, and it resumes after the restart', async () => {
  const { server, client, token } = await start('b', '1s');
  const resource = formatWriteResource(randomUUID(), blob.digest);
  let exit: Promise<number | null> | undefined;
  const cut = await rawWrite(client, token, chunked(resource, blob.bytes, MiB), {
    delayMs: 15,
    beforeIndex: 32,
    before: async () => {
      exit = server.stop('SIGTERM');
    },
  });
  expect([status.CANCELLED, status.UNAVAILABLE]).toContain(cut.code);
  expect(await exit).toBe(0);

  const again = await start('b', '2s');
  expect(await again.client.findMissing([blob.digest])).toEqual([blob.digest]);
  const { from, outcome } = await resumeUpload(again.client, again.token, resource, blob.bytes);
  expect(from).toBeGreaterThanOrEqual(32 * MiB);
  expect(from).toBeLessThan(blob.bytes.length);
  expect(outcome).toMatchObject({ code: status.OK, committedSize: blob.bytes.length });
  expect((await again.client.readAll(blob.digest)).equals(blob.bytes)).toBe(true);
  expect(await again.server.stop()).toBe(0);
}, 120_000);
