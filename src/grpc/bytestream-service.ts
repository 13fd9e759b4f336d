import { handleClientStreamingCall, handleServerStreamingCall, ServerReadableStream } from '@grpc/grpc-js';
import { BlobReader } from '../core/blob-reader';
import { BlobWriter, WriteStatus } from '../core/blob-writer';
import { TokenAuthority } from '../core/token-authority';
import { WriteSession } from '../core/write-session';
import { CasError, invalidArgument } from '../domain/errors';
import { Caller } from '../domain/model';
import { parseReadResource, parseWriteResource } from '../domain/resource-name';
import {
  ByteStreamServer,
  QueryWriteStatusRequest,
  QueryWriteStatusResponse,
  ReadRequest,
  ReadResponse,
  WriteRequest,
  WriteResponse,
} from '../../generated/google/bytestream/bytestream';
import { BoundedWriter } from './bounded-writer';
import { Telemetry, Transfer } from '../telemetry/telemetry';
import { callerOf, FILENAME_HEADER, MEDIA_TYPE_HEADER, requestIdOf, signalOf, textHeader } from './call-context';
import { toServiceError } from './status';
import { unary } from './unary';

export interface ByteStreamDeps {
  readonly authority: TokenAuthority;
  readonly writer: BlobWriter;
  readonly reader: BlobReader;
  readonly telemetry: Telemetry;
}

export function byteStreamService(deps: ByteStreamDeps): ByteStreamServer {
  const { authority, writer, reader, telemetry } = deps;
  const { log } = telemetry;

  const write: handleClientStreamingCall<WriteRequest, WriteResponse> = (call, respond) => {
    const signal = signalOf(call);
    const transfer = telemetry.transfer('grpc', 'in', requestIdOf(call.metadata));
    Promise.resolve()
      .then(() => receiveWrite(call, callerOf(call.metadata, authority), writer, signal, transfer))
      .then(
        (committedSize) => {
          respond(null, { committedSize });
          transfer.end();
        },
        (e) => {
          const error = signal.aborted ? signal.reason : e;
          respond(toServiceError(error, log, { rpc: 'Write' }));
          transfer.end(error);
        },
      );
  };

  const read: handleServerStreamingCall<ReadRequest, ReadResponse> = (call) => {
    const signal = signalOf(call);
    const transfer = telemetry.transfer('grpc', 'out', requestIdOf(call.metadata));
    (async () => {
      const caller = callerOf(call.metadata, authority);
      transfer.org(caller.orgId);
      const { resourceName, readOffset, readLimit } = call.request;
      const resource = parseReadResource(resourceName);
      const open = reader.open(caller, resource, { offset: readOffset, limit: readLimit }, signal);
      if (open.backend) transfer.at(open.backend, resource.digest.hex);
      const out = new BoundedWriter<ReadResponse>(call, signal);
      for await (const data of open.chunks) {
        await out.write({ data });
        transfer.add(data.length);
      }
    })().then(
      () => {
        call.end();
        transfer.end();
      },
      (e) => {
        if (!signal.aborted) call.emit('error', toServiceError(e, log, { rpc: 'Read' }));
        transfer.end(signal.aborted ? signal.reason : e);
      },
    );
  };

  const queryWriteStatus = unary<QueryWriteStatusRequest, QueryWriteStatusResponse, WriteStatus>(
    telemetry,
    'QueryWriteStatus',
    (call) => writer.status(callerOf(call.metadata, authority), parseWriteResource(call.request.resourceName)),
    (s) => ({ committedSize: s.committedSize, complete: s.complete }),
  );

  return { read, write, queryWriteStatus };
}

/**
 * Messages grpc-js may queue ahead of the Write loop. Its default (16) keeps 1 MiB chunks waiting
 * long enough to be promoted to V8's old space, so every few MiB cost a full Mark-Compact; with
 * 2 they die young in cheap scavenges (measured: 71 Mark-Compacts per GiB down to a few).
 */
export const WRITE_READ_AHEAD_MESSAGES = 2;

/** Lowers a Readable's object high-water mark after construction (grpc-js offers no option). */
function limitReadAhead(stream: object, messages: number): void {
  const state = (stream as { _readableState?: { highWaterMark?: number } })._readableState;
  if (state && typeof state.highWaterMark === 'number') state.highWaterMark = messages;
}

/**
 * Feeds one Write stream into the write use case, enforcing the message-level rules of
 * google.bytestream: the first request names the resource, later ones may repeat it but not
 * change it, and nothing may follow finish_write. The commit waits for the client's half-close
 * so a message after finish_write is still caught. A stream that ends without finish_write
 * keeps what arrived and answers with the committed size, as the ByteStream spec says.
 */
async function receiveWrite(
  call: ServerReadableStream<WriteRequest, WriteResponse>,
  caller: Caller,
  writer: BlobWriter,
  signal: AbortSignal,
  transfer: Transfer,
): Promise<number> {
  transfer.org(caller.orgId);
  let session: WriteSession | undefined;
  let resourceName: string | undefined;
  let finished = false;
  limitReadAhead(call, WRITE_READ_AHEAD_MESSAGES);
  try {
    for await (const req of call as AsyncIterable<WriteRequest>) {
      if (finished) throw invalidArgument('no WriteRequest may follow one with finish_write');
      if (session === undefined) {
        if (!req.resourceName) throw invalidArgument('the first WriteRequest must carry resource_name');
        resourceName = req.resourceName;
        const resource = parseWriteResource(resourceName);
        const start = await writer.start(
          caller,
          resource,
          { filename: textHeader(call.metadata, FILENAME_HEADER), mediaType: textHeader(call.metadata, MEDIA_TYPE_HEADER) },
          { offset: req.writeOffset, length: req.data.length, finish: req.finishWrite },
        );
        if (start.kind === 'complete') {
          transfer.at(start.backend, resource.digest.hex).noted('dedup');
          return start.size;
        }
        session = start.session;
        transfer.at(session.backend, resource.digest.hex);
      } else if (req.resourceName && req.resourceName !== resourceName) {
        throw invalidArgument('resource_name must not change within one Write stream');
      }
      await session.append(req.writeOffset, req.data);
      transfer.add(req.data.length);
      finished = req.finishWrite;
    }
    if (!session) throw invalidArgument('the Write stream carried no request');
    if (finished) return await session.finish(signal);
    const committed = session.committedSize;
    await session.detach();
    transfer.noted('partial');
    return committed;
  } catch (e) {
    if (signal.aborted && !(e instanceof CasError)) throw signal.reason;
    throw e;
  } finally {
    await session?.detach();
  }
}
