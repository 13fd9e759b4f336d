import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { HealthCheckResponse_ServingStatus } from '../../generated/grpc/health/v1/health';
import { digestOf, randomBlob } from '../helpers/bytes';
import { grpcServingStatus } from '../helpers/health';
import { blobFile, stagingFiles } from '../helpers/local-files';
import { prng } from '../helpers/malformed-names';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
const logLines: string[] = [];
beforeAll(async () => {
  t = await startTestServer({ logLines });
});
afterAll(() => t.stop());

const url = (hex: string, query = '') => `${t.server.httpUrl}/v1/blobs/sha256:${hex}${query}`;
const auth = (token = t.adminToken) => ({ authorization: `Bearer ${token}` });

async function put(bytes: Buffer, hex = digestOf(bytes).hex, headers: Record<string, string> = auth(), query = ''): Promise<{ status: number; body: { error?: { code: string; message: string }; created?: boolean; backend?: string }; headers: Headers }> {
  const res = await fetch(url(hex, query), { method: 'PUT', body: bytes, headers });
  return { status: res.status, body: (await res.json()) as never, headers: res.headers };
}

describe('PUT /v1/blobs', () => {
  test('201 when stored, 200 when already there; the blob is the same one gRPC reads', async () => {
    const { bytes, digest } = randomBlob(3_000_000);
    const first = await put(bytes, digest.hex, { ...auth(), 'x-cairn-filename': encodeURIComponent('report.json'), 'content-type': 'application/json' });
    expect(first).toMatchObject({ status: 201, body: { created: true, backend: 'local' } });
    expect(first.headers.get('location')).toBe(`/v1/blobs/sha256:${digest.hex}`);
    expect((await put(bytes)).status).toBe(200);
    expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
    expect(await t.admin.describe(digest.hex)).toMatchObject({ filename: 'report.json', mediaType: 'application/json' });
  });

  test('a wrong digest is 400 naming expected and actual, and nothing is stored or staged', async () => {
    const bytes = randomBytes(200_000);
    const claimed = digestOf(Buffer.from('other')).hex;
    const res = await put(bytes, claimed);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'DIGEST_MISMATCH', message: `digest mismatch: expected sha256:${claimed}, actual sha256:${digestOf(bytes).hex}` });
    expect(await t.admin.findMissing([{ hex: claimed, size: bytes.length }])).toHaveLength(1);
    expect(existsSync(blobFile(t, claimed))).toBe(false);
    expect(stagingFiles(t)).toEqual([]);
    expect((await fetch(url(claimed), { headers: auth() })).status).toBe(404);
  });

  test('401 without or with a bad token, 403 for a downloader, 411 without a length, 413 over the limit, 400 for a bad path', async () => {
    const bytes = randomBytes(2000);
    const none = await put(bytes, undefined, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="cairn"');
    expect((await put(bytes, undefined, auth('cairn_v1.forged.sig'))).status).toBe(401);
    expect((await put(bytes, undefined, auth(t.token('downloader')))).body.error?.code).toBe('PERMISSION_DENIED');
    const chunked = await fetch(url(digestOf(bytes).hex), { method: 'PUT', headers: auth(), body: new Blob([bytes]).stream(), duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(411);
    t.addBackend({ name: 'small', provider: 'memory', config: {} });
    t.server.store.backends.updateFields(t.server.store.backends.byName(t.server.store.orgs.byName('default')!.id, 'small')!.id, { maxBytes: 1000 });
    const big = await put(bytes, undefined, auth(), '?backend=small');
    expect(big.status).toBe(413);
    expect(big.body.error?.message).toContain('exceeds the 1000-byte limit of backend "small"');
    expect((await fetch(`${t.server.httpUrl}/v1/blobs/abc`, { headers: auth() })).status).toBe(400);
    expect((await fetch(`${t.server.httpUrl}/v1/blobs/sha256:${'A'.repeat(64)}`, { headers: auth() })).status).toBe(400);
    expect((await fetch(url(digestOf(bytes).hex), { method: 'DELETE', headers: auth() })).status).toBe(405);
    expect((await fetch(`${t.server.httpUrl}/nope`)).status).toBe(404);
  });

  test('a body cut short leaves nothing visible and no staging', async () => {
    const { bytes, digest } = randomBlob(4_000_000);
    const { hostname, port } = new URL(t.server.httpUrl!);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`PUT /v1/blobs/sha256:${digest.hex} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminToken}\r\nContent-Length: ${bytes.length}\r\n\r\n`);
        socket.write(bytes.subarray(0, 1_500_000), () => setTimeout(() => socket.destroy(), 100));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    for (let i = 0; i < 250 && stagingFiles(t).length > 0; i++) await new Promise((r) => setTimeout(r, 20)); // bounded: 5 s
    expect(stagingFiles(t)).toEqual([]);
    expect(await t.admin.findMissing([digest])).toEqual([digest]);
  });
});

