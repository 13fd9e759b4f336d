import { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { Logger } from 'pino';
import { toServiceError } from './status';

/** A thin unary handler: run the use case, encode its result, map any error in the one place. */
export function unary<Req, Res, T>(
  log: Logger,
  rpc: string,
  run: (call: ServerUnaryCall<Req, Res>) => T | Promise<T>,
  encode: (result: T) => Res,
): handleUnaryCall<Req, Res> {
  return (call, respond) => {
    Promise.resolve()
      .then(() => run(call))
      .then(
        (result) => respond(null, encode(result)),
        (e) => respond(toServiceError(e, log, { rpc })),
      );
  };
}
