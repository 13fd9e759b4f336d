import { CasError } from '../domain/errors';

/** Messages a server stream may have handed to grpc-js but not yet seen written, per call. */
export const MAX_IN_FLIGHT_MESSAGES = 2;

interface WritableCall<T> {
  write(message: T, cb: (err?: Error | null) => void): boolean;
}

/**
 * Backpressure for server streams that does not lean on grpc-js's 16-message writable buffer:
 * each message's write callback fires when HTTP/2 has taken it, and at most `max` messages are
 * ever outstanding. A stalled client therefore pins about `max` chunks of server memory.
 */
export class BoundedWriter<T> {
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly call: WritableCall<T>,
    private readonly signal: AbortSignal,
    private readonly max = MAX_IN_FLIGHT_MESSAGES,
  ) {
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  async write(message: T): Promise<void> {
    this.check();
    this.inFlight++;
    this.call.write(message, (err) => {
      this.inFlight--;
      if (err) this.failure ??= err;
      this.wake?.();
    });
    while (this.inFlight >= this.max) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      this.check();
    }
  }

  private check(): void {
    if (this.signal.aborted) throw new CasError('CANCELLED', 'the client went away');
    if (this.failure) throw new CasError('UNAVAILABLE', 'the response stream failed', { cause: this.failure });
  }
}
