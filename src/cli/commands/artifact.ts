import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { Command } from 'commander';
import { parseDuration } from '../../config/server-config';
import { formatDigest } from '../../domain/digest';
import { action, addClientOptions, CliError, printJson } from '../common';
import { guessMediaType } from '../media-type';
import { formatBytes, ProgressBar } from '../progress';

export function artifactCommand(): Command {
  const artifact = new Command('artifact').description('upload, download and describe evidence blobs');

  addClientOptions(
    artifact
      .command('upload <file>')
      .description('hash a file, stream it to cairn and print its digest')
      .option('--backend <name>', "backend to store it on (the organisation's default otherwise)")
      .option('--name <filename>', 'file name to record (the file\'s own name otherwise)')
      .option('--media-type <type>', 'media type to record (guessed from the file name otherwise)'),
  ).action(
    action(async (client, opts, file: string) => {
      const o = opts as typeof opts & { backend?: string; name?: string; mediaType?: string };
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new CliError(`${file}: not a readable file`);
      const hashing = new ProgressBar('hashing  ', info.size);
      const sending = new ProgressBar('uploading', info.size);
      const { digest } = await client.uploadFile(file, {
        filename: o.name ?? basename(file),
        mediaType: o.mediaType ?? guessMediaType(file),
        ...(o.backend ? { backend: o.backend } : {}),
        onHashProgress: (n) => hashing.update(n),
        onProgress: (n) => sending.update(n),
      });
      sending.finish();
      if (opts.output === 'json') printJson({ digest: formatDigest(digest), size: digest.size, filename: o.name ?? basename(file) });
      else process.stdout.write(`${formatDigest(digest)}\n`);
    }),
  );

  addClientOptions(
    artifact
      .command('download <digest>')
      .description('download a blob, verify its SHA-256 and save it')
      .option('-o, --out <path>', 'file or directory to save to (the current directory otherwise)', '.'),
  ).action(
    action(async (client, opts, digest: string) => {
      const o = opts as typeof opts & { out: string };
      let bar: ProgressBar | undefined;
      const { path, info } = await client.download(digest, o.out, (n, total) => (bar ??= new ProgressBar('downloading', total)).update(n));
      bar?.finish();
      if (opts.output === 'json') printJson({ path, digest: `sha256:${info.digest!.hash}`, size: info.digest!.sizeBytes });
      else process.stderr.write(`saved ${path} (${formatBytes(info.digest!.sizeBytes)}, sha256 verified)\n`);
    }),
  );

  addClientOptions(artifact.command('describe <digest>').description("show a blob's size, file name, media type and backend")).action(
    action(async (client, opts, digest: string) => {
      const d = await client.describe(digest);
      const view = {
        digest: `sha256:${d.digest!.hash}`,
        size: d.digest!.sizeBytes,
        filename: d.filename,
        mediaType: d.mediaType,
        backend: d.backend,
        provider: d.provider,
        createdAt: d.createdAt?.toISOString() ?? null,
      };
      if (opts.output === 'json') return printJson(view);
      for (const [k, v] of Object.entries(view)) process.stdout.write(`${k.padEnd(10)} ${v ?? ''}\n`);
    }),
  );

  addClientOptions(
    artifact
      .command('url <digest>')
      .description('print a signed HTTP link to one blob, for browsers and tools without a token')
      .option('--ttl <duration>', 'how long the link works, e.g. 15m, 2h, 7d (at most 7d, and never past your token)', '15m'),
  ).action(
    action(async (client, opts, digest: string) => {
      const o = opts as typeof opts & { ttl: string };
      const ttlSeconds = Math.ceil(parseDuration(o.ttl, '--ttl') / 1000);
      const link = await client.createDownloadLink(digest, ttlSeconds);
      if (opts.output === 'json') return printJson({ url: link.url, expiresAt: link.expiresAt?.toISOString() ?? null });
      process.stdout.write(`${link.url}\n`);
      process.stderr.write(`valid until ${link.expiresAt?.toISOString()}; anyone holding it can download this blob\n`);
    }),
  );

  return artifact;
}
