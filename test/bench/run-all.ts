/**
 * cairn's benchmark: `npm run bench` (or `make bench`). Everything is measured side by side in
 * one run on this machine and reported as ratios, because absolute figures on shared 2-core
 * machines are noisy. Sizes can be scaled down for a quick look:
 *   BENCH_GIB=1  BENCH_RSS_GIB=4  BENCH_OPS_SECONDS=5  BENCH_REPS=3  BENCH_PROVIDER_MIB=256  BENCH_PROVIDER_RSS_GIB=2
 * Sections can be picked: `npm run bench -- ops transfers http memory providers provider-memory`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReadResource, formatWriteResource } from '../../src/domain/resource-name';
import { digestOf } from '../helpers/bytes';
import { BenchServer, rssOf, startBare, startCairn } from './processes';
import { warmPageCache } from './warm-up';
import { providerMemory, providerTransfers } from './providers';
import { httpTransfers } from './http';
import { md, MiB, newClient, readStream, syntheticBlob, timed, writeStream } from './streams';

const GIB = Number(process.env.BENCH_GIB ?? 1);
const RSS_GIB = Number(process.env.BENCH_RSS_GIB ?? 4);
const OPS_SECONDS = Number(process.env.BENCH_OPS_SECONDS ?? 5);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const CONCURRENCY = 32;
const PROVIDER_MIB = Number(process.env.BENCH_PROVIDER_MIB ?? 256);
const PROVIDER_RSS_GIB = Number(process.env.BENCH_PROVIDER_RSS_GIB ?? 2);

interface Row {
  readonly what: string;
  readonly cairn: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
}

const rows: Row[] = [];
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const log = (s: string) => process.stderr.write(`${s}\n`);

async function withServers<T>(fn: (cairn: BenchServer, bare: BenchServer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const cairn = await startCairn(join(dir, 'data'));
  const bare = await startBare();
  try {
    return await fn(cairn, bare);
  } finally {
    await cairn.stop();
    await bare.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bigTransfers(): Promise<void> {
  const total = GIB * 1024 * MiB;
  await withServers(async (cairn, bare) => {
    const c = newClient(cairn.address);
    const b = newClient(bare.address);
    const best = { cw: 0, bw: 0, cr: 0, br: 0 };
    for (let rep = 1; rep <= REPS; rep++) {
      const { chunk, digest } = syntheticBlob(total); // a new blob per rep, so cairn never dedups
      const bw = await timed(() => writeStream(b, md(), 'x', chunk, total));
      const cw = await timed(() => writeStream(c, md(cairn.token), formatWriteResource(randomUUID(), digest), chunk, total));
      const br = await timed(() => readStream(b, md(), 'x', total));
      const cr = await timed(() => readStream(c, md(cairn.token), formatReadResource(digest)));
      if (cw.result !== total || cr.result !== total || bw.result !== total || br.result !== total) throw new Error('short transfer');
      const mibs = (s: number) => total / MiB / s;
      best.cw = Math.max(best.cw, mibs(cw.seconds));
      best.bw = Math.max(best.bw, mibs(bw.seconds));
      best.cr = Math.max(best.cr, mibs(cr.seconds));
      best.br = Math.max(best.br, mibs(br.seconds));
      log(`rep ${rep}: write cairn ${fmt(mibs(cw.seconds))} / bare ${fmt(mibs(bw.seconds))} MiB/s; read cairn ${fmt(mibs(cr.seconds))} / bare ${fmt(mibs(br.seconds))} MiB/s`);
    }
    rows.push({ what: `${GIB} GiB Write, MiB/s (best of ${REPS})`, cairn: fmt(best.cw), baseline: fmt(best.bw), ratio: fmt(best.cw / best.bw, 2), target: '≥ 0.90' });
    rows.push({ what: `${GIB} GiB Read, MiB/s (best of ${REPS})`, cairn: fmt(best.cr), baseline: fmt(best.br), ratio: fmt(best.cr / best.br, 2), target: '≥ 0.90' });
    c.close();
    b.close();
  });
}

async function peakMemory(): Promise<void> {
  const total = RSS_GIB * 1024 * MiB;
  await withServers(async (cairn, bare) => {
    const c = newClient(cairn.address);
    const b = newClient(bare.address);
    const { chunk, digest } = syntheticBlob(total);
    const idle = rssOf(cairn.pid).peakMiB;
    await writeStream(c, md(cairn.token), formatWriteResource(randomUUID(), digest), chunk, total);
    const afterUpload = rssOf(cairn.pid).peakMiB;
    await readStream(c, md(cairn.token), formatReadResource(digest));
    const afterDownload = rssOf(cairn.pid).peakMiB;
    await writeStream(b, md(), 'x', chunk, total);
    await readStream(b, md(), 'x', total);
    const bare4 = rssOf(bare.pid).peakMiB;
    log(`server peak RSS: idle ${fmt(idle)} MiB, after upload ${fmt(afterUpload)}, after download ${fmt(afterDownload)}; bare ${fmt(bare4)}`);
    rows.push({ what: `server peak RSS, ${RSS_GIB} GiB upload, MiB`, cairn: fmt(afterUpload), baseline: fmt(bare4), ratio: '', target: '≤ 160 MiB' });
    rows.push({ what: `server peak RSS, ${RSS_GIB} GiB upload + download, MiB`, cairn: fmt(afterDownload), baseline: fmt(bare4), ratio: '', target: '≤ 160 MiB' });
    c.close();
    b.close();
  });
}

/** Runs `op` from CONCURRENCY clients (each on its own connection) for OPS_SECONDS; returns ops/s. */
async function opsPerSecond(address: string, op: (client: ReturnType<typeof newClient>) => Promise<void>): Promise<number> {
  const clients = Array.from({ length: CONCURRENCY }, () => newClient(address, true));
  for (const cl of clients) await op(cl); // connect and warm up
  const deadline = Date.now() + OPS_SECONDS * 1000;
  let ops = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (cl) => {
      while (Date.now() < deadline) {
        await op(cl);
        ops++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clients.forEach((cl) => cl.close());
  return ops / seconds;
}

async function smallOps(): Promise<void> {
  await withServers(async (cairn, bare) => {
    const echoName = 'e'.repeat(1024);
    const echo = await opsPerSecond(bare.address, (cl) =>
      new Promise<void>((resolve, reject) => cl.queryWriteStatus({ resourceName: echoName }, md(), (err) => (err ? reject(err) : resolve()))),
    );
    // The transport's own ceiling for the same two calls: a bare client-streaming write and server-streaming read of 1 KiB.
    const one = randomBytes(1024);
    const barePairs = await opsPerSecond(bare.address, async (cl) => {
      await writeStream(cl, md(), 'x', one, one.length);
      await readStream(cl, md(), 'x', one.length);
    });
    const pairs = await opsPerSecond(cairn.address, async (cl) => {
      const bytes = randomBytes(1024);
      const d = digestOf(bytes);
      await writeStream(cl, md(cairn.token), formatWriteResource(randomUUID(), d), bytes, bytes.length);
      if ((await readStream(cl, md(cairn.token), formatReadResource(d))) !== 1024) throw new Error('short read');
    });
    log(`small ops: cairn ${fmt(pairs)} write+read pairs/s; bare streams ${fmt(barePairs)} pairs/s; bare unary echo ${fmt(echo)} calls/s`);
    rows.push({
      what: `1 KiB ops/s (a Write or a Read each), ${CONCURRENCY} clients, vs unary echo/s`,
      cairn: fmt(2 * pairs), baseline: fmt(echo), ratio: fmt((2 * pairs) / echo, 2), target: '≥ 0.50',
    });
    rows.push({
      what: `  same ops vs a bare server doing the same two streaming calls`,
      cairn: fmt(2 * pairs), baseline: fmt(2 * barePairs), ratio: fmt(pairs / barePairs, 2), target: '(ceiling)',
    });
  });
}

function printTable(): void {
  const header: Row = { what: 'measurement', cairn: 'cairn', baseline: 'baseline', ratio: 'ratio', target: 'target' };
  const all = [header, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row) => `| ${r.what.padEnd(w('what'))} | ${r.cairn.padStart(w('cairn'))} | ${r.baseline.padStart(w('baseline'))} | ${r.ratio.padStart(w('ratio'))} | ${r.target.padEnd(w('target'))} |`;
  process.stdout.write([line(header), `|${['what', 'cairn', 'baseline', 'ratio', 'target'].map((k) => '-'.repeat(w(k as keyof Row) + 2)).join('|')}|`, ...rows.map(line)].join('\n') + '\n');
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  log(`cairn bench: ${GIB} GiB transfers x${REPS}, ${RSS_GIB} GiB RSS run, ${OPS_SECONDS}s small ops (node ${process.version})`);
  const only = process.argv.slice(2);
  const want = (name: string) => only.length === 0 || only.includes(name);
  // Small ops first: they fsync every blob, and the GiB phases leave the disk busy writing back for a while.
  if (want('ops')) await smallOps();
  const warmGiB = (want('transfers') ? GIB * (REPS + 1) : 0) + (want('http') ? GIB * 3 * REPS : 0) + (want('memory') ? RSS_GIB + 1 : 0);
  if (warmGiB > 0) log(`warm-up: wrote and deleted ${warmGiB} GiB in ${fmt(await warmPageCache(tmpdir(), warmGiB * 1024 * MiB), 1)} s`);
  if (want('transfers')) await bigTransfers();
  if (want('http')) await httpTransfers(rows, GIB, REPS, log);
  if (want('memory')) await peakMemory();
  if (want('providers')) await providerTransfers(rows, PROVIDER_MIB, Math.min(REPS, 2), log);
  if (want('provider-memory')) await providerMemory(rows, PROVIDER_RSS_GIB, log);
  printTable();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
