import { randomBytes } from 'node:crypto';
import { coalesce, rechunk } from '../../src/core/rechunk';
import { prng } from '../helpers/malformed-names';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return out;
}

test('rechunk cuts any stream into even chunks and keeps every byte in order', async () => {
  const rnd = prng(3);
  for (let round = 0; round < 50; round++) {
    const pieces = Array.from({ length: Math.floor(rnd() * 20) }, () => randomBytes(Math.floor(rnd() * 3000)));
    const size = 1 + Math.floor(rnd() * 2000);
    const out = await collect(rechunk((async function* () { yield* pieces; })(), size));
    expect(Buffer.concat(out).equals(Buffer.concat(pieces))).toBe(true);
    out.slice(0, -1).forEach((c) => expect(c.length).toBe(size));
    if (out.length > 0) expect(out[out.length - 1]!.length).toBeLessThanOrEqual(size);
  }
});

test('a big chunk is split without copying', async () => {
  const big = randomBytes(10);
  const out = await collect(rechunk((async function* () { yield big; })(), 4));
  expect(out.map((c) => c.length)).toEqual([4, 4, 2]);
  expect(out[0]!.buffer).toBe(big.buffer);
});

test('coalesce gathers small chunks into pieces of at least the size, never splitting one, every byte in order', async () => {
  const rnd = prng(5);
  for (let round = 0; round < 50; round++) {
    const pieces = Array.from({ length: Math.floor(rnd() * 20) }, () => randomBytes(Math.floor(rnd() * 3000)));
    const size = 1 + Math.floor(rnd() * 4000);
    const out = await collect(coalesce((async function* () { yield* pieces; })(), size));
    expect(Buffer.concat(out).equals(Buffer.concat(pieces))).toBe(true);
    out.slice(0, -1).forEach((c) => expect(c.length).toBeGreaterThanOrEqual(size));
    expect(out.every((c) => c.length > 0 || pieces.length === 0)).toBe(true);
  }
  const big = randomBytes(10);
  const [only] = await collect(coalesce((async function* () { yield big; })(), 4));
  expect(only).toBe(big);
});
