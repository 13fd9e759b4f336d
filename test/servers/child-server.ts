import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildServer {
  readonly port: number;
  readonly child: ChildProcess;
  /** Kills the process at once (a backend that dies), and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Children still running: killed when this process exits, however it exits, so none is orphaned. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `command args` and resolves once its output shows `readyPattern` (whose first group is
 * the port). Never a sleep: it waits for the server to say it listens, and fails after `timeoutMs`.
 */
export function startChild(command: string, args: string[], readyPattern: RegExp, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    running.add(child);
    let output = '';
    const exited = new Promise<void>((r) =>
      child.once('exit', () => {
        running.delete(child);
        r();
      }),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not become ready: ${output.slice(-2000)}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = readyPattern.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          port: Number(m[1]),
          child,
          kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${output.slice(-2000)}`));
    });
  });
}

/**
 * A test server in its own process with its own scratch directory: start() launches it (on the
 * same port again after a kill, so clients see the same address), kill() is the store dying,
 * stop() also removes the directory. Subclasses say only how to launch.
 */
export abstract class ProcessServer {
  private proc: ChildServer | undefined;
  port = 0;
  readonly dir: string;

  constructor(dirPrefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), dirPrefix));
  }

  protected abstract launch(): Promise<ChildServer>;

  async start(): Promise<this> {
    this.proc = await this.launch();
    this.port = this.proc.port;
    return this;
  }

  async kill(): Promise<void> {
    await this.proc?.kill();
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
