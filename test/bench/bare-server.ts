/**
 * The baseline: a bare grpc-js server speaking the same ByteStream messages, doing only what the
 * transport plus SHA-256 must do. Write hashes and discards; Read streams a 1 MiB buffer while
 * hashing it; QueryWriteStatus is the unary echo for the small-ops comparison.
 * Run as a child process: prints "listening <port>".
 */
import { createHash, randomBytes } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ByteStreamServer, ReadResponse } from '../../generated/google/bytestream/bytestream';
import { FastByteStreamService } from '../../src/grpc/bytestream-codec';
import { BoundedWriter } from '../../src/grpc/bounded-writer';
import { MAX_MESSAGE_BYTES } from '../../src/grpc/server';

const CHUNK = randomBytes(1 << 20);

const impl: ByteStreamServer = {
  write: (call, respond) => {
    const hash = createHash('sha256');
    let n = 0;
    call.on('data', (req: { data: Buffer }) => {
      hash.update(req.data);
      n += req.data.length;
    });
    call.on('end', () => {
      hash.digest();
      respond(null, { committedSize: n });
    });
  },
  read: (call) => {
    const total = Number(call.request.readLimit);
    const ac = new AbortController();
    call.on('cancelled', () => ac.abort());
    (async () => {
      const hash = createHash('sha256');
      const out = new BoundedWriter<ReadResponse>(call, ac.signal);
      for (let sent = 0; sent < total; sent += CHUNK.length) {
        const data = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
        hash.update(data);
        await out.write({ data });
      }
      hash.digest();
    })().then(() => call.end(), () => undefined);
  },
  queryWriteStatus: (call, respond) => respond(null, { committedSize: call.request.resourceName.length, complete: true }),
};

const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES });
// The same codec as cairn, so the comparison isolates cairn's own work (storage, verification, bookkeeping).
server.addService(FastByteStreamService, impl);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
process.on('SIGINT', () => { server.forceShutdown(); process.exit(0); });
