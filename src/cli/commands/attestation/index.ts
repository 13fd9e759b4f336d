import { Command } from 'commander';
import { addCommand } from './add';
import { initCommand } from './init';
import { pushCommand } from './push';
import { statusCommand } from './status';
import { verifyCommand } from './verify';

export function attestationCommand(): Command {
  return new Command('attestation')
    .description('collect evidence, sign an in-toto attestation that references it by digest, verify it later')
    .addCommand(initCommand())
    .addCommand(addCommand())
    .addCommand(statusCommand())
    .addCommand(pushCommand())
    .addCommand(verifyCommand());
}
