import { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { Telemetry } from '../telemetry/telemetry';
import { orgSeen, requestIdOf } from './call-context';
import { toServiceError } from './status';

/**
 * A thin unary handler: run the use case, encode its result, map any error in the one place,
 * and record the call (metrics and one log line with request id, organisation, duration, result).
 */
export function unary<Req, Res, T>(
  telemetry: Telemetry,
  rpc: string,
  run: (call: ServerUnaryCall<Req, Res>) => T | Promise<T>,
  encode: (result: T) => Res,
): handleUnaryCall<Req, Res> {
  return (call, respond) => {
    const record = telemetry.call('grpc', rpc, requestIdOf(call.metadata));
    Promise.resolve()
      .then(() => run(call))
      .then(
        (result) => {
          respond(null, encode(result));
          record.end(undefined, orgSeen(call.metadata));
        },
        (e) => {
          respond(toServiceError(e, telemetry.log, { rpc }));
          record.end(e, orgSeen(call.metadata));
        },
      );
  };
}
