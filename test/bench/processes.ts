import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliNodeFlags, startServerProcess } from '../helpers/cli';

export interface BenchServer {
  readonly address: string;
  /** cairn's HTTP listener base URL */
  readonly httpUrl?: string;
  readonly pid: number;
  readonly token?: string;
  stop(): Promise<void>;
}

/** Peak and current resident set size of a process, in MiB, from /proc. */
export function rssOf(pid: number): { peakMiB: number; nowMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peakMiB: kb('VmHWM') / 1024, nowMiB: kb('VmRSS') / 1024 };
}

export async function startCairn(dataDir: string): Promise<BenchServer> {
  const p = await startServerProcess(dataDir);
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const httpUrl = /HTTP data path, \/healthz, \/readyz and \/metrics on (\S+)/.exec(p.banner)?.[1];
  return { address: p.address, ...(httpUrl ? { httpUrl } : {}), pid: p.child.pid!, token, stop: async () => void (await p.stop()) };
}

/** A baseline server script from this directory (bare-server.js by default) as a child process. */
export function startBare(script = 'bare-server.js', env: Record<string, string> = {}): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    // The same node flags as cairn's server, so neither side gets a different heap.
    const child: ChildProcess = spawn(process.execPath, [...cliNodeFlags(), join(__dirname, script)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        resolve({
          address: `127.0.0.1:${m[1]}`,
          pid: child.pid!,
          stop: () => new Promise((r) => child.once('exit', () => r()).kill('SIGTERM')),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
}
