/**
 * Where a window's heap allocations were made: the top functions by bytes allocated in them
 * (self), from a sampling heap profile (`.heapprofile`, written by `BENCH_ALLOC_PROFILE=file` of
 * `muc-worker.ts` for the profiled pass; objects already collected are included).
 *
 * Usage: `npx tsx bench/alloc-summary.ts FILE.heapprofile [TOP=20] [DIVISOR]`: with DIVISOR
 * (e.g. the number of messages of the pass), also bytes per unit. Example, 20 000 messages:
 * `BENCH_NO_GC=1 BENCH_ALLOC_PROFILE=/tmp/m.heapprofile node --expose-gc --import tsx bench/muc-worker.ts messages 20000 1`
 * then `npx tsx bench/alloc-summary.ts /tmp/m.heapprofile 20 20000`.
 */
import { readFileSync } from 'node:fs';
import { sourcePath } from './harness.js';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const [file, topArg, divArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: alloc-summary.ts FILE.heapprofile [TOP] [DIVISOR]\n');
  process.exit(2);
}
const top = Number(topArg ?? 20);
const divisor = divArg === undefined ? undefined : Number(divArg);
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
const where = (n: HeapNode): string => sourcePath(n.callFrame.url);
const byFunction = new Map<string, number>();
let total = 0;
const walk = (n: HeapNode, inProfiler: boolean): void => {
  const skip = inProfiler || n.callFrame.url === 'node:inspector';
  if (!skip && n.selfSize > 0) {
    const key = `${n.callFrame.functionName || '(anonymous)'} | ${where(n)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c, skip);
};
walk(head, false);
const per = (bytes: number): string => (divisor === undefined ? '' : ` | ${(bytes / divisor).toFixed(0)}`);
process.stdout.write(
  `${file}: ${(total / 1048576).toFixed(1)} MiB sampled${divisor === undefined ? '' : `, ${(total / divisor).toFixed(0)} B per unit`}\n`,
);
process.stdout.write(
  `| # | KiB | % | ${divisor === undefined ? '' : 'B per unit | '}function | where |\n|---|---|---|${divisor === undefined ? '' : '---|'}---|---|\n`,
);
[...byFunction]
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)
  .forEach(([key, bytes], i) => {
    const [fn, at] = key.split(' | ');
    process.stdout.write(
      `| ${i + 1} | ${(bytes / 1024).toFixed(0)} | ${((100 * bytes) / total).toFixed(1)}${per(bytes)} | ${fn} | ${at} |\n`,
    );
  });
