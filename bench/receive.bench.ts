/**
 * Receive path, issue 4: client CPU per groupchat message, xmuc against bare `@xmpp/client`
 * 0.14.0 on the same stream. A replay server (its own process, `replay-server.ts`) plays
 * `BENCH_MESSAGES` (default 20 000) messages shaped like Prosody's to each client; every
 * client runs in its own fresh process (`receive-client.ts`), so pass 1 is cold (nothing
 * JIT-compiled yet) and only the client's own CPU is counted. Kinds:
 * - `xmppjs`: bare `@xmpp/client`, counting `stanza` events (the baseline);
 * - `adapter`: the same client wrapped by `fromXmppJs()`, counting through `addHandler`;
 * - `native`: xmuc's `connect()`, counting through `addHandler`;
 * - `native-room`: `connect()` + `MucClient` + a joined `Room`, counting `message` events;
 * - `adapter-room`: `fromXmppJs(@xmpp/client)` + `MucClient` + a joined `Room`, counting `message` events.
 *
 * Run alone: `npx tsx bench/receive.bench.ts` (env: BENCH_MESSAGES, BENCH_PROCS, BENCH_PASSES).
 */
import { fileURLToPath } from 'node:url';
import { median, reportRow, runNodeChild, spread } from './harness.js';
import { spawn } from 'node:child_process';
import type { ClientKind } from './receive-client.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
/** Fresh client processes per kind (interleaved). */
const PROCS = Number(process.env.BENCH_PROCS ?? 3);
/** Passes per process: 1 cold, 1 warm-up (not reported), the rest warm. */
const PASSES = Number(process.env.BENCH_PASSES ?? 4);
/** Stop starting client processes after this long; report what was measured. */
const BUDGET_MS = Number(process.env.BENCH_RECEIVE_BUDGET_MS ?? 110_000);
const KINDS: { kind: ClientKind; label: string }[] = [
  { kind: 'xmppjs', label: '@xmpp/client (bare)' },
  { kind: 'adapter', label: 'fromXmppJs(@xmpp/client)' },
  { kind: 'native', label: 'xmuc connect()' },
  { kind: 'native-room', label: 'connect() + MucClient Room' },
  { kind: 'adapter-room', label: 'fromXmppJs + MucClient Room' },
];

interface Pass {
  pass: number;
  cpuUs: number;
  wallMs: number;
  heapBeforeKB: number;
  heapAfterKB: number;
  retainedKB: number;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', here('./replay-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('replay server did not start within 30 s')), 30_000);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', () => reject(new Error('replay server exited')));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

const server = await startServer();
const results = new Map<ClientKind, Pass[][]>(KINDS.map((k) => [k.kind, []]));
const t0 = Date.now();
let budgetHit = false;
try {
  outer: for (let p = 0; p < PROCS; p++) {
    for (const { kind } of KINDS) {
      if (Date.now() - t0 > BUDGET_MS) {
        budgetHit = true;
        break outer;
      }
      // One retry for a process that failed (e.g. the tree changed under it).
      for (let attempt = 1; attempt <= 2; attempt++) {
        const r = await runNodeChild(here('./receive-client.ts'), [kind, String(server.port), String(N), String(PASSES)], {
          nodeArgs: ['--expose-gc'],
          timeoutMs: 60_000,
        });
        const passes = r.stdout
          .split('\n')
          .filter((l) => l.startsWith('PASS '))
          .map((l) => JSON.parse(l.slice(5)) as Pass);
        if (r.code === 0 && passes.length === PASSES) {
          results.get(kind)!.push(passes);
          break;
        }
        console.error(
          `receive: ${kind} process ${p + 1} attempt ${attempt} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim().slice(0, 300)}`,
        );
        if (Date.now() - t0 > BUDGET_MS) break;
      }
    }
  }
} finally {
  server.stop();
}

const perMsg = (p: Pass) => p.cpuUs / (N - 1);
const coldOf = (ps: Pass[]) => ps.filter((x) => x.pass === 1);
const warmOf = (ps: Pass[]) => ps.filter((x) => x.pass >= 3);

/**
 * Ratio to the baseline, paired by round: process r of a kind ran right after process r of
 * the baseline, so their ratio is less exposed to the load of the shared machine drifting
 * over the run. The median over rounds.
 */
function pairedRatio(kind: ClientKind, pick: (ps: Pass[]) => Pass[]): number {
  const base = results.get(KINDS[0]!.kind)!;
  const mine = results.get(kind)!;
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(base.length, mine.length); r++) {
    const b = pick(base[r]!);
    const m = pick(mine[r]!);
    if (b.length && m.length) ratios.push(median(m.map(perMsg)) / median(b.map(perMsg)));
  }
  return ratios.length ? median(ratios) : NaN;
}

console.log(
  `receive: ${N} groupchat messages per pass from a replay server process on 127.0.0.1; ` +
    `${PROCS} rounds of one fresh client process per kind, ${PASSES} passes each (pass 1 = cold, pass 2 = warm-up, passes 3+ = warm); ` +
    `client CPU (user+sys) from the first to the last message; ratio = median over rounds of (kind / bare @xmpp/client in the same round)` +
    `${budgetHit ? '; TIME BUDGET HIT, fewer rounds for the last kinds' : ''}`,
);
for (const { kind, label } of KINDS) {
  const procs = results.get(kind)!;
  const coldPasses = procs.flatMap(coldOf);
  const warmPasses = procs.flatMap(warmOf);
  if (coldPasses.length === 0) {
    console.log(`  ${label.padEnd(28)} no result`);
    continue;
  }
  const cold = median(coldPasses.map(perMsg));
  const warm = warmPasses.length ? median(warmPasses.map(perMsg)) : NaN;
  const coldRatio = pairedRatio(kind, coldOf);
  const warmRatio = pairedRatio(kind, warmOf);
  const msgPerSec = warmPasses.length ? median(warmPasses.map((p) => ((N - 1) / p.wallMs) * 1000)) : NaN;
  const retained = warmPasses.length ? median(warmPasses.map((p) => p.retainedKB)) : NaN;
  const churn = warmPasses.length ? median(warmPasses.map((p) => p.heapAfterKB - p.heapBeforeKB)) : NaN;
  console.log(
    `  ${label.padEnd(28)} cold ${cold.toFixed(2)} µs/msg (${coldRatio.toFixed(2)}x), ` +
      `warm ${warm.toFixed(2)} µs/msg (${warmRatio.toFixed(2)}x, range ${spread(warmPasses.map(perMsg))}), ` +
      `${(msgPerSec / 1000).toFixed(0)}k msg/s wall, heap +${(churn / 1024).toFixed(1)} MiB during a pass, ${retained.toFixed(0)} KiB retained after GC`,
  );
  reportRow({
    bench: 'receive',
    label: `${label} cold`,
    value: cold,
    unit: 'µs/msg',
    ratio: coldRatio,
    note: `median of ${coldPasses.length} first passes (range ${spread(coldPasses.map(perMsg))})`,
  });
  reportRow({
    bench: 'receive',
    label: `${label} warm`,
    value: warm,
    unit: 'µs/msg',
    ratio: warmRatio,
    note: `median of ${warmPasses.length} passes; heap +${(churn / 1024).toFixed(1)} MiB/pass, ${retained.toFixed(0)} KiB retained`,
  });
}
