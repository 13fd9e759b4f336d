import { CasError } from '../domain/errors';

/**
 * Gathers a stream's chunks into parts and ships each part while the next one fills, with at
 * most one shipment in flight (memory: about two parts). A failed shipment is remembered and
 * thrown by the next add(), drain() or take(). Shared by the providers that stage remotely
 * (S3 parts, Azure blocks, OCI chunks); each supplies only how to ship one part.
 */
export class PartPipeline {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private shippedParts = 0;
  private inFlight: Promise<void> | undefined;
  private failure: CasError | undefined;

  /**
   * @param partSize bytes per shipped part
   * @param streaming ship parts as they fill; when false everything is held for take() (small blobs)
   * @param ship sends one part; `index` counts from 0
   */
  constructor(
    private readonly partSize: number,
    private readonly streaming: boolean,
    private readonly ship: (body: Buffer, index: number) => Promise<void>,
    private readonly toError: (e: unknown, index: number) => CasError,
  ) {}

  /** Parts handed to ship() so far. */
  get shipped(): number {
    return this.shippedParts;
  }

  async add(chunk: Buffer): Promise<void> {
    this.check();
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.streaming && this.heldBytes >= this.partSize) await this.shipHeld();
  }

  /** Ships whatever is held as one part (after the previous one has landed). */
  async shipHeld(): Promise<void> {
    await this.inFlight;
    this.check();
    const body = this.take();
    const index = this.shippedParts++;
    this.inFlight = this.ship(body, index).catch((e: unknown) => {
      this.failure ??= e instanceof CasError ? e : this.toError(e, index);
    });
  }

  /** Everything held, as one buffer, and nothing held afterwards. */
  take(): Buffer {
    const body = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return body;
  }

  get heldLength(): number {
    return this.heldBytes;
  }

  /** Waits for the shipment in flight; throws the first failure. */
  async drain(): Promise<void> {
    await this.inFlight;
    this.check();
  }

  /** Drops held bytes and lets a shipment in flight settle, ignoring its outcome. */
  async discard(): Promise<void> {
    this.held = [];
    this.heldBytes = 0;
    await this.inFlight?.catch(() => undefined);
  }

  check(): void {
    if (this.failure) throw this.failure;
  }
}
