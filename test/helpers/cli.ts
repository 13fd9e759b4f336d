import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root, found from this file whether it runs from test/ (jest) or dist/test/ (bench). */
export function repoRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) return dir;
  }
  throw new Error(`no package root above ${from}`);
}

export const CLI = join(repoRoot(), 'dist/src/cli/main.js');

/** The node flags on the CLI's shebang line (`#!/usr/bin/env -S node <flags>`), so helpers start it as an installed `cairn` would run. */
export function cliNodeFlags(): string[] {
  const first = readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'make build' (make test does) before the CLI tests`);
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI with `args` (in `cwd`, if given), no TTY, and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliNodeFlags(), CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe', ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly banner: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `cairn server` on a free loopback port and waits for its banner (not for a sleep). */
export function startServerProcess(dataDir: string, extraArgs: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    // SERVER_NODE_ARGS lets a benchmark profile the server (e.g. --cpu-prof) without touching the client.
    const passStderr = process.env.SERVER_STDERR === '1';
    const nodeArgs = [...cliNodeFlags(), ...(process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const args = [...nodeArgs, CLI, 'server', '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--drain-timeout', '2s', '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs];
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '' },
      // The banner is on stderr; stdout carries JSON logs, discarded so a full pipe can never stall the server.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let banner = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${banner}`));
    }, 20_000);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr.on('data', (d) => {
      if (passStderr) process.stderr.write(d);
      banner += d;
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(banner);
      if (m && banner.includes('artifact download')) {
        clearTimeout(timer);
        resolve({
          child,
          address: m[1]!,
          banner,
          stop: async (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${banner}`));
    });
  });
}
