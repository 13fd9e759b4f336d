import { readFile, stat } from 'node:fs/promises';
import { status as Status, ServiceError } from '@grpc/grpc-js';
import { Command, Option } from 'commander';
import { DsseError } from '../../../attestation/dsse';
import { loadVerifyingKey } from '../../../attestation/keys';
import { BlobProblem, checkMaterials, MaterialCheck, openEnvelope, StoredBlobs, unbackedSubjects } from '../../../attestation/verify';
import { CairnClient, describeError, HttpTransferError } from '../../../client';
import { addClientOptions, CliError, lazyAction, printJson } from '../../common';
import { formatBytes } from '../../progress';
import { parseHex } from '../../../domain/digest';
import { formatTable } from '../../table';
import { keyLabel } from './key-label';

/** Envelopes embed inline evidence, so they can be large, but never this large. */
const MAX_ENVELOPE_BYTES = 64 << 20;

export function verifyCommand(): Command {
  return addClientOptions(
    new Command('verify')
      .argument('<file|digest>', 'a saved envelope, or the sha256 digest push printed (fetched from the CAS)')
      .description('check the signature, then fetch and re-hash every material; exits 1 on any failure')
      .addOption(new Option('--key <file>', 'PEM public key (or certificate, or the private key) to check the signature with').env('CAIRN_VERIFY_KEY').makeOptionMandatory()),
  ).action(
    lazyAction(async (connect, opts, source: string) => {
      const key = await loadVerifyingKey((opts as { key: string }).key);
      const bytes = await envelopeBytes(connect, source);
      const json = opts.output === 'json';
      let opened;
      try {
        opened = openEnvelope(bytes, key);
      } catch (e) {
        if (!(e instanceof DsseError)) throw e;
        // Malformed-input messages say "malformed …" themselves.
        const line = `${e.problem === 'signature' ? 'bad signature: ' : ''}${e.message}`;
        if (json) printJson({ ok: false, signature: { ok: false, problem: e.problem, error: e.message }, materials: [] });
        else process.stdout.write(`FAILED: ${line}\n`);
        process.exitCode = 1;
        return;
      }
      const { statement } = opened;
      const checks = await checkMaterials(statement, storedBlobs(connect));
      const unbacked = unbackedSubjects(statement);
      const failed = checks.filter((c) => c.outcome !== 'ok');
      const ok = failed.length === 0 && unbacked.length === 0;
      if (json) {
        printJson({ ok, name: statement.predicate.name, signature: { ok: true, keyid: opened.keyid }, subjects: statement.subject, unbackedSubjects: unbacked, materials: checks });
      } else {
        process.stdout.write(`attestation "${statement.predicate.name}": signature ok, ${keyLabel(key)}; ${statement.subject.length} subject(s)\n`);
        process.stdout.write(materialTable(checks));
        for (const s of unbacked) process.stdout.write(`FAILED: subject "${s}" is not among the materials\n`);
        const counts = (['missing', 'tampered', 'error'] as const).map((k) => [k, checks.filter((c) => c.outcome === k).length] as const).filter(([, n]) => n > 0);
        process.stdout.write(
          ok ? `verified: signature and all ${checks.length} material(s) ok\n` : `FAILED: ${counts.map(([k, n]) => `${n} ${k}`).join(', ') || 'subjects'} of ${checks.length} material(s)\n`,
        );
      }
      if (!ok) process.exitCode = 1;
    }),
  );
}

function materialTable(checks: MaterialCheck[]): string {
  const rows = checks.map((c) => [
    c.outcome === 'ok' ? 'ok' : c.outcome.toUpperCase(), c.name, c.kind, c.size === undefined ? '?' : formatBytes(c.size), `sha256:${c.hex.slice(0, 12)}…`, c.where, c.detail,
  ]);
  return formatTable(['RESULT', 'NAME', 'KIND', 'SIZE', 'DIGEST', 'STORED', 'DETAIL'], rows);
}

function isDigestText(s: string): boolean {
  try {
    parseHex(s);
    return true;
  } catch {
    return false;
  }
}

/** A saved envelope file, or the envelope push stored in the CAS under its digest. */
async function envelopeBytes(connect: () => CairnClient, source: string): Promise<Buffer> {
  const info = await stat(source).catch(() => undefined);
  if (info?.isFile()) {
    if (info.size > MAX_ENVELOPE_BYTES) throw new CliError(`${source} is ${formatBytes(info.size)}: too large to be an attestation envelope`);
    return readFile(source);
  }
  if (!isDigestText(source)) throw new CliError(`${source} is neither a file nor a sha256 digest`);
  return (await connect().fetchSmall(source, MAX_ENVELOPE_BYTES)).bytes;
}

/** Stored materials through the CAS; gRPC codes become verification outcomes. */
function storedBlobs(connect: () => CairnClient): StoredBlobs {
  return {
    async hash(hex, size, backend) {
      try {
        return await connect().hashStored(hex, size, backend);
      } catch (e) {
        // Either data path: gRPC status codes, or the HTTP path's error codes.
        if (e instanceof HttpTransferError) {
          if (e.code === 'NOT_FOUND') throw new BlobProblem('missing', `not in the CAS: ${e.message}`);
          if (e.code === 'DATA_LOSS') throw new BlobProblem('tampered', 'the stored bytes no longer match (the server cut the download short)');
          throw new BlobProblem('error', e.message);
        }
        const code = (e as ServiceError).code;
        if (code === Status.NOT_FOUND) throw new BlobProblem('missing', `not in the CAS: ${describeError(e)}`);
        if (code === Status.DATA_LOSS) {
          const actual = /actual (sha256:[0-9a-f]{64})/.exec(describeError(e))?.[1];
          throw new BlobProblem('tampered', `the stored bytes no longer match (the server refused them${actual ? `: they hash to ${actual}` : ''})`);
        }
        throw new BlobProblem('error', describeError(e));
      }
    },
  };
}
