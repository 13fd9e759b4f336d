import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus } from '../../generated/grpc/health/v1/health';
import { grpcServingStatus } from '../helpers/health';
import { Backend } from '../../src/domain/model';
import { ProviderCapabilities, ProviderId, StorageProvider } from '../../src/domain/ports';
import { formatReadResource, formatWriteResource } from '../../src/domain/resource-name';
import { EMPTY_SHA256_HEX } from '../../src/domain/digest';
import { digestOf, randomBlob } from '../helpers/bytes';
import { chunked, queryStatus, rawRead, rawWrite, resumeUpload } from '../helpers/bytestream';
import { startTestServer, TestServer } from '../helpers/server';

/** How to run the one provider contract against one real store. */
export interface ContractTarget {
  readonly name: string;
  readonly provider: ProviderId;
  /** What the provider must declare; pinned here so a change is deliberate. */
  readonly capabilities: ProviderCapabilities;
  /** Blob sizes to round-trip: include one that takes the provider's large-blob path. */
  readonly sizes: readonly number[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** The backend's location (for oci: registry/repository). */
  location?(): string;
  config?(): Record<string, unknown>;
  credentials?(): Record<string, string>;
  /** The sha256 hex names stored on the backend, read straight from the store, not through cairn. */
  listStored(t: TestServer, backend: Backend, provider: StorageProvider): Promise<string[]>;
  /** For stores that run as a process: kill it and bring it back (same port, same data). */
  kill?(): Promise<void>;
  revive?(): Promise<void>;
}

const MiB = 1 << 20;

export function providerContract(target: ContractTarget): void {
  describe(`provider contract: ${target.name}`, () => {
    let t: TestServer;
    let backend: Backend;
    let provider: StorageProvider;
    const wr = (d: { hex: string; size: number }) => formatWriteResource(randomUUID(), d);
    const stored = async () => target.listStored(t, backend, provider);

    beforeAll(async () => {
      await target.start?.();
      t = await startTestServer();
      backend = t.addBackend({
        name: 'under-test', provider: target.provider, isDefault: true,
        ...(target.location ? { location: target.location() } : {}),
        ...(target.config ? { config: target.config() } : {}),
        ...(target.credentials ? { credentials: target.credentials() } : {}),
      });
      provider = t.server.backends.provider(backend);
      await provider.validate(); // as adding a backend does; creates the Azure container
    });
    afterAll(async () => {
      await t?.stop();
      await target.stop?.();
    });

    test('declares its capabilities', () => {
      expect(provider.capabilities).toEqual(target.capabilities);
    });

    test.each(target.sizes.map((s) => [s]))('put, exists, get and describe a %i-byte blob', async (size) => {
      const { bytes, digest } = randomBlob(size);
      expect(await provider.exists(digest)).toBe(false);
      expect(await t.admin.uploadBytes(bytes, digest, { filename: 'evidence.json', mediaType: 'application/json' })).toBe(size);
      expect(await provider.exists(digest)).toBe(true);
      expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
      expect(await t.admin.describe(digest.hex)).toMatchObject({ backend: 'under-test', provider: target.provider, filename: 'evidence.json' });
      expect(await stored()).toContain(digest.hex);
    });

    test('range reads', async () => {
      const { bytes, digest } = randomBlob(3 * MiB + 333);
      await t.admin.uploadBytes(bytes, digest);
      for (const [offset, limit] of [[0, 1], [MiB - 3, 7], [2 * MiB, 0], [bytes.length - 1, 10], [bytes.length, 0]] as const) {
        const out = await rawRead(t.admin, t.adminToken, formatReadResource(digest), offset, limit);
        expect(out.code).toBe(status.OK);
        const want = bytes.subarray(offset, limit === 0 ? undefined : offset + limit);
        expect([offset, limit, out.data.length, out.data.equals(want)]).toEqual([offset, limit, want.length, true]);
      }
    });

    test('the empty blob needs no storage', async () => {
      const empty = { hex: EMPTY_SHA256_HEX, size: 0 };
      expect(await rawWrite(t.admin, t.adminToken, [{ resourceName: wr(empty), finishWrite: true }])).toMatchObject({ code: status.OK, committedSize: 0 });
      expect((await rawRead(t.admin, t.adminToken, formatReadResource(empty))).data.length).toBe(0);
      expect(await stored()).not.toContain(EMPTY_SHA256_HEX);
    });

    test.each([
      ['small', 100_000],
      ['large', 20 * MiB + 7],
    ])('a wrong digest leaves nothing visible (%s)', async (_kind, size) => {
      const { bytes } = randomBlob(size);
      const claimed = { hex: digestOf(Buffer.from(`other ${size}`)).hex, size };
      const out = await rawWrite(t.admin, t.adminToken, chunked(wr(claimed), bytes, MiB));
      expect(out.code).toBe(status.INVALID_ARGUMENT);
      const visible = await stored();
      expect(visible).not.toContain(claimed.hex);
      expect(visible).not.toContain(digestOf(bytes).hex);
    });

    test('a size lie leaves nothing visible', async () => {
      const { bytes, digest } = randomBlob(2 * MiB);
      const out = await rawWrite(t.admin, t.adminToken, chunked(wr({ hex: digest.hex, size: MiB }), bytes, 256 * 1024));
      expect(out.code).toBe(status.INVALID_ARGUMENT);
      expect(await stored()).not.toContain(digest.hex);
    });

    test('a cancel mid-stream leaves nothing visible', async () => {
      const { bytes, digest } = randomBlob(20 * MiB);
      const out = await rawWrite(t.admin, t.adminToken, chunked(wr(digest), bytes.subarray(0, 12 * MiB), MiB, 0, false), { cut: true });
      expect(out.code).toBe(status.CANCELLED);
      expect(await stored()).not.toContain(digest.hex);
    });

    test('16 concurrent uploads of one digest give one object', async () => {
      const { bytes, digest } = randomBlob(5 * MiB + 1);
      const results = await Promise.all(Array.from({ length: 16 }, () => rawWrite(t.admin, t.adminToken, chunked(wr(digest), bytes, MiB))));
      for (const r of results) expect(r).toMatchObject({ code: status.OK, committedSize: digest.size });
      expect((await stored()).filter((h) => h === digest.hex)).toHaveLength(1);
      expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
    });

    test('a cut upload resumes from committed_size while the server stays up (capability: resume)', async () => {
      if (!target.capabilities.resume) return;
      const { bytes, digest } = randomBlob(20 * MiB + 11);
      const name = wr(digest);
      const cutAt = 12 * MiB;
      const cut = await rawWrite(t.admin, t.adminToken, chunked(name, bytes.subarray(0, cutAt), MiB, 0, false), {
        cut: true,
        cutWhen: async () => (await queryStatus(t.admin, t.adminToken, name)).committedSize === cutAt,
      });
      expect(cut.code).toBe(status.CANCELLED);
      expect(await stored()).not.toContain(digest.hex);
      const { from, outcome } = await resumeUpload(t.admin, t.adminToken, name, bytes);
      expect(from).toBe(cutAt);
      expect(outcome).toMatchObject({ code: status.OK, committedSize: digest.size });
      expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
    });

    if (target.kill && target.revive) {
      test.each([
        ['small', 200_000],
        ['large', 20 * MiB + 3],
      ])('the backend stopping mid-upload fails with UNAVAILABLE, leaves nothing, and the same upload works once it is back (%s)', async (_kind, size) => {
        const { bytes, digest } = randomBlob(size);
        const half = Math.floor(size / 2);
        // Send half, kill the store, send the rest: the store is needed for a part or for the commit.
        let killed = false;
        const requests = chunked(wr(digest), bytes, Math.max(16 * 1024, Math.floor(size / 8)));
        const firstHalf = requests.filter((r) => (r.writeOffset ?? 0) < half);
        const secondHalf = requests.slice(firstHalf.length);
        const call = rawWrite(t.admin, t.adminToken, [...firstHalf, ...secondHalf], {
          beforeIndex: firstHalf.length,
          before: async () => {
            await target.kill!();
            killed = true;
          },
        });
        const out = await call;
        expect(killed).toBe(true);
        expect(out.code).toBe(status.UNAVAILABLE);
        await target.revive!();
        expect(await stored()).not.toContain(digest.hex);
        expect(await grpcServingStatus(t.server.address)).toBe(HealthCheckResponse_ServingStatus.SERVING);
        expect(await t.admin.uploadBytes(bytes, digest)).toBe(size);
        expect((await t.admin.readAll(digest)).equals(bytes)).toBe(true);
      });
    }
  });
}
