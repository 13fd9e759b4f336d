import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { formatWriteResource } from '../../src/domain/resource-name';
import { randomBlob } from '../helpers/bytes';
import { chunked, queryStatus, rawWrite, resumeUpload } from '../helpers/bytestream';
import { stagingFiles } from '../helpers/local-files';
import { eventually } from '../helpers/eventually';
import { startTestServer, TestServer } from '../helpers/server';

const CUT_AT = 700_000;

async function cutUpload(t: TestServer, bytes: Buffer, name: string): Promise<void> {
  const out = await rawWrite(t.admin, t.adminToken, chunked(name, bytes.subarray(0, CUT_AT), 100_000, 0, false), {
    cut: true,
    cutWhen: async () => (await queryStatus(t.admin, t.adminToken, name)).committedSize === CUT_AT,
  });
  expect(out.code).toBe(status.CANCELLED);
}

describe('resumable writes', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(() => t?.stop());

  test('a cut-off upload keeps what arrived and resumes from committed_size', async () => {
    const { bytes, digest } = randomBlob(1_500_000);
    const name = formatWriteResource(randomUUID(), digest);
    await cutUpload(t, bytes, name);
    const { from, outcome } = await resumeUpload(t.admin, t.adminToken, name, bytes, 100_000);
    expect(from).toBe(CUT_AT);
    expect(outcome).toMatchObject({ code: status.OK, committedSize: digest.size });
    expect(await queryStatus(t.admin, t.adminToken, name)).toMatchObject({ committedSize: digest.size, complete: true });
    expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
    expect(stagingFiles(t)).toEqual([]);
  });

  test('a stream half-closed without finish_write answers with the committed size and can be resumed', async () => {
    const { bytes, digest } = randomBlob(300_000);
    const name = formatWriteResource(randomUUID(), digest);
    const first = await rawWrite(t.admin, t.adminToken, chunked(name, bytes.subarray(0, 100_000), 50_000, 0, false));
    expect(first).toMatchObject({ code: status.OK, committedSize: 100_000 });
    const resume = await rawWrite(t.admin, t.adminToken, chunked(name, bytes, 50_000, 100_000));
    expect(resume).toMatchObject({ code: status.OK, committedSize: 300_000 });
  });

  test('resuming at the wrong offset is refused and the upload stays resumable', async () => {
    const { bytes, digest } = randomBlob(1_000_000);
    const name = formatWriteResource(randomUUID(), digest);
    await cutUpload(t, bytes, name);
    const wrong = await rawWrite(t.admin, t.adminToken, chunked(name, bytes, 100_000, 0));
    expect(wrong.code).toBe(status.INVALID_ARGUMENT);
    expect(wrong.details).toBe(`write_offset 0 does not continue the upload: ${CUT_AT} bytes are committed`);
    const right = await rawWrite(t.admin, t.adminToken, chunked(name, bytes, 100_000, CUT_AT));
    expect(right).toMatchObject({ code: status.OK, committedSize: digest.size });
  });

  test('the local backend resumes after a server restart, rebuilding the hash from staging', async () => {
    const { bytes, digest } = randomBlob(1_200_000);
    const name = formatWriteResource(randomUUID(), digest);
    await cutUpload(t, bytes, name);
    t = await t.restart();
    expect(await queryStatus(t.admin, t.adminToken, name)).toMatchObject({ code: status.OK, committedSize: CUT_AT, complete: false });
    const out = await rawWrite(t.admin, t.adminToken, chunked(name, bytes, 100_000, CUT_AT));
    expect(out).toMatchObject({ code: status.OK, committedSize: digest.size });
    expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
  });

  test('a resumed upload whose bytes were tampered with in between still fails verification', async () => {
    const { bytes, digest } = randomBlob(1_000_000);
    const name = formatWriteResource(randomUUID(), digest);
    await cutUpload(t, bytes, name);
    const other = Buffer.from(bytes);
    other[CUT_AT + 5] ^= 0xff; // the second half differs from what the digest names
    const out = await rawWrite(t.admin, t.adminToken, chunked(name, other, 100_000, CUT_AT));
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toContain('digest mismatch');
    expect(stagingFiles(t)).toEqual([]);
    expect((await queryStatus(t.admin, t.adminToken, name)).code).toBe(status.NOT_FOUND);
  });

  test('an unknown upload is NOT_FOUND for QueryWriteStatus', async () => {
    const { digest } = randomBlob(10);
    const out = await queryStatus(t.admin, t.adminToken, formatWriteResource(randomUUID(), digest));
    expect(out.code).toBe(status.NOT_FOUND);
  });

  test('reusing an upload id for another blob is refused', async () => {
    const a = randomBlob(1_000_000);
    const b = randomBlob(1_000_000);
    const id = randomUUID();
    await cutUpload(t, a.bytes, formatWriteResource(id, a.digest));
    const out = await rawWrite(t.admin, t.adminToken, chunked(formatWriteResource(id, b.digest), b.bytes));
    expect(out.code).toBe(status.INVALID_ARGUMENT);
    expect(out.details).toContain('already in use for another blob');
  });
});

test('abandoned sessions expire and their staging is removed', async () => {
  const t = await startTestServer({ sessionTtl: '1s' });
  try {
    const { bytes, digest } = randomBlob(1_000_000);
    const name = formatWriteResource(randomUUID(), digest);
    await cutUpload(t, bytes, name);
    expect(stagingFiles(t)).toHaveLength(1);
    expect(await t.server.sessions.expire(Date.now() + 500)).toBe(0); // not yet stale
    // The server parks the cut stream a moment after the client saw it fail; attached sessions never expire.
    let removed = 0;
    await eventually('the session to expire', async () => (removed += await t.server.sessions.expire(Date.now() + 2000)) === 1);
    expect(stagingFiles(t)).toEqual([]);
    expect((await queryStatus(t.admin, t.adminToken, name)).code).toBe(status.NOT_FOUND);
  } finally {
    await t.stop();
  }
});

test('staging that no session owns is removed at start-up', async () => {
  let t = await startTestServer();
  try {
    const { bytes, digest } = randomBlob(1_000_000);
    await cutUpload(t, bytes, formatWriteResource(randomUUID(), digest));
    t.server.store.db.prepare('DELETE FROM upload_sessions').run(); // as if the row were lost in a crash
    expect(stagingFiles(t)).toHaveLength(1);
    t = await t.restart();
    expect(stagingFiles(t)).toEqual([]);
  } finally {
    await t.stop();
  }
});
