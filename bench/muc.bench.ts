/**
 * In-process MUC benchmark (issue 10, item 1): no network. xmuc's real `NativeConnection` and
 * `StreamParser` over an in-memory transport, into `MucClient`, on streams scaled up from
 * captured Prosody stanzas (see `muc-worker.ts`, `muc-stream.ts`). Each case runs in fresh
 * processes (so pass 1 is cold), interleaved by repetition:
 * - join of a room of N occupants (N = 500, 2 000, 10 000) + 20 history messages, to the
 *   subject: cold (pass 1) and warm (passes 3+), with the connection-only floor (the same
 *   stream, a handler that counts stanzas) measured the same way; and the join of 2 000 warm
 *   without the forced GCs around each pass (which make V8 recompile it in every pass);
 * - 100 000 live groupchat messages in a room of 500 (pass 1 and pass 2), from a room with an
 *   archive (every message has the room's stanza-id) and from one without (none has);
 * - churn: 10 000 occupants join and leave a room of 500, again with new ones in each of 4 passes
 *   (heap after GC against before each pass: the first pass grows by V8's warm-up, later ones not);
 * - one client joining 1 000 rooms of 100 occupants at once.
 * Figures: CPU (user+sys) µs per stanza fed, room events per second of wall time, heap
 * retained after GC (`--expose-gc`) per occupant / per room (for the joins: heap with the room
 * joined minus heap once it was left again, and what is left after leaving).
 *
 * `BENCH_SMOKE=1`: one repetition with small sizes. Run alone: `npx tsx bench/muc.bench.ts`.
 */
import { fileURLToPath } from 'node:url';
import { median, reportRow, runNodeChild, spread } from './harness.js';
import type { PassResult } from './muc-worker.js';

const SMOKE = process.env.BENCH_SMOKE === '1';
const REPS = Number(process.env.BENCH_MUC_REPS ?? (SMOKE ? 1 : 3));
const JOIN_NS = SMOKE ? [200] : [500, 2000, 10_000];
const PASSES = SMOKE ? 3 : 5;
const MESSAGES = SMOKE ? 2000 : 100_000;
const CHURN = SMOKE ? 200 : 10_000;
const CHURN_PASSES = SMOKE ? 2 : 4;
const ROOMS: [number, number] = SMOKE ? [20, 10] : [1000, 100];
const BUDGET_MS = Number(process.env.BENCH_MUC_BUDGET_MS ?? 240_000);
/** The join measured warm without forced GCs (see `BENCH_NO_GC` in muc-worker.ts): size, passes (the last half count). */
const NOGC_N = SMOKE ? 200 : 2000;
const NOGC_PASSES = SMOKE ? 4 : 8;

const worker = fileURLToPath(new URL('./muc-worker.ts', import.meta.url));
const results = new Map<string, PassResult[][]>();
const t0 = Date.now();
const problems: string[] = [];

async function runCase(key: string, args: string[], env?: Record<string, string>): Promise<void> {
  if (Date.now() - t0 > BUDGET_MS) {
    problems.push(`${key}: skipped (time budget)`);
    return;
  }
  const r = await runNodeChild(worker, args, { nodeArgs: ['--expose-gc'], timeoutMs: 120_000, ...(env ? { env } : {}) });
  const passes = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('RESULT '))
    .map((l) => JSON.parse(l.slice(7)) as PassResult);
  if (r.code !== 0 || passes.length === 0) {
    problems.push(`${key}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''} ${r.stderr.trim().slice(0, 300)}`);
    return;
  }
  const list = results.get(key) ?? [];
  list.push(passes);
  results.set(key, list);
}

for (let rep = 0; rep < REPS; rep++) {
  for (const n of JOIN_NS) {
    const passes = String(n >= 10_000 ? Math.min(PASSES, 4) : PASSES);
    await runCase(`floor ${n}`, ['floor', String(n), passes]);
    await runCase(`join ${n}`, ['join', String(n), passes]);
  }
  await runCase(`join ${NOGC_N} no forced GC`, ['join', String(NOGC_N), String(NOGC_PASSES)], { BENCH_NO_GC: '1' });
  if (rep < Math.min(REPS, 2)) {
    await runCase('messages', ['messages', String(MESSAGES), '2']);
    await runCase('plain-messages', ['plain-messages', String(MESSAGES), '2']);
    await runCase('churn', ['churn', String(CHURN), String(CHURN_PASSES)]);
  }
  if (rep === 0) await runCase('rooms', ['rooms', String(ROOMS[0]), String(ROOMS[1])]);
}

