/**
 * Receive path, issue 4: client CPU per groupchat message, xmuc against bare `@xmpp/client`
 * 0.14.0 on the same stream. A replay server (its own process, `replay-server.ts`) plays
 * `BENCH_MESSAGES` (default 20 000) messages shaped like Prosody's to each client; every
 * client runs in its own fresh process (`receive-client.ts`), so pass 1 is cold (nothing
 * JIT-compiled yet) and only the client's own CPU is counted. Kinds:
 * - `xmppjs`: bare `@xmpp/client`, counting `stanza` events (the baseline);
 * - `adapter`: the same client wrapped by `fromXmppJs()`, counting through `addHandler`;
 * - `native`: xmuc's `connect()`, counting through `addHandler`;
 * - `native-room`: `connect()` + `MucClient` + a joined `Room`, counting `message` events.
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
const summary = KINDS.map(({ kind, label }) => {
  const procs = results.get(kind)!;
  const cold = procs.map((ps) => ps.find((x) => x.pass === 1)).filter((x): x is Pass => x !== undefined);
  const warm = procs.flatMap((ps) => ps.filter((x) => x.pass >= 3));
  return { kind, label, cold, warm };
});
const base = summary[0]!;
const baseCold = base.cold.length ? median(base.cold.map(perMsg)) : NaN;
const baseWarm = base.warm.length ? median(base.warm.map(perMsg)) : NaN;

console.log(
  `receive: ${N} groupchat messages per pass from a replay server process on 127.0.0.1; ` +
    `${PROCS} fresh client processes per kind, ${PASSES} passes each (pass 1 = cold, pass 2 = warm-up, passes 3+ = warm); ` +
    `client CPU (user+sys) from the first to the last message${budgetHit ? '; TIME BUDGET HIT, fewer processes' : ''}`,
);
for (const s of summary) {
  if (s.cold.length === 0) {
    console.log(`  ${s.label.padEnd(28)} no result`);
    continue;
  }
  const cold = median(s.cold.map(perMsg));
  const warm = s.warm.length ? median(s.warm.map(perMsg)) : NaN;
  const msgPerSec = s.warm.length ? median(s.warm.map((p) => ((N - 1) / p.wallMs) * 1000)) : NaN;
  const retained = s.warm.length ? median(s.warm.map((p) => p.retainedKB)) : NaN;
  const churn = s.warm.length ? median(s.warm.map((p) => p.heapAfterKB - p.heapBeforeKB)) : NaN;
  console.log(
    `  ${s.label.padEnd(28)} cold ${cold.toFixed(2)} µs/msg (${(cold / baseCold).toFixed(2)}x), ` +
      `warm ${warm.toFixed(2)} µs/msg (${(warm / baseWarm).toFixed(2)}x, range ${spread(s.warm.map(perMsg))}), ` +
      `${(msgPerSec / 1000).toFixed(0)}k msg/s wall, heap +${(churn / 1024).toFixed(1)} MiB during a pass, ${retained.toFixed(0)} KiB retained after GC`,
  );
  reportRow({
    bench: 'receive',
    label: `${s.label} cold`,
    value: cold,
    unit: 'µs/msg',
    ratio: cold / baseCold,
    note: `median of ${s.cold.length} first passes (range ${spread(s.cold.map(perMsg))})`,
  });
  reportRow({
    bench: 'receive',
    label: `${s.label} warm`,
    value: warm,
    unit: 'µs/msg',
    ratio: warm / baseWarm,
    note: `median of ${s.warm.length} passes; heap +${(churn / 1024).toFixed(1)} MiB/pass, ${retained.toFixed(0)} KiB retained`,
  });
}
