import { createHash } from 'node:crypto';
import { Command, Option } from 'commander';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '../../../attestation/dsse';
import { loadSigningKey, KEY_PASSWORD_ENV } from '../../../attestation/keys';
import { buildStatement } from '../../../attestation/statement';
import { AttestationState, readState, removeState, writeAtomically } from '../../../attestation/state';
import { CairnClient, safeFilename } from '../../../client';
import { addClientOptions, CliError, lazyAction, printJson } from '../../common';
import { keyLabel } from './key-label';
import { resolveTarget } from './target';
import { statePathOf, withStateOption } from './state-option';

/** The media type of a DSSE envelope in JSON, as stored in the CAS. */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

interface PushOptions {
  key: string;
  out?: string;
  backend?: string;
  keep?: boolean;
  state?: string;
  output?: string;
}

export function pushCommand(): Command {
  return addClientOptions(
    withStateOption(
      new Command('push')
        .description('sign the in-toto statement (DSSE), store the envelope in the CAS and save it to a file')
        .addOption(new Option('--key <file>', `PEM private key, ECDSA P-256 or Ed25519 (an encrypted key reads its passphrase from ${KEY_PASSWORD_ENV})`).env('CAIRN_SIGNING_KEY').makeOptionMandatory())
        .option('--out <file>', 'where to save the envelope (<name>.intoto.json otherwise)')
        .option('--backend <name>', "store the envelope on this backend instead of the organisation's default")
        .option('--keep', 'keep the state file (it is removed after a successful push)'),
    ),
  ).action(
    lazyAction(async (connect, opts) => {
      const o = opts as unknown as PushOptions;
      const path = statePathOf(o);
      const state = await readState(path);
      if (state.materials.length === 0) throw new CliError("nothing to push: add evidence with 'cairn attestation add' first");
      let statement;
      try {
        statement = buildStatement(state);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const key = await loadSigningKey(o.key);
      await requireStored(connect, state);

      const envelope = signEnvelope(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, key);
      const bytes = Buffer.from(JSON.stringify(envelope) + '\n');
      const digest = { hex: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
      const out = o.out ?? `${safeFilename(state.name) ?? 'attestation'}.intoto.json`;
      await writeAtomically(out, bytes);

      const client = connect();
      const target = await resolveTarget(client, o);
      if (!target.inline) {
        await client.uploadBytes(bytes, digest, { backend: target.backend, filename: out.split('/').pop()!, mediaType: DSSE_ENVELOPE_MEDIA_TYPE });
      }
      if (!o.keep) await removeState(path);

      const stored = target.inline ? null : { backend: target.backend, provider: target.provider };
      if (o.output === 'json') {
        return printJson({ digest: `sha256:${digest.hex}`, size: digest.size, file: out, stored, keyid: envelope.signatures[0]!.keyid, materials: statement.predicate.materials.length, subjects: statement.subject.length });
      }
      const lines = [
        `signed "${state.name}": ${statement.predicate.materials.length} material(s), ${statement.subject.length} subject(s), ${keyLabel(key)}`,
        stored
          ? `envelope sha256:${digest.hex} stored on ${stored.backend} (${stored.provider})`
          : `envelope sha256:${digest.hex} NOT stored in the CAS: the ${o.backend ? 'chosen' : 'default'} backend is inline and cannot hold it (pass --backend <name>)`,
        `saved to ${out}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
      if (!stored) process.stderr.write(`cairn: warning: the envelope is only in ${out}; keep that file to verify later\n`);
    }),
  );
}

/** Every material pushed as stored must still be in the CAS: a statement must not name evidence that is gone. */
async function requireStored(connect: () => CairnClient, state: AttestationState): Promise<void> {
  const byBackend = new Map<string, { hex: string; size: number; name: string }[]>();
  for (const m of state.materials) {
    if (m.storage.kind !== 'cas') continue;
    const list = byBackend.get(m.storage.backend) ?? [];
    list.push({ hex: m.hex, size: m.size, name: m.name });
    byBackend.set(m.storage.backend, list);
  }
  for (const [backend, list] of byBackend) {
    const missing = new Set((await connect().findMissing(list, backend)).map((d) => d.hex));
    const gone = list.filter((m) => missing.has(m.hex));
    if (gone.length > 0) throw new CliError(`not in backend ${backend} any more: ${gone.map((m) => m.name).join(', ')} — add them again with --replace`);
  }
}
