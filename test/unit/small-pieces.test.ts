import { createHash } from 'node:crypto';
import { safeFilename } from '../../src/client/safe-filename';
import { assertMatches, verifiedRead } from '../../src/core/digest-check';
import { isCasError } from '../../src/domain/errors';
import { cleanFilename, cleanMediaType, isBackendName } from '../../src/domain/names';
import { parseHex, parseSize } from '../../src/domain/digest';
import { roleAllows } from '../../src/domain/model';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('safeFilename keeps downloads inside the chosen directory', () => {
  test.each([
    ['report.json', 'report.json'],
    ['../../etc/passwd', 'passwd'],
    ['/abs/path/x.txt', 'x.txt'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['..', undefined],
    ['.', undefined],
    ['', undefined],
    ['dir/', 'dir'],
    ['a\u0000b\nc', 'abc'],
    ['x'.repeat(300), undefined],
  ])('%j -> %j', (reported, safe) => {
    expect(safeFilename(reported)).toBe(safe);
  });
});

describe('digest checks', () => {
  test('assertMatches names expected and actual', () => {
    const d = { hex: 'a'.repeat(64), size: 3 };
    expect(() => assertMatches(d, 4, () => 'x')).toThrow('size mismatch: expected 3 bytes, received 4');
    expect(() => assertMatches(d, 3, () => 'b'.repeat(64))).toThrow(`digest mismatch: expected sha256:${'a'.repeat(64)}, actual sha256:${'b'.repeat(64)}`);
  });

  async function drain(it: AsyncIterable<Buffer>): Promise<unknown> {
    try {
      for await (const _ of it) void _;
      return 'ok';
    } catch (e) {
      return e;
    }
  }

  test('verifiedRead passes good bytes and fails short, long or altered ones with DATA_LOSS', async () => {
    const bytes = Buffer.from('hello evidence');
    const d = { hex: sha(bytes), size: bytes.length };
    async function* of(...parts: Buffer[]) {
      yield* parts;
    }
    expect(await drain(verifiedRead(of(bytes.subarray(0, 5), bytes.subarray(5)), d))).toBe('ok');
    for (const bad of [bytes.subarray(0, 5), Buffer.concat([bytes, Buffer.from('!')]), Buffer.from('hellO evidence')]) {
      expect(isCasError(await drain(verifiedRead(of(bad), d)), 'DATA_LOSS')).toBe(true);
    }
  });
});

describe('names and values', () => {
  test('backend names follow DNS-label rules', () => {
    for (const ok of ['a', 'local', 's3-prod-1', 'a'.repeat(63)]) expect(isBackendName(ok)).toBe(true);
    for (const bad of ['', 'A', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64)]) expect(isBackendName(bad)).toBe(false);
  });

  test('client-reported file names and media types are cleaned', () => {
    expect(cleanFilename('a\u0007b')).toBe('ab');
    expect(cleanFilename('x'.repeat(400))).toHaveLength(255);
    expect(cleanMediaType('application/json; charset=utf-8')).toBe('application/json; charset=utf-8');
    expect(cleanMediaType('not a type')).toBe('application/octet-stream');
    expect(cleanMediaType(undefined)).toBe('application/octet-stream');
  });

  test('digests and sizes', () => {
    expect(parseHex(`sha256:${'0'.repeat(64)}`)).toBe('0'.repeat(64));
    expect(() => parseHex('0'.repeat(63))).toThrow('want 64 lower-case hex characters');
    expect(parseSize('0')).toBe(0);
    for (const bad of ['-1', '01', '1.0', '9007199254740993']) expect(() => parseSize(bad)).toThrow();
  });

  test('roles nest: admin ⊇ uploader ⊇ downloader', () => {
    expect(roleAllows('admin', 'uploader')).toBe(true);
    expect(roleAllows('uploader', 'downloader')).toBe(true);
    expect(roleAllows('downloader', 'uploader')).toBe(false);
    expect(roleAllows('uploader', 'admin')).toBe(false);
  });
});
