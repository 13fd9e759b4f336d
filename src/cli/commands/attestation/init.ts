import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command } from 'commander';
import { newState, readState, writeState } from '../../../attestation/state';
import { CliError, fail } from '../../common';
import { statePathOf, withStateOption } from './state-option';

/** Names are printed and signed: printable text of a sensible length. */
export function checkName(name: string, what: string): string {
  if (!name.trim() || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) throw new CliError(`${what} must be 1–200 printable characters`);
  return name;
}

export function initCommand(): Command {
  return withStateOption(
    new Command('init')
      .description('start an attestation: a state file in the working directory collects the materials you add')
      .option('--name <name>', "the attestation's name (the working directory's name otherwise)")
      .option('--force', 'start over even if an attestation is already in progress here'),
  ).action(async (o: { name?: string; force?: boolean; state?: string }) => {
    try {
      const path = statePathOf(o);
      const exists = await access(path).then(() => true, () => false);
      if (exists && !o.force) {
        const current = await readState(path).catch(() => undefined);
        const what = current ? `"${current.name}", ${current.materials.length} material(s)` : 'unreadable';
        throw new CliError(`an attestation is already in progress in ${path} (${what}): push it, or start over with --force`);
      }
      const state = newState(checkName(o.name ?? basename(process.cwd()), 'the attestation name'));
      await writeState(path, state);
      process.stdout.write(`started attestation "${state.name}" (state in ${path}); add evidence with 'cairn attestation add'\n`);
    } catch (e) {
      fail(e);
    }
  });
}
