import { isCasError } from '../../src/domain/errors';
import { parseReadResource, parseWriteResource, formatReadResource, formatWriteResource } from '../../src/domain/resource-name';
import { malformedNames } from '../helpers/malformed-names';

const HEX = '0123456789abcdef'.repeat(4);
const UUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

describe('resource names', () => {
  test('read names with and without a backend', () => {
    expect(parseReadResource(`blobs/${HEX}/42`)).toEqual({ digest: { hex: HEX, size: 42 } });
    expect(parseReadResource(`s3-prod/blobs/${HEX}/0`)).toEqual({ backend: 's3-prod', digest: { hex: HEX, size: 0 } });
  });

  test('write names with and without a backend; upload ids are case-folded', () => {
    expect(parseWriteResource(`uploads/${UUID}/blobs/${HEX}/7`)).toEqual({ uploadId: UUID, digest: { hex: HEX, size: 7 } });
    expect(parseWriteResource(`oci/uploads/${UUID.toUpperCase()}/blobs/${HEX}/7`)).toEqual({
      backend: 'oci', uploadId: UUID, digest: { hex: HEX, size: 7 },
    });
  });

  test('format and parse round-trip', () => {
    const d = { hex: HEX, size: 123456789 };
    expect(parseReadResource(formatReadResource(d, 'b1'))).toEqual({ backend: 'b1', digest: d });
    expect(parseWriteResource(formatWriteResource(UUID, d))).toEqual({ uploadId: UUID, digest: d });
  });

  test.each([
    [`blobs/${HEX.toUpperCase()}/1`, 'want 64 lower-case hex characters'],
    [`blobs/${HEX}/-1`, 'want a decimal byte count'],
    [`blobs/${HEX}/9007199254740993`, 'invalid size'],
    [`Bad/blobs/${HEX}/1`, 'is not a valid backend name'],
    [`a/b/blobs/${HEX}/1`, 'wrong number of path segments'],
    [`uploads/${UUID}/blobs/${HEX}/1`, 'wrong number of path segments'],
    [`x/uploads/${HEX}/1`, 'expected "blobs/{sha256-hex}/{size}"'],
    [`blobs/sha256:${HEX.slice(7)}/1`, 'want 64 lower-case hex characters'],
  ])('read %s is refused: %s', (name, why) => {
    expect(() => parseReadResource(name)).toThrow(why);
  });

  test('every generated malformed name is refused with INVALID_ARGUMENT by the parser', () => {
    for (const [kind, parse] of [['read', parseReadResource], ['write', parseWriteResource]] as const) {
      for (const name of malformedNames(kind, 3000, 7)) {
        let error: unknown;
        try {
          parse(name);
        } catch (e) {
          error = e;
        }
        expect([name, isCasError(error, 'INVALID_ARGUMENT')]).toEqual([name, true]);
      }
    }
  });
});
