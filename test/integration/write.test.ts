import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { EMPTY_SHA256_HEX } from '../../src/domain/digest';
import { formatReadResource, formatWriteResource } from '../../src/domain/resource-name';
import { digestOf, randomBlob } from '../helpers/bytes';
import { chunked, rawRead, rawWrite } from '../helpers/bytestream';
import { blobFile, stagingFiles } from '../helpers/local-files';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

const wr = (d: { hex: string; size: number }, backend?: string) => formatWriteResource(randomUUID(), d, backend);

async function expectInvisible(d: { hex: string; size: number }): Promise<void> {
  const read = await rawRead(t.admin, t.adminToken, formatReadResource(d));
  expect(read.code).toBe(status.NOT_FOUND);
  expect(await t.admin.findMissing([d])).toEqual([d]);
  expect(existsSync(blobFile(t, d.hex))).toBe(false);
}

describe('verified writes', () => {
  test('a wrong digest fails with INVALID_ARGUMENT naming expected and actual, and leaves nothing', async () => {
    const { bytes } = randomBlob(200_000);
    const claimed = digestOf(Buffer.from('something else entirely')); // a real digest of other bytes
    const lie = { hex: claimed.hex, size: bytes.length };
    const out = await rawWrite(t.admin, t.adminToken, chunked(wr(lie), bytes));
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toContain(`expected sha256:${lie.hex}`);
    expect(out.details).toContain(`actual sha256:${digestOf(bytes).hex}`);
    await expectInvisible(lie);
    expect(stagingFiles(t)).toEqual([]);
  });

  test('more bytes than declared fail at once and leave nothing', async () => {
    const { bytes, digest } = randomBlob(100_000);
    const declared = { hex: digest.hex, size: 50_000 };
    const out = await rawWrite(t.admin, t.adminToken, chunked(wr(declared), bytes, 30_000));
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toMatch(/size mismatch: expected 50000 bytes, received at least \d+/);
    await expectInvisible(declared);
    expect(stagingFiles(t)).toEqual([]);
  });

  test('finishing short of the declared size fails and leaves nothing', async () => {
    const { bytes, digest } = randomBlob(100_000);
    const out = await rawWrite(t.admin, t.adminToken, chunked(wr(digest), bytes.subarray(0, 60_000)));
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toBe('size mismatch: expected 100000 bytes, received 60000');
    await expectInvisible(digest);
  });

  test('a blob that exists ends the call at once with committed_size = size', async () => {
    const { bytes, digest } = randomBlob(10_000);
    await t.admin.uploadBytes(bytes, digest);
    // Only the first message, no finish_write, stream left open: the server answers anyway.
    const out = await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(digest), data: bytes.subarray(0, 100) }]);
    expect(out).toEqual({ code: status.OK, details: '', committedSize: 10_000 });
  });

  test('the empty blob is always available', async () => {
    const empty = { hex: EMPTY_SHA256_HEX, size: 0 };
    const out = await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(empty), finishWrite: true }]);
    expect(out).toMatchObject({ code: status.OK, committedSize: 0 });
    const read = await rawRead(t.admin, t.adminToken, formatReadResource(empty));
    expect(read).toMatchObject({ code: status.OK });
    expect(read.data.length).toBe(0);
    expect(await t.admin.findMissing([empty])).toEqual([]);
    expect((await t.admin.describe(EMPTY_SHA256_HEX)).digest).toEqual({ hash: EMPTY_SHA256_HEX, sizeBytes: 0 });
  });

  test('a declared size above the backend limit is refused before the body is read', async () => {
    const org = t.server.store.orgs.byName('default')!;
    const local = t.server.store.backends.byName(org.id, 'local')!;
    t.server.store.db.prepare('UPDATE backends SET max_bytes = 1000, updated_at = ? WHERE id = ?').run(Date.now(), local.id);
    try {
      const { digest } = randomBlob(5000);
      const out = await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(digest) }]);
      expect(out.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(out.details).toBe('blob of 5000 bytes exceeds the 1000-byte limit of backend "local"');
      expect(stagingFiles(t)).toEqual([]);
    } finally {
      t.server.store.db.prepare('UPDATE backends SET max_bytes = NULL, updated_at = ? WHERE id = ?').run(Date.now(), local.id);
    }
  });

  test('writes to the inline backend are refused with FAILED_PRECONDITION and advice', async () => {
    const { digest } = randomBlob(100);
    const out = await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(digest, 'inline') }]);
    expect(out.code).toBe(status.FAILED_PRECONDITION);
    expect(out.details).toContain('belongs inside the attestation');
    expect(out.details).toContain('cairn cas-backend add');
  });

  test('an unknown backend segment is NOT_FOUND', async () => {
    const { digest } = randomBlob(100);
    const out = await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(digest, 'nosuch') }]);
    expect(out.code).toBe(status.NOT_FOUND);
    expect(out.details).toBe('backend "nosuch" not found in your organisation');
  });

  test('file name and media type come from request metadata', async () => {
    const { bytes, digest } = randomBlob(321);
    const out = await rawWrite(t.admin, t.adminToken, chunked(wr(digest), bytes), {
      headers: { 'x-cairn-filename': encodeURIComponent('sbom ü.cdx.json'), 'x-cairn-media-type': 'application/vnd.cyclonedx+json' },
    });
    expect(out.code).toBe(status.OK);
    expect(await t.admin.describe(digest.hex)).toMatchObject({ filename: 'sbom ü.cdx.json', mediaType: 'application/vnd.cyclonedx+json' });
  });
});

