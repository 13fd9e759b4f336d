import { randomBytes } from 'node:crypto';
import { ReadResponse, WriteRequest } from '../../generated/google/bytestream/bytestream';
import { decodeWriteRequest, encodeReadResponse } from '../../src/grpc/bytestream-codec';
import { prng } from '../helpers/malformed-names';

const generated = (m: ReadResponse) => Buffer.from(ReadResponse.encode(m).finish());

test('ReadResponse encodes byte for byte like the generated codec', () => {
  for (const size of [0, 1, 127, 128, 16_383, 16_384, 1 << 20, (1 << 20) + 3, 2_097_151, 2_097_152]) {
    const m = { data: randomBytes(size) };
    expect(encodeReadResponse(m).equals(generated(m))).toBe(true);
  }
});

test('WriteRequest decodes whatever the generated codec encodes, sharing the data bytes', () => {
  const rnd = prng(42);
  for (let i = 0; i < 300; i++) {
    const m: WriteRequest = {
      resourceName: rnd() < 0.5 ? '' : `uploads/${i}/blobs/${'a'.repeat(64)}/${i}`,
      writeOffset: rnd() < 0.3 ? 0 : Math.floor(rnd() * 2 ** 52),
      finishWrite: rnd() < 0.5,
      data: randomBytes(Math.floor(rnd() * 5000)),
    };
    const wire = Buffer.from(WriteRequest.encode(m).finish());
    const decoded = decodeWriteRequest(wire);
    expect(decoded).toEqual(WriteRequest.decode(wire));
    if (m.data.length > 0) expect(decoded.data.buffer).toBe(wire.buffer); // a view, not a copy
  }
});

test('unknown fields are skipped as the generated codec does', () => {
  // field 15 (varint) and field 16 (length-delimited) before the known ones
  const extra = Buffer.from([0x78, 0x05, 0x82, 0x01, 0x02, 0xaa, 0xbb]);
  const known = Buffer.from(WriteRequest.encode({ resourceName: 'x', writeOffset: 7, finishWrite: true, data: Buffer.from('hi') }).finish());
  const wire = Buffer.concat([extra, known]);
  expect(decodeWriteRequest(wire)).toEqual(WriteRequest.decode(wire));
});