const perStanza = (p: PassResult) => p.cpuUs / p.stanzas;
/** `; JavaScript thread X ms, other threads Y ms` (medians; Linux only): the other threads are mostly V8's optimising compiler on a cold pass. */
const threadSplit = (ps: PassResult[]): string => {
  const known = ps.filter((p) => p.threadsUs.main > 0);
  if (known.length === 0) return '';
  const main = median(known.map((p) => p.threadsUs.main / 1000));
  const others = median(known.map((p) => p.threadsUs.others / 1000));
  return `; JavaScript thread ${fmt(main)} ms, other threads ${fmt(others)} ms`;
};
const evPerSec = (p: PassResult) => (p.events / p.wallMs) * 1000;
/** The passes of case `key` (all processes) that `keep` selects. */
const passes = (key: string, keep: (p: PassResult) => boolean) => (results.get(key) ?? []).flatMap((ps) => ps.filter(keep));
const cold = (key: string) => passes(key, (p) => p.pass === 1);
const warm = (key: string) => passes(key, (p) => p.pass >= 3);
const second = (key: string) => passes(key, (p) => p.pass === 2);
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
/** KiB with its sign, no decimals. */
const signed = (kb: number) => `${kb >= 0 ? '+' : ''}${fmt(kb, 0)}`;

