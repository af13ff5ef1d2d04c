/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own Node process (tsx, `--expose-gc`),
 * one after the other, each bounded in time (the whole run stays under 3 minutes), streams
 * their output, then prints one summary table. Rows come from `BENCH_ROW {json}` lines (see
 * `harness.ts`); a benchmark that prints only `label : 1.23 µs/unit` lines (the parser
 * benchmark) is summarised from those. Nothing is pinned to a CPU; figures are medians of
 * several rounds after warm-up, CPU from `process.cpuUsage()`. Never part of `npm test`.
 *
 * `npm run bench -- receive jid` runs only the named benchmarks.
 */
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BenchRow, ROW_PREFIX, parseRows, runNodeChild } from './harness.js';

/** Whole-run budget: comfortably under the 3-minute bound. */
const TOTAL_MS = 170_000;
/** Per-benchmark ceiling (receive has its own internal budget below this). */
const EACH_MS = 150_000;
/** Run order: quick ones first, the receive benchmark (longest) last. */
const ORDER = ['parser', 'jid', 'receive'];

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
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
const load = loadavg().map((l) => l.toFixed(2)).join(', ');
console.log(`xmuc benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load}`);
console.log('Not pinned to a CPU; shared machine: compare ratios within a run rather than absolute figures across runs.\n');

const all: BenchRow[] = [];
const failed: string[] = [];
for (const name of names) {
  const left = TOTAL_MS - (Date.now() - started);
  if (left < 10_000) {
    failed.push(`${name} (skipped: time budget used up)`);
    continue;
  }
  const timeoutMs = Math.min(EACH_MS, left);
  console.log(`== ${name}`);
  const t0 = Date.now();
  const r = await runNodeChild(`${dir}${name}.bench.ts`, [], {
    nodeArgs: ['--expose-gc'],
    timeoutMs,
    env: { BENCH_RECEIVE_BUDGET_MS: String(Math.max(20_000, timeoutMs - 25_000)) },
    onLine: (line) => {
      if (!line.startsWith(ROW_PREFIX)) console.log(`  ${line}`);
    },
  });
  if (r.stderr.trim()) console.log(r.stderr.trim().replace(/^/gm, '  ! '));
  const rows = parseRows(r.stdout);
  all.push(...(rows.length > 0 ? rows : rowsFromText(name, r.stdout)));
  if (r.code !== 0) failed.push(`${name} (exit ${r.code}${r.timedOut ? `, killed after ${timeoutMs} ms` : ''})`);
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = all.map((r) => [r.bench, r.label, `${fmt(r.value)} ${r.unit}`, r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.note ?? '']);
const head = ['bench', 'case', 'median', 'ratio', 'notes'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log('Summary (ratio: to the first row of the same benchmark, i.e. the baseline)');
console.log(line(head));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of table) console.log(line(row));
console.log(`\nTotal ${((Date.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
if (failed.length > 0) {
  console.log(`Problems: ${failed.join('; ')}`);
  process.exitCode = 1;
}
