import { writeFileSync, readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { LocalProvider } from '../../src/providers/local/local-provider';
import { formatReadResource } from '../../src/domain/resource-name';
import { randomBlob } from '../helpers/bytes';
import { rawRead } from '../helpers/bytestream';
import { blobFile } from '../helpers/local-files';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
const blob = randomBlob(3 * 1024 * 1024 + 123);

beforeAll(async () => {
  t = await startTestServer();
  await t.admin.uploadBytes(blob.bytes, blob.digest);
});
afterAll(() => t.stop());

const res = formatReadResource(blob.digest);

describe('reads', () => {
  test('a full read returns the exact bytes, also through the explicit backend segment', async () => {
    expect((await rawRead(t.admin, t.adminToken, res)).data.equals(blob.bytes)).toBe(true);
    expect((await rawRead(t.admin, t.adminToken, formatReadResource(blob.digest, 'local'))).data.equals(blob.bytes)).toBe(true);
  });

  test.each([
    [0, 10],
    [5, 0],
    [1_048_570, 20],
    [blob.digest.size - 1, 0],
    [blob.digest.size - 10, 1000],
    [blob.digest.size, 0],
  ])('read_offset %i with read_limit %i', async (offset, limit) => {
    const out = await rawRead(t.admin, t.adminToken, res, offset, limit);
    expect(out.code).toBe(status.OK);
    const end = limit === 0 ? blob.bytes.length : Math.min(blob.bytes.length, offset + limit);
    expect(out.data.equals(blob.bytes.subarray(offset, end))).toBe(true);
  });

  test('an offset past the end is OUT_OF_RANGE; a negative limit is INVALID_ARGUMENT', async () => {
    const past = await rawRead(t.admin, t.adminToken, res, blob.digest.size + 1);
    expect(past.code).toBe(status.OUT_OF_RANGE);
    expect(past.details).toBe(`read_offset ${blob.digest.size + 1} is past the end of the ${blob.digest.size}-byte blob`);
    expect((await rawRead(t.admin, t.adminToken, res, -1)).code).toBe(status.OUT_OF_RANGE);
    expect((await rawRead(t.admin, t.adminToken, res, 0, -5)).code).toBe(status.INVALID_ARGUMENT);
  });

  test('an unknown digest, or a known digest with the wrong size, is NOT_FOUND', async () => {
    const other = randomBlob(10);
    expect((await rawRead(t.admin, t.adminToken, formatReadResource(other.digest))).code).toBe(status.NOT_FOUND);
    const wrongSize = formatReadResource({ hex: blob.digest.hex, size: blob.digest.size - 1 });
    expect((await rawRead(t.admin, t.adminToken, wrongSize)).code).toBe(status.NOT_FOUND);
  });

  test('a digest another organisation stored is NOT_FOUND, and missing for FindMissing and Describe', async () => {
    await t.addOrg('acme');
    const acme = t.client(t.token('admin', 'acme'));
    const out = await rawRead(acme, t.token('admin', 'acme'), res);
    expect(out.code).toBe(status.NOT_FOUND);
    expect(out.data.length).toBe(0);
    expect(await acme.findMissing([blob.digest])).toEqual([blob.digest]);
    await expect(acme.describe(blob.digest.hex)).rejects.toMatchObject({ code: status.NOT_FOUND });
    // Uploading the same bytes in acme stores acme's own copy; default's copy is untouched.
    await acme.uploadBytes(blob.bytes, blob.digest);
    expect((await acme.readAll(blob.digest)).equals(blob.bytes)).toBe(true);
  });

  test('a stored file that no longer matches ends a full read with DATA_LOSS', async () => {
    const victim = randomBlob(2 * 1024 * 1024);
    await t.admin.uploadBytes(victim.bytes, victim.digest);
    const file = blobFile(t, victim.digest.hex);
    const stored = readFileSync(file);
    stored[1_500_000] ^= 0x01;
    writeFileSync(file, stored);
    const out = await rawRead(t.admin, t.adminToken, formatReadResource(victim.digest));
    expect(out.code).toBe(status.DATA_LOSS);
    expect(out.details).toContain(`stored bytes of sha256:${victim.digest.hex} no longer match their digest`);
    // A truncated file is caught too.
    writeFileSync(file, stored.subarray(0, 1000));
    expect((await rawRead(t.admin, t.adminToken, formatReadResource(victim.digest))).code).toBe(status.DATA_LOSS);
    // A ranged read that runs into the truncation is DATA_LOSS too, not a short success.
    const ranged = await rawRead(t.admin, t.adminToken, formatReadResource(victim.digest), 500, 1000);
    expect(ranged.code).toBe(status.DATA_LOSS);
    expect(ranged.details).toContain('end 500 bytes early');
  });

  test('a slow reader holds the server back instead of being buffered for', async () => {
    const big = randomBlob(64 * 1024 * 1024);
    await t.admin.uploadBytes(big.bytes, big.digest);
    let served = 0;
    const original = LocalProvider.prototype.read;
    const spy = jest.spyOn(LocalProvider.prototype, 'read').mockImplementation(async function* (this: LocalProvider, ...args) {
      for await (const chunk of original.apply(this, args)) {
        served += chunk.length;
        yield chunk;
      }
    });
    try {
      const stream = t.admin.bytestream.read({ resourceName: formatReadResource(big.digest), readOffset: 0, readLimit: 0 }, authMd(t.adminToken));
      // A consumer that has started reading and then stalls (grpc-js clients buffer without limit
      // until the first read, which is a client-side matter).
      let received = (await new Promise<{ data: Buffer }>((r) => stream.once('data', r))).data.length;
      stream.pause();
      await new Promise((r) => setTimeout(r, 1000));
      // 16 messages in the client's stream buffer, at most 2 outstanding on the server (BoundedWriter),
      // plus HTTP/2 windows; the rest waits on disk. grpc-js's own 16-message server buffer would exceed this.
      expect(served).toBeLessThan(24 * 1024 * 1024);
      stream.on('data', (m: { data: Buffer }) => (received += m.data.length));
      stream.resume();
      await new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
      expect(received).toBe(big.digest.size);
    } finally {
      spy.mockRestore();
    }
  });
});

function authMd(token: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Metadata } = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const m = new Metadata();
  m.set('authorization', `Bearer ${token}`);
  return m;
}
