/** The first byte an HTTP answer holds: from `Content-Range: bytes <start>-<end>/<total>`, or 0 without one. */
export function rangeStart(contentRange: string | undefined): number {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange ?? '');
  return m ? Number(m[1]) : 0;
}

/**
 * Drops the first `skip` bytes of a body. Stores that ignore a Range header (and answer 200 with
 * the whole blob, or a 206 starting elsewhere) still give the reader the bytes it asked for.
 */
export async function* skipBytes(body: AsyncIterable<unknown>, skip: number): AsyncIterable<Buffer> {
  let left = skip;
  for await (const raw of body) {
    let chunk = raw as Buffer;
    if (left > 0) {
      const drop = Math.min(left, chunk.length);
      left -= drop;
      chunk = chunk.subarray(drop);
    }
    if (chunk.length > 0) yield chunk;
  }
}
