import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ClientReadableStream, ServiceError, status as Status } from '@grpc/grpc-js';
import { ByteStreamClient, ReadResponse } from '../../generated/google/bytestream/bytestream';
import { CreateDownloadLinkResponse, DescribeResponse, GetServerInfoResponse, ResourceServiceClient } from '../../generated/cairn/cas/v1/resource';
import { CreateTokenResponse, ListTokensResponse, Role, RevokeTokenResponse, TokenServiceClient } from '../../generated/cairn/auth/v1/token';
import {
  CasBackendServiceClient,
  CreateBackendRequest,
  CreateBackendResponse,
  DeleteBackendResponse,
  GetBackendResponse,
  ListBackendsResponse,
  SetDefaultBackendResponse,
  UpdateBackendRequest,
  UpdateBackendResponse,
  ValidateBackendResponse,
} from '../../generated/cairn/cas/v1/cas_backend';
import { Digest, parseHex } from '../domain/digest';
import { formatReadResource } from '../domain/resource-name';
import { authMetadata, call, CHANNEL_OPTIONS, channelCredentials, ConnectionOptions } from './connection';
import { digestFile } from './file-digest';
import { HttpTransfers, UNREACHABLE } from './http-transfer';
import { resolveDestination, writeVerified } from './download';
import { bufferSource, fileSource, uploadStream, UploadOptions } from './upload';

export interface UploadResult {
  readonly digest: Digest;
  readonly backend?: string;
}

/** A small typed client over the generated stubs: what the CLI and other Node services use. */
export class CairnClient {
  readonly bytestream: ByteStreamClient;
  readonly resources: ResourceServiceClient;
  readonly tokens: TokenServiceClient;
  readonly backends: CasBackendServiceClient;

  constructor(readonly options: ConnectionOptions) {
    const creds = channelCredentials(options);
    this.bytestream = new ByteStreamClient(options.server, creds, CHANNEL_OPTIONS);
    this.resources = new ResourceServiceClient(options.server, creds, CHANNEL_OPTIONS);
    this.tokens = new TokenServiceClient(options.server, creds, CHANNEL_OPTIONS);
    this.backends = new CasBackendServiceClient(options.server, creds, CHANNEL_OPTIONS);
  }

  private get md() {
    return authMetadata(this.options.token);
  }

  /** Hashes the file, then sends it on the chosen transport (gRPC resumes after transport failures). */
  async uploadFile(path: string, opts: UploadOptions & { onHashProgress?: (n: number) => void } = {}): Promise<UploadResult> {
    const digest = await digestFile(path, opts.onHashProgress);
    await this.send(digest, fileSource(path), opts);
    return { digest };
  }

  async uploadBytes(bytes: Buffer, digest: Digest, opts: UploadOptions = {}): Promise<number> {
    await this.send(digest, bufferSource(bytes), opts);
    return digest.size;
  }

  private async send(digest: Digest, open: (offset: number) => Readable, opts: UploadOptions): Promise<void> {
    await this.viaTransport(
      async (http) => void (await http.upload(digest, () => open(0), opts)),
      async () => void (await uploadStream(this.bytestream, this.options.token, digest, open, opts)),
    );
  }

  /** Runs `viaHttp` when the transport picks the HTTP path (falling back in `auto` when it is unreachable), else `viaGrpc`. */
  private async viaTransport<T>(viaHttp: (http: HttpTransfers) => Promise<T>, viaGrpc: () => Promise<T>): Promise<T> {
    const http = await this.httpPath();
    if (http) {
      try {
        return await viaHttp(http);
      } catch (e) {
        if (!this.fallBack(e)) throw e;
      }
    }
    return viaGrpc();
  }

  /**
   * The HTTP data path when the transport says to use it: `http` insists, `auto` takes it when
   * the server advertises one. Undefined means gRPC.
   */
  private async httpPath(): Promise<HttpTransfers | undefined> {
    const transport = this.options.transport ?? 'grpc';
    if (transport === 'grpc' || this.httpUnreachable) return undefined;
    if (this.http) return this.http;
    let url = '';
    try {
      url = (await this.serverInfo()).httpUrl;
    } catch (e) {
      // A server from before GetServerInfo: gRPC it is.
      if (transport === 'auto' && (e as ServiceError).code === Status.UNIMPLEMENTED) return undefined;
      throw e;
    }
    if (!url) {
      if (transport === 'http') throw new Error('the server offers no HTTP data path (its HTTP listener is off): use --transport grpc or auto');
      return undefined;
    }
    const { token, ca, cert, key } = this.options;
    this.http = new HttpTransfers({ baseUrl: url, ...(token ? { token } : {}), ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
    return this.http;
  }

  /** In `auto`, an HTTP listener that cannot be reached means gRPC from now on. */
  private fallBack(e: unknown): boolean {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (this.options.transport !== 'auto' || !UNREACHABLE.has(code)) return false;
    this.httpUnreachable = true;
    this.options.onFallback?.(`the HTTP data path is unreachable (${code}); using gRPC`);
    return true;
  }

  private http: HttpTransfers | undefined;
  private httpUnreachable = false;

  /** The raw ByteStream Read of a range, as an async iterable of chunks. */
  read(digest: Digest, range: { offset?: number; limit?: number; backend?: string } = {}): AsyncIterable<Buffer> {
    const stream: ClientReadableStream<ReadResponse> = this.bytestream.read(
      { resourceName: formatReadResource(digest, range.backend), readOffset: range.offset ?? 0, readLimit: range.limit ?? 0 },
      this.md,
    );
    return (async function* () {
      for await (const msg of stream as AsyncIterable<ReadResponse>) yield msg.data;
    })();
  }

  async readAll(digest: Digest, range: { offset?: number; limit?: number; backend?: string } = {}): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of this.read(digest, range)) parts.push(c);
    return Buffer.concat(parts);
  }

