/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own Node process (tsx, `--expose-gc`),
 * one after the other, each bounded in time (the whole run stays under 10 minutes), streams
 * their output, then prints one summary table. Rows come from `BENCH_ROW {json}` lines (see
 * `harness.ts`); a benchmark that prints only `label : 1.23 µs/unit` lines (the parser
 * benchmark) is summarised from those. Nothing is pinned to a CPU; figures are medians of
 * several rounds after warm-up, CPU from `process.cpuUsage()`. Never part of `npm test`.
 * The `e2e` benchmark starts (and stops) its own Prosody on loopback.
 *
 * `npm run bench -- receive jid` runs only the named benchmarks. `npm run bench -- --smoke`
 * (or `BENCH_SMOKE=1`) runs each once with small sizes, to show they still work (CI runs it;
 * it checks that every benchmark ran and printed rows, never timings).
 */
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BenchRow, ROW_PREFIX, parseRows, runNodeChild } from './harness.js';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke') || process.env.BENCH_SMOKE === '1';
/**
 * Whole-run budget: under the 10-minute bound. The smoke run takes well under a minute on a
 * quiet machine; its ceilings are generous so that a busy one does not make it fail.
 */
const TOTAL_MS = SMOKE ? 480_000 : 590_000;
/** Per-benchmark ceilings (each also gets an internal budget a little below its ceiling). */
const EACH_MS: Record<string, number> = SMOKE
  ? { parser: 45_000, jid: 45_000, receive: 90_000, muc: 120_000, e2e: 240_000 }
  : { parser: 60_000, jid: 60_000, receive: 120_000, muc: 200_000, e2e: 420_000 };
/** Run order: quick ones first; e2e last, as it uses whatever time is left (up to its ceiling). */
const ORDER = ['parser', 'jid', 'muc', 'receive', 'e2e'];

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = args.filter((a) => !a.startsWith('--'));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));

/** Rows from plain `label : 1.23 µs/stanza` / `ratio x : 1.36` lines. */
function rowsFromText(bench: string, stdout: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(.+?)\s*:\s*([\d.]+)\s*(\S+\/\S+)?/.exec(line);
    if (!m || line.startsWith(ROW_PREFIX)) continue;
    const unit = m[3] ?? (m[1]!.startsWith('ratio') ? 'x' : undefined);
    if (unit !== undefined) rows.push({ bench, label: m[1]!, value: Number(m[2]), unit });
  }
  return rows;
}

const started = Date.now();
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(', ');
console.log(
  `xmuc benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load}`,
);
console.log(
  `Not pinned to a CPU; shared machine: compare ratios within a run rather than absolute figures across runs.${SMOKE ? ' SMOKE RUN: one repetition, small sizes; the figures mean nothing.' : ''}\n`,
);

const all: BenchRow[] = [];
const failed: string[] = [];
for (const name of names) {
  const left = TOTAL_MS - (Date.now() - started);
  if (left < 10_000) {
    failed.push(`${name} (skipped: time budget used up)`);
    continue;
  }
  const timeoutMs = Math.min(EACH_MS[name] ?? 120_000, left);
  console.log(`== ${name}`);
  const t0 = Date.now();
  const budget = String(Math.max(20_000, timeoutMs - 30_000));
  const env: Record<string, string> = {
    BENCH_RECEIVE_BUDGET_MS: budget,
    BENCH_MUC_BUDGET_MS: budget,
    // e2e kills its running client 30 s after its budget, then reports and stops Prosody.
    BENCH_E2E_BUDGET_MS: String(Math.max(20_000, timeoutMs - 70_000)),
  };
  if (SMOKE) Object.assign(env, { BENCH_SMOKE: '1', BENCH_MESSAGES: '2000', BENCH_PROCS: '1', BENCH_PASSES: '3' });
  const r = await runNodeChild(`${dir}${name}.bench.ts`, [], {
    nodeArgs: ['--expose-gc'],
    timeoutMs,
    env,
    onLine: (line) => {
      if (!line.startsWith(ROW_PREFIX)) console.log(`  ${line}`);
    },
  });
  if (r.stderr.trim()) console.log(r.stderr.trim().replace(/^/gm, '  ! '));
  const parsed = parseRows(r.stdout);
  const rows = parsed.length > 0 ? parsed : rowsFromText(name, r.stdout);
  all.push(...rows);
  if (r.code !== 0) failed.push(`${name} (exit ${r.code}${r.timedOut ? `, killed after ${timeoutMs} ms` : ''})`);
  else if (rows.length === 0) failed.push(`${name} (printed no rows)`);
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

const fmt = (v: number | null) =>
  v === null || !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
const table = all.map((r) => [
  r.bench,
  r.label,
  `${fmt(r.value)} ${r.unit}`,
  r.ratio === undefined || r.ratio === null || !Number.isFinite(r.ratio) ? '' : `${r.ratio.toFixed(2)}x`,
  r.note ?? '',
]);
const head = ['bench', 'case', 'median', 'ratio', 'notes'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log('Summary (ratio: to the first row of the same benchmark, i.e. the baseline)');
console.log(line(head));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of table) console.log(line(row));
console.log(
  `\nTotal ${((Date.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
console.log(
  failed.length === 0
    ? `bench: all ${names.length} benchmarks ran and printed rows`
    : `bench: ${failed.length} of ${names.length} benchmarks had problems`,
);
if (failed.length > 0) {
  console.log(`Problems: ${failed.join('; ')}`);
  process.exitCode = 1;
}
