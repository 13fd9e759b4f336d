/**
 * The HTTP baseline: a bare node:http server doing only what an HTTP blob path must do. PUT
 * hashes the body while writing it to a temp file (fsyncing it before answering when
 * BARE_FSYNC=1, as cairn's local backend does before its rename; with BARE_DISCARD=1 it only
 * hashes, to show what the disk costs); GET streams that file back while hashing it, as cairn
 * re-hashes full reads. Run as a child process: prints "listening <port>".
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FSYNC = process.env.BARE_FSYNC === '1';
const DISCARD = process.env.BARE_DISCARD === '1';
const file = join(tmpdir(), `cairn-bare-http-${process.pid}`);

const server = createServer((req, res) => {
  (async () => {
    if (req.method === 'PUT') {
      const hash = createHash('sha256');
      const handle = DISCARD ? undefined : await open(file, 'w');
      let n = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        hash.update(chunk);
        await handle?.write(chunk);
        n += chunk.length;
      }
      if (FSYNC) await handle?.sync();
      await handle?.close();
      const body = JSON.stringify({ size: n, hex: hash.digest('hex') });
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    const hash = createHash('sha256');
    const handle = await open(file, 'r');
    const { size } = await handle.stat();
    await handle.close();
    res.writeHead(200, { 'Content-Length': size, 'Content-Type': 'application/octet-stream' });
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (!res.write(chunk)) await once(res, 'drain');
    }
    hash.digest();
    res.end();
  })().catch((e: Error) => {
    res.destroy(e);
  });
});
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