  /** Downloads into a file or directory, verifying size and SHA-256 before the file appears. */
  async download(hexOrDigest: string, dest: string, onProgress?: (n: number, total: number) => void): Promise<{ path: string; info: DescribeResponse }> {
    const info = await this.describe(hexOrDigest);
    const digest = { hex: info.digest!.hash, size: info.digest!.sizeBytes };
    const path = await resolveDestination({ path: dest, reportedFilename: info.filename }, digest);
    const progress = onProgress && ((n: number) => onProgress(n, digest.size));
    await this.viaTransport(
      (http) => writeVerified(http.download(digest.hex), path, digest, progress),
      () => writeVerified(this.read(digest), path, digest, progress),
    );
    return { path, info };
  }

  /**
   * Streams a stored blob and hashes what arrives, so a caller can compare it with a digest it
   * trusts (the server re-hashes full reads too, but a verifier should not rely on that alone).
   * Without a size, Describe finds it.
   */
  async hashStored(hex: string, size?: number, backend?: string): Promise<{ hex: string; size: number }> {
    const known = size ?? (await this.describe(hex, backend)).digest!.sizeBytes;
    const hashAll = async (chunks: AsyncIterable<Buffer>) => {
      const hash = createHash('sha256');
      let got = 0;
      for await (const chunk of chunks) {
        hash.update(chunk);
        got += chunk.length;
      }
      return { hex: hash.digest('hex'), size: got };
    };
    return this.viaTransport(
      (http) => hashAll(http.download(hex, backend)),
      () => hashAll(this.read({ hex, size: known }, backend ? { backend } : {})),
    );
  }

  /** A whole blob in memory, refused before reading when it is larger than `maxBytes`. */
  async fetchSmall(hexOrDigest: string, maxBytes: number): Promise<{ bytes: Buffer; info: DescribeResponse }> {
    const info = await this.describe(hexOrDigest);
    const size = info.digest!.sizeBytes;
    if (size > maxBytes) throw new Error(`blob ${hexOrDigest} is ${size} bytes, more than the ${maxBytes} expected here`);
    return { bytes: await this.readAll({ hex: info.digest!.hash, size }, info.backend ? { backend: info.backend } : {}), info };
  }

  describe(hexOrDigest: string, backend = ''): Promise<DescribeResponse> {
    const digest = parseHex(hexOrDigest);
    return call((cb) => this.resources.describe({ digest, backend }, this.md, cb));
  }

  async findMissing(digests: readonly Digest[], backend = ''): Promise<Digest[]> {
    const res = await call<{ missing: { hash: string; sizeBytes: number }[] }>((cb) =>
      this.resources.findMissing({ digests: digests.map((d) => ({ hash: d.hex, sizeBytes: d.size })), backend }, this.md, cb),
    );
    return res.missing.map((d) => ({ hex: d.hash, size: d.sizeBytes }));
  }

  /** A signed GET URL for one blob that works without a token until it expires. */
  createDownloadLink(hexOrDigest: string, ttlSeconds = 0): Promise<CreateDownloadLinkResponse> {
    return call((cb) => this.resources.createDownloadLink({ digest: parseHex(hexOrDigest), ttlSeconds }, this.md, cb));
  }

  /** What the server offers besides gRPC; cached per client. */
  serverInfo(): Promise<GetServerInfoResponse> {
    return (this.info ??= call<GetServerInfoResponse>((cb) => this.resources.getServerInfo({}, this.md, cb)));
  }

  private info: Promise<GetServerInfoResponse> | undefined;

  createToken(role: Role, ttlSeconds: number, description = ''): Promise<CreateTokenResponse> {
    return call((cb) => this.tokens.create({ role, ttlSeconds, description }, this.md, cb));
  }

  revokeToken(id: string): Promise<RevokeTokenResponse> {
    return call((cb) => this.tokens.revoke({ id }, this.md, cb));
  }

  listTokens(): Promise<ListTokensResponse> {
    return call((cb) => this.tokens.list({}, this.md, cb));
  }

  createBackend(req: CreateBackendRequest): Promise<CreateBackendResponse> {
    return call((cb) => this.backends.create(req, this.md, cb));
  }

  getBackend(name: string): Promise<GetBackendResponse> {
    return call((cb) => this.backends.get({ name }, this.md, cb));
  }

  listBackends(includeDeleted = false): Promise<ListBackendsResponse> {
    return call((cb) => this.backends.list({ includeDeleted }, this.md, cb));
  }

  updateBackend(req: UpdateBackendRequest): Promise<UpdateBackendResponse> {
    return call((cb) => this.backends.update(req, this.md, cb));
  }

  deleteBackend(name: string, purge = false): Promise<DeleteBackendResponse> {
    return call((cb) => this.backends.delete({ name, purge }, this.md, cb));
  }

  setDefaultBackend(name: string): Promise<SetDefaultBackendResponse> {
    return call((cb) => this.backends.setDefault({ name }, this.md, cb));
  }

  validateBackend(name: string): Promise<ValidateBackendResponse> {
    return call((cb) => this.backends.validate({ name }, this.md, cb));
  }

  close(): void {
    this.http?.close();
    this.bytestream.close();
    this.resources.close();
    this.tokens.close();
    this.backends.close();
  }
}