console.log(
  `muc (in-process): real NativeConnection + StreamParser over an in-memory transport, 64 KiB reads; ` +
    `${REPS} fresh process(es) per case; cold = pass 1, warm = passes 3+; CPU = process user+sys; ` +
    `heap retained = heapUsed after GC minus before the pass${SMOKE ? ' [SMOKE: small sizes]' : ''}`,
);
for (const n of JOIN_NS) {
  const fc = cold(`floor ${n}`);
  const fw = warm(`floor ${n}`);
  const jc = cold(`join ${n}`);
  const jw = warm(`join ${n}`);
  if (jc.length === 0) continue;
  const floorCold = fc.length ? median(fc.map(perStanza)) : NaN;
  const floorWarm = fw.length ? median(fw.map(perStanza)) : NaN;
  const c = median(jc.map(perStanza));
  const w = jw.length ? median(jw.map(perStanza)) : NaN;
  const msCold = median(jc.map((p) => p.cpuUs / 1000));
  // The room's own heap: after the join minus after leaving it again (both after GC), so compiled
  // code and type feedback of pass 1 do not count; per occupant, median over all passes.
  const all = [...jc, ...jw];
  const perOcc = median(all.map((p) => ((p.retainedKB - (p.afterLeaveKB ?? 0)) * 1024) / (p.occupants ?? n)));
  const leftOver = jw.length ? median(jw.map((p) => p.afterLeaveKB ?? 0)) : NaN;
  const eps = median(jc.map(evPerSec));
  console.log(
    `  join ${String(n).padStart(5)} occupants + 20 history: cold ${fmt(c, 2)} µs/stanza (${fmt(msCold)} ms CPU to the subject, ` +
      `${fmt(c / floorCold, 2)}x the connection floor ${fmt(floorCold, 2)}), warm ${fmt(w, 2)} µs/stanza (${fmt(w / floorWarm, 2)}x floor ${fmt(floorWarm, 2)}), ` +
      `${fmt(eps / 1000)}k events/s cold, ${fmt(perOcc, 0)} B heap per occupant, ${fmt(leftOver, 0)} KiB left after leaving (warm)`,
  );
  reportRow({
    bench: 'muc',
    label: `join ${n} floor (connection only) cold`,
    value: floorCold,
    unit: 'µs/stanza',
    note: fc.length ? `range ${spread(fc.map(perStanza))}` : 'no result',
  });
  reportRow({
    bench: 'muc',
    label: `join ${n} cold`,
    value: c,
    unit: 'µs/stanza',
    ratio: c / floorCold,
    note: `${fmt(msCold)} ms CPU to the subject${threadSplit(jc)}; ${fmt(eps / 1000)}k events/s; ${fmt(perOcc, 0)} B heap/occupant; range ${spread(jc.map(perStanza))}`,
  });
  reportRow({
    bench: 'muc',
    label: `join ${n} warm`,
    value: w,
    unit: 'µs/stanza',
    ratio: w / floorWarm,
    note: `floor warm ${fmt(floorWarm, 2)} µs/stanza; ${jw.length} passes; ${fmt(leftOver, 0)} KiB left after leaving`,
  });
}
{
  // Warm without forced GCs: the last half of the passes (the forced GC before each pass of the
  // join rows above makes V8 compile the join's code again in every pass).
  const ps = passes(`join ${NOGC_N} no forced GC`, (p) => p.pass > NOGC_PASSES / 2);
  if (ps.length > 0) {
    const v = median(ps.map(perStanza));
    console.log(
      `  join ${String(NOGC_N).padStart(5)} occupants, warm without forced GCs (passes ${NOGC_PASSES / 2 + 1}+): ${fmt(v, 2)} µs/stanza${threadSplit(ps)}`,
    );
    reportRow({
      bench: 'muc',
      label: `join ${NOGC_N} warm, no forced GC`,
      value: v,
      unit: 'µs/stanza',
      note: `${ps.length} passes; range ${spread(ps.map(perStanza))}${threadSplit(ps)}`,
    });
  }
}
for (const [label, pick, key] of [
  ['cold (pass 1)', cold, 'messages'],
  ['warm (pass 2)', second, 'messages'],
  ['without stanza-ids, cold (pass 1)', cold, 'plain-messages'],
  ['without stanza-ids, warm (pass 2)', second, 'plain-messages'],
] as const) {
  const ps = pick(key);
  if (ps.length === 0) continue;
  const v = median(ps.map(perStanza));
  const eps = median(ps.map(evPerSec));
  const kept = median(ps.map((p) => p.retainedKB));
  console.log(
    `  ${MESSAGES} groupchat messages ${label}: ${fmt(v, 2)} µs/msg, ${fmt(eps / 1000)}k messages/s, heap ${fmt(kept, 0)} KiB retained after GC`,
  );
  reportRow({
    bench: 'muc',
    label: `${MESSAGES} messages ${label}`,
    value: v,
    unit: 'µs/msg',
    note: `${fmt(eps / 1000)}k msg/s; ${fmt(kept, 0)} KiB retained${threadSplit(ps)}`,
  });
}
{
  const ps = cold('churn');
  if (ps.length > 0) {
    const v = median(ps.map(perStanza));
    const eps = median(ps.map(evPerSec));
    const first = median(ps.map((p) => p.retainedKB));
    const firstCode = median(ps.map((p) => p.codeKB));
    // Passes 2+: the same churn with new occupants, once V8 has compiled what it runs.
    const later = passes('churn', (p) => p.pass >= 2).map((p) => p.retainedKB);
    const laterText = later.length ? `${signed(median(later))} KiB per later pass (${later.map(signed).join(', ')})` : 'no later pass';
    console.log(
      `  churn: ${CHURN} joins + ${CHURN} leaves in a room of 500: ${fmt(v, 2)} µs/presence cold, ${fmt(eps / 1000)}k events/s; ` +
        `heap after GC ${signed(first)} KiB after the first pass (${fmt(firstCode, 0)} KiB of it compiled code), then ${laterText}`,
    );
    reportRow({
      bench: 'muc',
      label: `churn ${CHURN} joins+leaves`,
      value: v,
      unit: 'µs/stanza',
      note: `${fmt(eps / 1000)}k events/s; heap ${signed(first)} KiB after pass 1 (${fmt(firstCode, 0)} KiB code), then ${laterText}`,
    });
  }
}
{
  const ps = cold('rooms');
  if (ps.length > 0) {
    const p = ps[0]!;
    const [r, k] = ROOMS;
    const perRoom = (p.retainedKB * 1024) / r;
    const perOcc = (p.retainedKB * 1024) / (r * k);
    console.log(
      `  ${r} rooms x ${k} occupants joined at once: ${fmt(perStanza(p), 2)} µs/stanza, ${fmt(p.cpuUs / 1e6, 2)} s CPU, ` +
        `${fmt(perRoom / 1024)} KiB/room, ${fmt(perOcc, 0)} B/occupant retained, heap ${fmt(p.heapKB / 1024)} MiB after GC`,
    );
    reportRow({
      bench: 'muc',
      label: `${r} rooms x ${k} occupants`,
      value: perStanza(p),
      unit: 'µs/stanza',
      note: `${fmt(perRoom / 1024)} KiB/room, ${fmt(perOcc, 0)} B/occupant, heap ${fmt(p.heapKB / 1024)} MiB`,
    });
  }
}
if (problems.length > 0) {
  console.error(`muc: ${problems.join('; ')}`);
  process.exitCode = 1;
}