describe('GET and HEAD /v1/blobs', () => {
  const { bytes, digest } = randomBlob(2_500_000);
  beforeAll(async () => {
    expect((await put(bytes, digest.hex, { ...auth(), 'x-cairn-filename': encodeURIComponent('../../évil "name"\u0007.txt'), 'x-cairn-media-type': 'text/plain' })).status).toBe(201);
  });

  test('a full GET carries ETag, length, type and a safe Content-Disposition', async () => {
    const res = await fetch(url(digest.hex), { headers: auth() });
    expect(res.status).toBe(200);
    expect(Object.fromEntries(['etag', 'content-length', 'content-type', 'content-disposition', 'accept-ranges'].map((h) => [h, res.headers.get(h)]))).toEqual({
      etag: `"sha256:${digest.hex}"`,
      'content-length': String(bytes.length),
      'content-type': 'text/plain',
      'content-disposition': `attachment; filename="_vil _name_.txt"; filename*=UTF-8''%C3%A9vil%20%22name%22.txt`,
      'accept-ranges': 'bytes',
    });
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(url(digest.hex), { headers: { ...auth(), 'if-none-match': `"sha256:${digest.hex}"` } })).status).toBe(304);
  });

  test('ranges: 206 with Content-Range, suffix ranges, 416 past the end, several ranges serve the whole blob; HEAD has no body', async () => {
    const get = (range: string) => fetch(url(digest.hex), { headers: { ...auth(), range } });
    const mid = await get('bytes=1000-1999');
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(Buffer.from(await mid.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
    const tail = await get('bytes=-10');
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const open = await get(`bytes=${bytes.length - 5}-`);
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(true);
    const past = await get(`bytes=${bytes.length}-`);
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect((await get('bytes=0-1,5-6')).status).toBe(200);
    const head = await fetch(url(digest.hex), { method: 'HEAD', headers: { ...auth(), range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-length')).toBe('100');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    expect((await fetch(url(digest.hex), { headers: auth(t.token('downloader', 'default')) })).status).toBe(200);
  });

  test.each([
    ['large', 3_000_000],
    ['small (one chunk, nothing sent before the check)', 120],
  ])('a full GET of a %s blob whose stored bytes changed is cut off after its headers, never ended cleanly', async (_kind, size) => {
    const victim = randomBlob(size);
    expect((await put(victim.bytes)).status).toBe(201);
    const file = blobFile(t, victim.digest.hex);
    chmodSync(file, 0o644);
    const stored = readFileSync(file);
    stored[Math.floor(size * 0.66)]! ^= 0xff;
    writeFileSync(file, stored);
    const res = await fetch(url(victim.digest.hex), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(size));
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  test('another organisation gets 404 for our blob', async () => {
    await t.addOrg('rival-http');
    expect((await fetch(url(digest.hex), { headers: auth(t.token('admin', 'rival-http')) })).status).toBe(404);
  });
});

describe('signed download links', () => {
  const { bytes, digest } = randomBlob(100_000);
  beforeAll(async () => {
    expect((await put(bytes)).status).toBe(201);
  });

  test('a link fetches the blob without a token, and only that blob, and only until it expires', async () => {
    const { url: link, expiresAt } = await t.admin.createDownloadLink(`sha256:${digest.hex}`, 60);
    expect(expiresAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const ok = await fetch(link);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(bytes)).toBe(true);

    const other = randomBlob(10);
    expect((await put(other.bytes)).status).toBe(201);
    const forOther = await fetch(link.replace(digest.hex, other.digest.hex));
    expect(forOther.status).toBe(403);
    expect(((await forOther.json()) as { error: { message: string } }).error.message).toContain('altered, or it is for another blob');
    const altered = new URL(link);
    altered.searchParams.set('exp', String(Number(altered.searchParams.get('exp')) + 3600));
    expect((await fetch(altered)).status).toBe(403);
    // A link cannot write.
    expect((await fetch(link, { method: 'PUT', body: bytes })).status).toBe(401);

    const caller = { orgId: t.server.store.orgs.byName('default')!.id, role: 'admin' as const, tokenId: new URL(link).searchParams.get('tid')! };
    const past = t.server.authority.signLink(caller, digest.hex, 60_000, Date.now() - 120_000);
    const expired = await fetch(url(digest.hex, `?${new URLSearchParams({ ...past.params })}`));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toContain('download link expired');
  });

  test('revoking the token that signed a link kills the link; links for unknown blobs are refused', async () => {
    const { token, id } = t.server.authority.issue(t.server.store.orgs.byName('default')!.id, 'downloader', 3_600_000);
    const client = t.client(token);
    const { url: link } = await client.createDownloadLink(digest.hex, 60);
    expect((await fetch(link)).status).toBe(200);
    await t.admin.revokeToken(id);
    expect((await fetch(link)).status).toBe(403);
    await expect(t.admin.createDownloadLink(digestOf(Buffer.from('never stored')).hex, 60)).rejects.toMatchObject({ details: expect.stringContaining('not found') });
  });
});

test('hundreds of malformed blob paths, queries and headers are clean 4xx answers, and the server stays ready', async () => {
  const rnd = prng(Number(process.env.FUZZ_SEED ?? 11));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => pick('0123456789abcdef'.split(''))).join('');
  const names = [
    () => `sha256:${hex(63)}`, () => `sha256:${hex(65)}`, () => `sha256:${hex(64).toUpperCase()}`, () => hex(64), () => `sha512:${hex(64)}`,
    () => `sha256:${hex(64)}/extra`, () => `sha256:%2e%2e%2f${hex(10)}`, () => `sha256:${encodeURIComponent('💥')}`, () => '..%2f..%2fetc%2fpasswd', () => `sha256:`,
  ];
  const headers = [
    () => ({ ...auth(), range: pick(['bytes=', 'bytes=-', 'bytes=a-b', 'bytes=5-1', 'lines=1-2', 'bytes=0-0,1-1', `bytes=${'9'.repeat(30)}-`]) }),
    () => ({ authorization: pick(['Bearer', 'Basic abc', `Bearer ${t.adminToken}x`, 'Bearer a.b.c', '']) }),
    () => ({ ...auth(), 'content-length': pick(['-1', '1.5', 'abc', '99999999999999999999']) }),
  ];
  const statuses = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const name = rnd() < 0.5 ? pick(names)() : `sha256:${hex(64)}`;
    const query = rnd() < 0.3 ? `?backend=${pick(['', 'Nope', 'a'.repeat(80), '..', '%00', 'missing'])}&sig=${pick(['', 'x', '%%'])}` : '';
    const method = pick(['GET', 'HEAD', 'PUT', 'DELETE', 'POST']);
    const h = pick(headers)() as Record<string, string>;
    let status: number;
    try {
      const res = await fetch(`${t.server.httpUrl}/v1/blobs/${name}${query}`, {
        method, headers: method === 'PUT' ? { ...h, 'content-length': undefined as unknown as string } : h, ...(method === 'PUT' ? { body: 'x' } : {}),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      // fetch itself refuses some header values before sending: not the server's doing.
      continue;
    }
    statuses.add(status);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  }
  expect(statuses.size).toBeGreaterThan(2);
  expect((await fetch(`${t.server.httpUrl}/readyz`)).status).toBe(200);
});

describe('operations', () => {
  test('/healthz, and /readyz with gRPC health agreeing when the default backend fails validation', async () => {
    expect(await (await fetch(`${t.server.httpUrl}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${t.server.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { name: string; ok: boolean }[] }).checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'database', ok: true }), expect.objectContaining({ name: 'backend default/local', ok: true })]),
    );
    const local = t.server.store.backends.byName(t.server.store.orgs.byName('default')!.id, 'local')!;
    t.server.store.backends.recordStatus(local.id, 'INVALID', 'disk is read-only', new Date());
    try {
      const notReady = await fetch(`${t.server.httpUrl}/readyz`);
      expect(notReady.status).toBe(503);
      expect(JSON.stringify(await notReady.json())).toContain('validation failed: disk is read-only');
      expect(await grpcServingStatus(t.server.address)).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    } finally {
      t.server.store.backends.recordStatus(local.id, 'OK', '', new Date());
    }
    expect(await grpcServingStatus(t.server.address)).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  test('/metrics: transfers by transport and result, dedup hits, mismatches, validation status, process metrics; no token anywhere', async () => {
    const text = await (await fetch(`${t.server.httpUrl}/metrics`)).text();
    expect(text).toMatch(/cairn_transfers_total\{direction="in",transport="http",org="default",backend="local",provider="local",result="ok"\} \d+/);
    expect(text).toMatch(/cairn_transfers_total\{direction="in",transport="http",org="default",backend="local",provider="local",result="dedup"\} \d+/);
    expect(text).toMatch(/cairn_dedup_hits_total\{transport="http",org="default",backend="local",provider="local"\} [1-9]/);
    expect(text).toMatch(/cairn_digest_mismatches_total\{transport="http",org="default",backend="local",provider="local"\} [1-9]/);
    expect(text).toMatch(/cairn_transfer_bytes_total\{direction="out",transport="grpc",org="default",backend="local",provider="local",result="ok"\} [1-9]/);
    expect(text).toMatch(/cairn_transfer_duration_seconds_bucket\{le="0.1",direction="in",transport="http",result="ok"\} \d+/);
    expect(text).toMatch(/cairn_transfers_in_flight\{direction="in",transport="http"\} 0/);
    expect(text).toMatch(/cairn_backend_validation_ok\{org="default",backend="local",provider="local"\} 1/);
    expect(text).toMatch(/cairn_requests_total\{transport="grpc",method="Describe",result="ok"\} [1-9]/);
    expect(text).toContain('cairn_process_resident_memory_bytes');
    expect(text).not.toContain(t.adminToken.split('.')[2]!);
  });

  test('every transfer logs request id, organisation, backend, digest, bytes, duration and result; no token or link signature', async () => {
    const { bytes, digest } = randomBlob(5000);
    const res = await fetch(url(digest.hex), { method: 'PUT', body: bytes, headers: { ...auth(), 'x-request-id': 'ci-run-42' } });
    expect(res.headers.get('x-request-id')).toBe('ci-run-42');
    const { url: link } = await t.admin.createDownloadLink(digest.hex, 60);
    await (await fetch(link)).arrayBuffer();
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.requestId === 'ci-run-42')).toMatchObject({
      msg: 'transfer', transport: 'http', direction: 'in', org: 'default', backend: 'local', provider: 'local', digest: `sha256:${digest.hex}`, bytes: 5000, result: 'ok', durationMs: expect.any(Number),
    });
    expect(lines.some((l) => l.msg === 'transfer' && l.direction === 'out' && l.digest === `sha256:${digest.hex}` && l.bytes === 5000)).toBe(true);
    expect(lines.some((l) => l.msg === 'call' && l.method === 'CreateDownloadLink' && l.org === 'default' && l.result === 'ok')).toBe(true);
    const all = logLines.join('\n');
    expect(all).not.toContain(t.adminToken.split('.')[2]!);
    expect(all).not.toContain(new URL(link).searchParams.get('sig')!);
  });
});
