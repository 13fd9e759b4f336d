#!/usr/bin/env node
// Local-backend I/O (fsync, rename, open) runs on libuv's threadpool; 4 threads make small
// uploads wait on each other. This must be set before the first asynchronous fs call.
process.env.UV_THREADPOOL_SIZE ??= '16';

import { Command } from 'commander';
import { artifactCommand } from './commands/artifact';
import { serverCommand } from './commands/server';
import { tokenCommand } from './commands/token';

const program = new Command('cairn')
  .description('content-addressable storage for software-supply-chain evidence')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

program.addCommand(serverCommand());
program.addCommand(artifactCommand());
program.addCommand(tokenCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`cairn: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
