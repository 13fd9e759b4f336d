import { createInterface } from 'node:readline/promises';
import { CliError } from './common';

/** Asks before destructive or default-changing commands; `--yes` skips it, and without a terminal `--yes` is required. */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError(`${question} — refusing without --yes (standard input is not a terminal)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new CliError('cancelled');
  } finally {
    rl.close();
  }
}
