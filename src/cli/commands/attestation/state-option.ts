import { Command, Option } from 'commander';
import { STATE_FILE } from '../../../attestation/state';

/** Every attestation command reads or writes the state file in the working directory, unless told otherwise. */
export function withStateOption(cmd: Command): Command {
  return cmd.addOption(new Option('--state <file>', 'attestation state file').env('CAIRN_ATTESTATION_STATE').default(STATE_FILE));
}

export function statePathOf(opts: object): string {
  return (opts as { state?: string }).state ?? STATE_FILE;
}
