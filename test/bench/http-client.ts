/**
 * One HTTP transfer in a process of its own, so the benchmark's own heap and event loop never
 * sit on the measured path: `node http-client.js put|get <url> <total bytes> [token]`. PUT sends
 * the 1 MiB chunk in BENCH_CHUNK_FILE repeated (the digest in the URL must match it);
 * GET counts what arrives. Prints the seconds the transfer took and the HTTP status or byte count.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { IncomingMessage, request } from 'node:http';

const [mode, url, totalText, token] = process.argv.slice(2);
const total = Number(totalText);
const headers: Record<string, string | number> = token ? { Authorization: `Bearer ${token}` } : {};

async function main(): Promise<void> {
  const chunk = mode === 'put' ? readFileSync(process.env.BENCH_CHUNK_FILE!) : Buffer.alloc(0);
  const t0 = process.hrtime.bigint();
  let result: number;
  if (mode === 'put') {
    const req = request(url!, { method: 'PUT', headers: { ...headers, 'Content-Length': total } });
    const response = once(req, 'response');
    response.catch(() => undefined);
    for (let off = 0; off < total; off += chunk.length) {
      if (!req.write(chunk.subarray(0, Math.min(chunk.length, total - off)))) await once(req, 'drain');
    }
    req.end();
    const [res] = (await response) as [IncomingMessage];
    res.resume();
    await once(res, 'end');
    result = res.statusCode ?? 0;
  } else {
    const req = request(url!, { headers });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    result = 0;
    for await (const c of res as AsyncIterable<Buffer>) result += c.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${seconds} ${result}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
