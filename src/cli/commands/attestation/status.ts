import { Command, Option } from 'commander';
import { readState } from '../../../attestation/state';
import { fail, printJson } from '../../common';
import { formatBytes } from '../../progress';
import { formatTable } from '../../table';
import { statePathOf, withStateOption } from './state-option';

export function statusCommand(): Command {
  return withStateOption(
    new Command('status')
      .description('list the materials added so far and where each is stored')
      .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (o: { state?: string; output: string }) => {
    try {
      const state = await readState(statePathOf(o));
      const materials = state.materials.map((m) => ({
        name: m.name, kind: m.kind, subject: m.kind === 'artifact', size: m.size, digest: `sha256:${m.hex}`, mediaType: m.mediaType,
        filename: m.filename, stored: m.storage.kind === 'inline' ? 'inline' : m.storage.backend, provider: m.storage.kind === 'inline' ? 'inline' : m.storage.provider,
      }));
      if (o.output === 'json') return printJson({ name: state.name, startedAt: state.startedAt, materials });
      const subjects = materials.filter((m) => m.subject).length;
      process.stdout.write(`attestation "${state.name}", started ${state.startedAt}: ${materials.length} material(s), ${subjects} subject(s)\n`);
      if (materials.length === 0) return void process.stdout.write("nothing added yet: 'cairn attestation add --name <n> --kind <kind> --value <file|text>'\n");
      const rows = materials.map((m) => [m.name, m.kind, m.subject ? 'yes' : '', formatBytes(m.size), `sha256:${m.digest.slice(7, 19)}…`, m.stored === 'inline' ? 'inline' : `${m.stored} (${m.provider})`]);
      process.stdout.write(formatTable(['NAME', 'KIND', 'SUBJECT', 'SIZE', 'DIGEST', 'STORED'], rows));
      if (subjects === 0) process.stdout.write('no subject yet: push needs at least one material of kind artifact\n');
    } catch (e) {
      fail(e);
    }
  });
}
