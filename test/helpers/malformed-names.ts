import { randomUUID } from 'node:crypto';

/** A small seeded PRNG (mulberry32) so a failing case can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = 'a'.repeat(64);
const JUNK = ['..', '.', '', ' ', '%2e%2e', '/', '\\', '\u0000', 'é', '💥', 'UPPER', '-x', 'x-', 'a'.repeat(65)];

/**
 * Resource names that are malformed by construction, in both forms, across every way a name
 * can be wrong: segment count, keywords, digest, size, upload id, backend label, encoding.
 */
export function malformedNames(kind: 'read' | 'write', count: number, seed: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hexOf = (n: number) => Array.from({ length: n }, () => pick('0123456789abcdef'.split(''))).join('');
  const badHex = () => pick([hexOf(63), hexOf(65), hexOf(64).toUpperCase().replace(/[0-9]/g, 'A'), `g${hexOf(63)}`, `sha256:${hexOf(64)}`, '', pick(JUNK)]);
  const badSize = () => pick(['-1', '01', '1.5', '1e3', '', ' 1', '99999999999999999999', '0x10', 'NaN', pick(JUNK)]);
  const badUuid = () => pick(['', 'not-a-uuid', randomUUID().slice(1), `${randomUUID()}x`, randomUUID().replace(/-/g, ''), pick(JUNK)]);
  const badBackend = () => pick(['A', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64), ' ', '..', '💥', 'UPPER']);
  const tail = () => (kind === 'read' ? `blobs/${HEX}/1` : `uploads/${randomUUID()}/blobs/${HEX}/1`);
  const garbage = () => Array.from({ length: Math.floor(rnd() * 12) }, () => String.fromCharCode(Math.floor(rnd() * 0x3000))).join('');
  const makers: (() => string)[] = [
    () => (kind === 'read' ? `blobs/${badHex()}/1` : `uploads/${randomUUID()}/blobs/${badHex()}/1`),
    () => (kind === 'read' ? `blobs/${HEX}/${badSize()}` : `uploads/${randomUUID()}/blobs/${HEX}/${badSize()}`),
    () => `${badBackend()}/${tail()}`,
    () => `a/b/${tail()}`,
    () => `${tail()}/extra`,
    () => `/${tail()}`,
    () => tail().replace('blobs', pick(['blob', 'Blobs', 'uploads', '', '..'])),
    () => (kind === 'read' ? `uploads/${randomUUID()}/blobs/${HEX}/1` : `blobs/${HEX}/1`),
    () => (kind === 'write' ? `uploads/${badUuid()}/blobs/${HEX}/1` : `blobs/${HEX}`),
    () => `../../${tail()}`,
    () => tail().replace(/\//g, '//'),
    () => `${tail()}${'/x'.repeat(300)}`,
    () => `x${garbage()}`,
    () => '',
  ];
  return Array.from({ length: count }, () => pick(makers)());
}
