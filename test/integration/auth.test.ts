import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { Role } from '../../src/client';
import { formatReadResource, formatWriteResource } from '../../src/domain/resource-name';
import { randomBlob } from '../helpers/bytes';
import { chunked, queryStatus, rawRead, rawWrite } from '../helpers/bytestream';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
const blob = randomBlob(5000);
beforeAll(async () => {
  t = await startTestServer();
  await t.admin.uploadBytes(blob.bytes, blob.digest);
});
afterAll(() => t.stop());

/** Every authenticated RPC, called with `token`; resolves to the status codes it got. */
async function everyRpc(token: string | undefined): Promise<Record<string, number>> {
  const c = t.client(token);
  const code = (p: Promise<unknown>) => p.then(() => status.OK, (e: { code: number }) => e.code);
  const fresh = randomBlob(100);
  return {
    write: (await rawWrite(c, token, chunked(formatWriteResource(randomUUID(), fresh.digest), fresh.bytes))).code,
    read: (await rawRead(c, token, formatReadResource(blob.digest))).code,
    queryWriteStatus: (await queryStatus(c, token, formatWriteResource(randomUUID(), blob.digest))).code,
    describe: await code(c.describe(blob.digest.hex)),
    findMissing: await code(c.findMissing([blob.digest])),
    createToken: await code(c.createToken(Role.ROLE_DOWNLOADER, 60)),
    listTokens: await code(c.listTokens()),
    revokeToken: await code(c.revokeToken(randomUUID())),
  };
}

const ALL_UNAUTHENTICATED = {
  write: status.UNAUTHENTICATED, read: status.UNAUTHENTICATED, queryWriteStatus: status.UNAUTHENTICATED,
  describe: status.UNAUTHENTICATED, findMissing: status.UNAUTHENTICATED, createToken: status.UNAUTHENTICATED,
  listTokens: status.UNAUTHENTICATED, revokeToken: status.UNAUTHENTICATED,
};

describe('authentication', () => {
  test('no token: every RPC is UNAUTHENTICATED', async () => {
    expect(await everyRpc(undefined)).toEqual(ALL_UNAUTHENTICATED);
  });

  test('a forged, altered or foreign-key token is UNAUTHENTICATED', async () => {
    const good = t.token('admin');
    const [p, claims, sig] = good.split('.');
    const altered = `${p}.${Buffer.from(Buffer.from(claims!, 'base64url').toString().replace('"admin"', '"uploade"')).toString('base64url')}.${sig}`;
    expect(await everyRpc('cairn_v1.e30.AAAA')).toEqual(ALL_UNAUTHENTICATED);
    expect(await everyRpc(altered)).toEqual(ALL_UNAUTHENTICATED);
    expect(await everyRpc('not-a-token')).toEqual(ALL_UNAUTHENTICATED);
  });

  test('an expired token is UNAUTHENTICATED with a message saying so', async () => {
    const expired = t.token('admin', 'default', 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await everyRpc(expired)).toEqual(ALL_UNAUTHENTICATED);
    await expect(t.client(expired).describe(blob.digest.hex)).rejects.toMatchObject({ details: 'token expired' });
  });

  test('a revoked token stops working at once', async () => {
    const created = await t.admin.createToken(Role.ROLE_UPLOADER, 3600, 'ci');
    const c = t.client(created.token);
    await expect(c.describe(blob.digest.hex)).resolves.toBeDefined();
    const revoked = await t.admin.revokeToken(created.info!.id);
    expect(revoked.info!.revokedAt).toBeInstanceOf(Date);
    await expect(c.describe(blob.digest.hex)).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: 'token revoked' });
  });

  test('the bootstrap admin token file is mode 0600', () => {
    expect(statSync(t.server.adminTokenPath).mode & 0o777).toBe(0o600);
    expect(statSync(`${t.dataDir}/token-signing.key`).mode & 0o777).toBe(0o600);
  });
});

describe('roles', () => {
  test('downloader: reads only', async () => {
    expect(await everyRpc(t.token('downloader'))).toEqual({
      write: status.PERMISSION_DENIED, read: status.OK, queryWriteStatus: status.PERMISSION_DENIED, describe: status.OK,
      findMissing: status.OK, createToken: status.PERMISSION_DENIED, listTokens: status.PERMISSION_DENIED, revokeToken: status.PERMISSION_DENIED,
    });
  });

  // QueryWriteStatus on a stored blob reports it complete, whatever the upload id.
  test('uploader: writes and reads, no token management', async () => {
    expect(await everyRpc(t.token('uploader'))).toEqual({
      write: status.OK, read: status.OK, queryWriteStatus: status.OK, describe: status.OK,
      findMissing: status.OK, createToken: status.PERMISSION_DENIED, listTokens: status.PERMISSION_DENIED, revokeToken: status.PERMISSION_DENIED,
    });
  });

  test('admin: everything (revoking an unknown id is NOT_FOUND)', async () => {
    expect(await everyRpc(t.token('admin'))).toEqual({
      write: status.OK, read: status.OK, queryWriteStatus: status.OK, describe: status.OK,
      findMissing: status.OK, createToken: status.OK, listTokens: status.OK, revokeToken: status.NOT_FOUND,
    });
  });

  test('the denial message names the role needed', async () => {
    const fresh = randomBlob(10);
    const out = await rawWrite(t.client(), t.token('downloader'), chunked(formatWriteResource(randomUUID(), fresh.digest), fresh.bytes));
    expect(out.details).toBe('writing blobs needs the uploader role; this token has downloader');
  });

  test("an admin cannot revoke or list another organisation's tokens", async () => {
    await t.addOrg('other');
    const otherAdmin = t.client(t.token('admin', 'other'));
    const mine = await t.admin.createToken(Role.ROLE_DOWNLOADER, 60);
    await expect(otherAdmin.revokeToken(mine.info!.id)).rejects.toMatchObject({ code: status.NOT_FOUND });
    const theirs = await otherAdmin.listTokens();
    expect(theirs.tokens.map((x) => x.id)).not.toContain(mine.info!.id);
  });

  test('token TTLs are bounded', async () => {
    await expect(t.admin.createToken(Role.ROLE_UPLOADER, 10 * 365 * 24 * 3600)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(t.admin.createToken(Role.ROLE_UNSPECIFIED, 60)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });
});
