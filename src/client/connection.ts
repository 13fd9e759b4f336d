import { ChannelCredentials, ChannelOptions, credentials, Metadata, ServiceError } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

export const DEFAULT_SERVER = '127.0.0.1:9400';
export const CLIENT_MAX_MESSAGE_BYTES = 16 << 20;

export interface ConnectionOptions {
  /** host:port */
  readonly server: string;
  readonly token?: string;
  /** Dial with TLS; `ca` pins a CA certificate file instead of the system roots. */
  readonly tls?: boolean;
  readonly ca?: string;
  /** A client certificate and key (PEM files), for servers that require one. */
  readonly cert?: string;
  readonly key?: string;
  /**
   * Which data path uploads and downloads take: gRPC ByteStream, the HTTP one, or `auto` (HTTP
   * when the server offers it, gRPC otherwise or when the HTTP listener cannot be reached).
   */
  readonly transport?: Transport;
  /** Told when `auto` falls back to gRPC, and why. */
  readonly onFallback?: (why: string) => void;
}

export type Transport = 'grpc' | 'http' | 'auto';
export const TRANSPORTS: readonly Transport[] = ['grpc', 'http', 'auto'];

export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': CLIENT_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': CLIENT_MAX_MESSAGE_BYTES,
};

export function channelCredentials(o: ConnectionOptions): ChannelCredentials {
  if (!o.tls && !o.ca && !o.cert) return credentials.createInsecure();
  return credentials.createSsl(o.ca ? readFileSync(o.ca) : null, o.key ? readFileSync(o.key) : null, o.cert ? readFileSync(o.cert) : null);
}

export function authMetadata(token: string | undefined, extra: Record<string, string> = {}): Metadata {
  const md = new Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(extra)) md.set(k, v);
  return md;
}

/** One line for humans: the server's message without grpc-js's "N CODE:" prefix noise. */
export function describeError(e: unknown): string {
  const se = e as Partial<ServiceError>;
  if (typeof se?.code === 'number' && typeof se.details === 'string') return se.details || se.message || 'request failed';
  return e instanceof Error ? e.message : String(e);
}

/** Turns a grpc-js callback call into a promise. */
export function call<T>(fn: (cb: (err: ServiceError | null, res?: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, res) => (err ? reject(err) : resolve(res as T)));
  });
}