describe('ByteStream offset and finish rules', () => {
  test('the first write_offset of a new upload must be 0', async () => {
    const { bytes, digest } = randomBlob(1000);
    const out = await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(digest), writeOffset: 10, data: bytes.subarray(10) }]);
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toBe('write_offset 10 does not continue the upload: 0 bytes are committed');
  });

  test('offsets must be contiguous', async () => {
    const { bytes, digest } = randomBlob(1000);
    const out = await rawWrite(t.admin, t.adminToken, [
      { resourceName: wr(digest), writeOffset: 0, data: bytes.subarray(0, 400) },
      { writeOffset: 500, data: bytes.subarray(500), finishWrite: true },
    ]);
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toBe('write_offset 500 does not continue the upload: 400 bytes are committed');
    await expectInvisible(digest);
  });

  test('nothing may follow finish_write', async () => {
    const { bytes, digest } = randomBlob(1000);
    const out = await rawWrite(t.admin, t.adminToken, [
      { resourceName: wr(digest), writeOffset: 0, data: bytes, finishWrite: true },
      { writeOffset: 1000, data: Buffer.alloc(0) },
    ]);
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toBe('no WriteRequest may follow one with finish_write');
    await expectInvisible(digest);
  });

  test('the first request must name the resource, and later ones must not change it', async () => {
    const { bytes, digest } = randomBlob(1000);
    expect((await rawWrite(t.admin, t.adminToken, [{ data: bytes }])).details).toBe('the first WriteRequest must carry resource_name');
    const out = await rawWrite(t.admin, t.adminToken, [
      { resourceName: wr(digest), data: bytes.subarray(0, 10) },
      { resourceName: wr(digest), writeOffset: 10, data: bytes.subarray(10), finishWrite: true },
    ]);
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toBe('resource_name must not change within one Write stream');
  });

  test('an empty Write stream is an error', async () => {
    const out = await rawWrite(t.admin, t.adminToken, []);
    expect(out.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('concurrency', () => {
  test('32 concurrent uploads of one digest all succeed and store one blob', async () => {
    const { bytes, digest } = randomBlob(2 * 1024 * 1024 + 5);
    const stagingBefore = stagingFiles(t).sort();
    const results = await Promise.all(Array.from({ length: 32 }, () => rawWrite(t.admin, t.adminToken, chunked(wr(digest), bytes, 256 * 1024))));
    for (const r of results) expect(r).toMatchObject({ code: status.OK, committedSize: digest.size });
    const rows = t.server.store.db.prepare('SELECT COUNT(*) AS n FROM blobs WHERE digest = ?').get(digest.hex) as { n: number };
    expect(rows.n).toBe(1);
    expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
    expect(stagingFiles(t).sort()).toEqual(stagingBefore);
  });

  test('two streams cannot feed one upload id at the same time', async () => {
    const { bytes, digest } = randomBlob(300_000);
    const name = wr(digest);
    const first = rawWrite(t.admin, t.adminToken, [{ resourceName: name, data: bytes.subarray(0, 1000) }], { cut: true, holdMs: 3000 });
    await new Promise((r) => setTimeout(r, 50));
    const second = await rawWrite(t.admin, t.adminToken, [{ resourceName: name, data: bytes.subarray(0, 1000) }]);
    expect(second.code).toBe(status.ABORTED);
    await first;
  });
});
