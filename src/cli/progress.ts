/** A one-line progress bar on stderr, drawn only on a TTY and at most ten times a second. */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(out.isTTY) && total > 0;
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const frac = Math.min(1, done / this.total);
    const width = 24;
    const filled = Math.round(frac * width);
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const line =
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${formatBytes(done)}/${formatBytes(this.total)} ${formatBytes(done / secs)}/s`;
    this.out.write(`\r${line}\u001b[K`);
  }

  finish(): void {
    if (this.enabled) this.out.write('\r\u001b[K');
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n.toFixed(0) : n.toFixed(1)} ${units[i]}`;
}
