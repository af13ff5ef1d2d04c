/**
 * JID parsing on the hot path: xmuc's `parseJid` (PRECIS, memoised) with a warm cache and
 * with every lookup missing, against `@xmpp/jid` 0.14 (no PRECIS, no cache), on the
 * `from`/`to` strings of MUC traffic. CPU per parse via `process.cpuUsage()`, median of
 * several rounds after warm-up. Run alone: `npx tsx --expose-gc bench/jid.bench.ts`.
 */
import { JID_CACHE_SIZE, clearJidCache, parseJid } from '../src/core/jid.js';
import { cpuSince, gc, median, reportRow, spread } from './harness.js';

// @ts-expect-error @xmpp/jid ships no type declarations
const { jid: xmppJid } = (await import('@xmpp/jid')) as { jid: (s: string) => { toString(): string } };

/** `BENCH_SMOKE=1` (`npm run bench -- --smoke`): one short round, only to show it still runs. */
const SMOKE = process.env.BENCH_SMOKE === '1';
const ROUNDS = SMOKE ? 1 : 7;
const OPS = SMOKE ? 20_000 : 200_000;
const WARMUPS = SMOKE ? 1 : 3;
const NICKS = ['alice', 'Bob', 'Carol Ann', 'Grüße', 'Ünïcödé', '小明', 'dave_99', 'Ελένη', 'zoë', 'ผู้ใช้'];

/** `count` distinct from/to strings: occupant JIDs, full user JIDs, bare room JIDs. */
function strings(count: number, salt: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const nick = `${NICKS[i % NICKS.length]}${salt}${i}`;
    out.push(`room${i % 7}@conference.localhost/${nick}`);
    out.push(`user${i}${salt}@localhost/probe-${i % 3}`);
    out.push(`room${i}${salt}@conference.example.org`);
  }
  return out.slice(0, count);
}

const hot = strings(300, 'h'); // fits the cache
const cold = strings(JID_CACHE_SIZE * 6, 'c'); // each parsed once per round from an empty cache

function round(fn: (s: string) => unknown, inputs: string[], ops: number): number {
  let sink = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < ops; i++) {
    const r = fn(inputs[i % inputs.length] as string);
    if (r !== undefined) sink++;
  }
  const us = cpuSince(start);
  if (sink !== ops) throw new Error('parse returned undefined');
  return (us * 1000) / ops; // ns per op
}

interface Case {
  label: string;
  run: () => number;
}
const cases: Case[] = [
  { label: '@xmpp/jid parse (no PRECIS, no cache)', run: () => round((s) => xmppJid(s), hot, OPS) },
  { label: 'parseJid cached (hits)', run: () => round(parseJid, hot, OPS) },
  {
    label: 'parseJid uncached (misses, PRECIS)',
    run: () => {
      // One pass over more distinct strings than the cache holds, from an empty cache: all misses.
      clearJidCache();
      return round(parseJid, cold, cold.length);
    },
  },
];

for (let w = 0; w < WARMUPS; w++) for (const c of cases) c.run();
const samples = new Map<string, number[]>(cases.map((c) => [c.label, []]));
for (let r = 0; r < ROUNDS; r++) for (const c of cases) samples.get(c.label)!.push(c.run());

// Memory held by a full cache.
let cacheKB: number | undefined;
if (gc()) {
  clearJidCache();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const s of cold.slice(0, JID_CACHE_SIZE)) parseJid(s);
  gc();
  cacheKB = (process.memoryUsage().heapUsed - before) / 1024;
}

const base = median(samples.get(cases[0]!.label)!);
console.log(
  `jid: ${hot.length} hot (cycled) / ${cold.length} cold distinct from/to strings, median of ${ROUNDS} rounds after ${WARMUPS} warm-up rounds`,
);
for (const c of cases) {
  const xs = samples.get(c.label)!;
  const m = median(xs);
  console.log(`  ${c.label.padEnd(40)} ${m.toFixed(0).padStart(6)} ns/parse (${(m / base).toFixed(2)}x @xmpp/jid, range ${spread(xs, 0)})`);
  reportRow({ bench: 'jid', label: c.label, value: m, unit: 'ns/parse', ratio: m / base, note: `range ${spread(xs, 0)}` });
}
if (cacheKB !== undefined) {
  console.log(`  a full parseJid cache (${JID_CACHE_SIZE} JIDs) holds ${cacheKB.toFixed(0)} KiB of heap`);
  reportRow({ bench: 'jid', label: `parseJid cache, ${JID_CACHE_SIZE} entries`, value: cacheKB, unit: 'KiB heap' });
}
