/**
 * Top self-time functions of a V8 CPU profile (`.cpuprofile`, from `node --cpu-prof` or from
 * `BENCH_CPU_PROFILE=file` of `muc-worker.ts`, which profiles only the cold pass).
 *
 * Usage: `npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP=15]`. Example, the cold join of
 * 2 000 occupants:
 * `BENCH_CPU_PROFILE=/tmp/join.cpuprofile node --expose-gc --import tsx bench/muc-worker.ts join 2000 1`
 * then `npx tsx bench/profile-summary.ts /tmp/join.cpuprofile`.
 */
import { readFileSync } from 'node:fs';
import { sourcePath } from './harness.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Leave out the profiler's own stop call (`Session.post` from node:inspector) and what it calls.
const excluded = new Set<number>();
const mark = (n: ProfileNode, inside: boolean): void => {
  const now = inside || n.callFrame.url === 'node:inspector';
  if (now) excluded.add(n.id);
  for (const c of n.children ?? []) mark(byId.get(c)!, now);
};
mark(profile.nodes[0]!, false);
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  if (excluded.has(id)) continue;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const where = (n: ProfileNode): string => {
  const { url, lineNumber } = n.callFrame;
  if (!url) return '';
  const path = sourcePath(url);
  // Scripts transpiled by tsx report their functions at line 0: show the file only then.
  return lineNumber > 0 ? `${path}:${lineNumber + 1}` : path;
};
const agg = new Map<string, { name: string; where: string; us: number }>();
let total = 0;
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const name = n.callFrame.functionName || '(anonymous)';
  const key = `${name}\u0000${where(n)}`;
  const e = agg.get(key) ?? { name, where: where(n), us: 0 };
  e.us += us;
  agg.set(key, e);
  total += us;
}
const rows = [...agg.values()].sort((a, b) => b.us - a.us);
const idle = rows.filter((r) => r.name === '(idle)').reduce((s, r) => s + r.us, 0);
console.log(`${file}: ${(total / 1000).toFixed(1)} ms sampled (${(idle / 1000).toFixed(1)} ms idle), ${profile.samples.length} samples`);
console.log('| # | self ms | self % (of non-idle) | function | where |');
console.log('|---|---|---|---|---|');
rows
  .filter((r) => r.name !== '(idle)')
  .slice(0, top)
  .forEach((r, i) => {
    console.log(`| ${i + 1} | ${(r.us / 1000).toFixed(1)} | ${((r.us / (total - idle)) * 100).toFixed(1)} | ${r.name} | ${r.where} |`);
  });
const files = new Map<string, number>();
for (const r of rows) {
  if (r.name === '(idle)') continue;
  const f = r.where.replace(/:\d+$/, '') || r.name;
  files.set(f, (files.get(f) ?? 0) + r.us);
}
console.log('\nBy file (self time):');
for (const [f, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${((us / (total - idle)) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(1).padStart(7)} ms  ${f}`);
}
