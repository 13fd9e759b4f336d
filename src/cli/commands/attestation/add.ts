import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { checkMaterial, isMaterialKind, MATERIAL_KINDS, MaterialKind, MEDIA_TYPES } from '../../../attestation/materials';
import { MaterialRecord, readState, updateState } from '../../../attestation/state';
import { INLINE_MAX_BYTES } from '../../../domain/model';
import { CairnClient } from '../../../client';
import { addClientOptions, CliError, lazyAction, printJson } from '../../common';
import { guessMediaType } from '../../media-type';
import { formatBytes, ProgressBar } from '../../progress';
import { checkName } from './init';
import { resolveTarget, tooLargeForInline } from './target';
import { statePathOf, withStateOption } from './state-option';

/** SBOMs must parse whole; beyond this we ask for --kind artifact rather than load the file. */
const MAX_CHECKED_BYTES = 256 << 20;
/** A JUnit report is recognised by its root element, which sits near the top. */
const JUNIT_HEAD_BYTES = 64 << 10;

interface AddOptions {
  name: string;
  kind: string;
  value: string;
  backend?: string;
  inline?: boolean;
  mediaType?: string;
  replace?: boolean;
  state?: string;
  output?: string;
}

export function addCommand(): Command {
  return addClientOptions(
    withStateOption(
      new Command('add')
        .description('add a piece of evidence: files go to the CAS (or are embedded when the backend is inline); strings are embedded')
        .requiredOption('--name <name>', 'what the attestation calls this material')
        .addOption(new Option('--kind <kind>', 'what it is').choices(MATERIAL_KINDS as unknown as string[]).makeOptionMandatory())
        .requiredOption('--value <file|text>', 'a file path, or the text itself for --kind string')
        .option('--backend <name>', "store it on this backend instead of the organisation's default")
        .option('--inline', 'embed the content in the attestation instead of storing it (up to the inline cap)')
        .option('--media-type <type>', 'override the media type recorded for it')
        .option('--replace', 'replace a material of the same name'),
    ),
  ).action(
    lazyAction(async (connect, opts) => {
      const o = opts as unknown as AddOptions;
      const path = statePathOf(o);
      const kind = o.kind;
      if (!isMaterialKind(kind)) throw new CliError(`unknown kind ${kind}`);
      const name = checkName(o.name, 'a material name');
      const before = await readState(path);
      if (!o.replace && before.materials.some((m) => m.name === name)) throw new CliError(`a material named "${name}" is already added: pick another name or pass --replace`);

      const record = kind === 'string' ? stringMaterial(name, o.value, o.mediaType) : await fileMaterial(connect(), name, kind, o);
      await updateState(path, (s) => {
        if (!o.replace && s.materials.some((m) => m.name === name)) throw new CliError(`a material named "${name}" was added meanwhile`);
        return { ...s, materials: [...s.materials.filter((m) => m.name !== name), record] };
      });
      const where = record.storage.kind === 'inline' ? 'embedded inline' : `stored on ${record.storage.backend} (${record.storage.provider})`;
      if (o.output === 'json') printJson({ name, kind, size: record.size, digest: `sha256:${record.hex}`, stored: record.storage.kind === 'inline' ? 'inline' : record.storage.backend });
      else process.stdout.write(`added ${name} (${kind}, ${formatBytes(record.size)}, sha256:${record.hex}): ${where}\n`);
    }),
  );
}

function stringMaterial(name: string, value: string, mediaType?: string): MaterialRecord {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > INLINE_MAX_BYTES) {
    throw new CliError(`a string material is embedded in the attestation and may be at most ${formatBytes(INLINE_MAX_BYTES)}: put longer text in a file and add it with --kind artifact`);
  }
  return {
    name, kind: 'string', mediaType: mediaType ?? MEDIA_TYPES.string, hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length,
    filename: '', storage: { kind: 'inline', content: bytes.toString('base64') }, addedAt: new Date().toISOString(),
  };
}

async function fileMaterial(client: CairnClient, name: string, kind: Exclude<MaterialKind, 'string'>, o: AddOptions): Promise<MaterialRecord> {
  const file = o.value;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new CliError(`${file}: not a readable file (for text, use --kind string)`);
  await checkFileKind(file, kind, info.size);
  const filename = basename(file);
  const mediaType = o.mediaType ?? (kind === 'artifact' ? guessMediaType(file) : MEDIA_TYPES[kind]);
  const target = await resolveTarget(client, o);
  const common = { name, kind, mediaType, filename, addedAt: new Date().toISOString() };
  if (target.inline) {
    if (info.size > target.cap) throw tooLargeForInline(file, info.size, target);
    const bytes = await readFile(file);
    return { ...common, hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, storage: { kind: 'inline', content: bytes.toString('base64') } };
  }
  const hashing = new ProgressBar('hashing  ', info.size);
  const sending = new ProgressBar('uploading', info.size);
  const { digest } = await client.uploadFile(file, {
    filename, mediaType, backend: target.backend, onHashProgress: (n) => hashing.update(n), onProgress: (n) => sending.update(n),
  });
  sending.finish();
  return { ...common, hex: digest.hex, size: digest.size, storage: { kind: 'cas', backend: target.backend, provider: target.provider } };
}

/** SBOMs must parse and JUnit reports must have a JUnit root; the error names the file. */
async function checkFileKind(file: string, kind: Exclude<MaterialKind, 'string'>, size: number): Promise<void> {
  if (kind === 'artifact') return;
  let bytes: Buffer;
  if (kind === 'junit') {
    const handle = await open(file, 'r');
    try {
      const head = Buffer.alloc(Math.min(size, JUNIT_HEAD_BYTES));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      bytes = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } else {
    if (size > MAX_CHECKED_BYTES) throw new CliError(`${file} is ${formatBytes(size)}: too large to check as an SBOM here; add it with --kind artifact`);
    bytes = await readFile(file);
  }
  try {
    checkMaterial(kind, bytes);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
}
