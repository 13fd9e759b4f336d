import { randomBlob } from '../helpers/bytes';
import { startTestServer, TestServer } from '../helpers/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

test('write then read back a blob on the default local backend', async () => {
  const { bytes, digest } = randomBlob(3 * 1024 * 1024 + 17);
  expect(await t.admin.uploadBytes(bytes, digest, { filename: 'report.json', mediaType: 'application/json' })).toBe(digest.size);
  const back = await t.admin.readAll(digest);
  expect(back.equals(bytes)).toBe(true);
  const info = await t.admin.describe(digest.hex);
  expect(info).toMatchObject({ filename: 'report.json', mediaType: 'application/json', backend: 'local', provider: 'local' });
});
