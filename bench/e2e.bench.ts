/**
 * End-to-end MUC benchmark (issue 10, item 2) against a Prosody that this file starts on
 * loopback (`scripts/xmpp-server/servers.ts`) and stops again. A load generator process
 * (`e2e-loadgen.ts`: raw sockets, SASL ANONYMOUS on the anonymous host) creates one room per
 * join size with `BENCH_E2E_LIVE` (50) live occupants and 20 history messages, and the rest of
 * the N occupants are seeded into Prosody's room state (`e2e-seed.ts`: N live sockets would
 * cost Prosody about N² routed stanzas); it also holds a small room for the drain.
 * Then, interleaved and repeated, one fresh client process per measurement (`e2e-client.ts`):
 * - join: CPU from the join presence to the subject, room of N = 500 and 2 000;
 * - drain: the clients of all kinds join one room and are stopped (SIGSTOP) while 20 000
 *   groupchat messages are sent to it, then continued (SIGCONT) one at a time: CPU from READY
 *   to the last message, per message.
 * Kinds: bare `@xmpp/client` (the floor), xmuc native (TCP), xmuc over `fromXmppJs`, xmuc
 * native over WebSocket, StanzaJS 12 + its MUC plugin (WebSocket). Ratios are to the floor
 * measured in the same repetition (median over repetitions).
 *
 * `BENCH_SMOKE=1`: one repetition, N = 30 (10 live), 500 messages. Run alone: `npx tsx bench/e2e.bench.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer, type ServerInfo } from '../scripts/xmpp-server/servers.js';
import type { E2eKind, E2eResult, Endpoints } from './e2e-client.js';
import { seedOccupants } from './e2e-seed.js';
import { type ChildOptions, type ChildResult, median, reportRow, runChild, runNodeChild, spread } from './harness.js';

const SMOKE = process.env.BENCH_SMOKE === '1';
const REPS = Number(process.env.BENCH_E2E_REPS ?? (SMOKE ? 1 : 3));
const JOIN_NS = (process.env.BENCH_E2E_NS ?? (SMOKE ? '30' : '500,2000')).split(',').map(Number);
const DRAIN = Number(process.env.BENCH_E2E_DRAIN ?? (SMOKE ? 500 : 20_000));
/** Live (socket) occupants per join room; the rest are seeded (see `e2e-seed.ts`). */
const LIVE = Number(process.env.BENCH_E2E_LIVE ?? (SMOKE ? 10 : 50));
/** Start no measurement after this long; kill the one running at `BUDGET_MS + 30 s` (then report and stop Prosody). */
const BUDGET_MS = Number(process.env.BENCH_E2E_BUDGET_MS ?? 300_000);
const HARD_MS = BUDGET_MS + 30_000;
/** Tries of a drain round whose clients did not all get ready (see `measureDrains`). */
const DRAIN_ATTEMPTS = 3;
type Kind = E2eKind | 'slixmpp' | 'aioxmpp';
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'xmppjs', label: '@xmpp/client (bare, floor)' },
  { kind: 'native', label: 'xmuc native' },
  { kind: 'adapter', label: 'xmuc over fromXmppJs' },
  { kind: 'native-ws', label: 'xmuc native WebSocket' },
  { kind: 'stanza', label: 'StanzaJS 12 MUC (WebSocket)' },
];
/** `BENCH_E2E_PY=1`: also slixmpp and aioxmpp (Debian, `/usr/bin/python3`, `e2e-client.py`). */
if (process.env.BENCH_E2E_PY === '1')
  KINDS.push({ kind: 'slixmpp', label: 'slixmpp (Python)' }, { kind: 'aioxmpp', label: 'aioxmpp (Python)' });

/** `BENCH_E2E_KINDS=native,stanza`: only these kinds (the floor is always measured, for the ratios). */
const onlyKinds = process.env.BENCH_E2E_KINDS?.split(',');
if (onlyKinds) KINDS.splice(0, KINDS.length, ...KINDS.filter((k) => k.kind === 'xmppjs' || onlyKinds.includes(k.kind)));

/** `BENCH_E2E_STDOUT_DIR=DIR`: each client's whole stdout is kept in `DIR/MODE-NICK.txt` (with `BENCH_E2E_V8_FLAGS`, see e2e-client.ts). */
const STDOUT_DIR = process.env.BENCH_E2E_STDOUT_DIR;

/** Run the measured client of `kind` (Node or Python); `args` = mode, kind, endpoints, room, nick, ... */
async function runClient(kind: Kind, args: string[], options: ChildOptions): Promise<ChildResult> {
  const r =
    kind === 'slixmpp' || kind === 'aioxmpp'
      ? await runChild('/usr/bin/python3', [here('./e2e-client.py'), args[0]!, kind, ...args.slice(2)], options)
      : await runNodeChild(here('./e2e-client.ts'), args, options);
  if (STDOUT_DIR) writeFileSync(`${STDOUT_DIR}/${args[0]}-${args[4]}.txt`, r.stdout);
  return r;
}
const MUC = 'conference.localhost';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const t0 = Date.now();
const problems: string[] = [];
/** What the run left out to stay in its budget (reported, not a failure). */
const notes: string[] = [];
/** How long a drain round may take (1.5x the last one; a first guess before any). */
let drainRoundMs = 150_000;
/** A child's time limit: at most `max`, and never past the hard deadline. */
const limit = (max: number) => Math.max(5_000, Math.min(max, t0 + HARD_MS - Date.now()));

/** The load generator process and its one-line-per-command protocol. */
class LoadGen {
  readonly child: ChildProcess;
  #answers: ((o: Record<string, unknown>) => void)[] = [];

  constructor(host: string, port: number, domain: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', here('./e2e-loadgen.ts'), host, String(port), domain], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.#answers.shift()?.(JSON.parse(line) as Record<string, unknown>);
      } catch {
        process.stderr.write(`loadgen: ${line}\n`);
      }
    });
  }

  /** The next answer (the first one is `ready`). */
  next(timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`loadgen: no answer within ${timeoutMs} ms`)), timeoutMs);
      this.#answers.push((o) => {
        clearTimeout(timer);
        if (o.error) reject(new Error(`loadgen: ${String(o.error)}`));
        else resolve(o);
      });
    });
  }

  command(cmd: object, timeoutMs: number): Promise<Record<string, unknown>> {
    const answer = this.next(timeoutMs);
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return answer;
  }

  stop(): void {
    this.child.stdin!.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

function parseResult(stdout: string): E2eResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return line ? (JSON.parse(line.slice(7)) as E2eResult) : undefined;
}

/** ` (JavaScript thread X ms, other threads Y ms; GC Z ms: N scavenges, F full, I incremental)`, as far as the client could tell. */
function threadsNote(res: E2eResult): string {
  const parts: string[] = [];
  const t = res.threadsUs;
  if (t !== undefined) parts.push(`JavaScript thread ${(t.main / 1000).toFixed(1)} ms, other threads ${(t.others / 1000).toFixed(1)} ms`);
  const g = res.gc;
  if (g !== undefined) parts.push(`GC ${g.ms.toFixed(1)} ms: ${g.minor} scavenges, ${g.major} full, ${g.incremental} incremental`);
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** The first line of a client's stderr that holds `needle`. */
function stderrLine(r: ChildResult, needle: string): string | undefined {
  return r.stderr.split('\n').find((l) => l.includes(needle));
}

async function measureJoin(ep: Endpoints, kind: Kind, room: string, nick: string): Promise<E2eResult | undefined> {
  const run = () => runClient(kind, ['join', kind, JSON.stringify(ep), room, nick], { timeoutMs: limit(150_000) });
  let r = await run();
  const lost = parseResult(r.stdout) ? undefined : stderrLine(r, 'connection lost');
  if (lost !== undefined) {
    // The session went away under the client (see `lost` in e2e-client.ts): once more.
    notes.push(`join ${kind} ${room} run again: ${lost}`);
    r = await run();
  }
  const res = parseResult(r.stdout);
  if (!res) problems.push(`join ${kind} ${room}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''} ${r.stderr.trim().slice(0, 1500)}`);
  else console.log(`  . ${nick} join ${room}: ${(res.cpuUs / 1000).toFixed(1)} ms CPU${threadsNote(res)}, ${res.count} occupants`);
  return res;
}

/** A drain client: ready once it said READY (and was stopped), false if it ended first. */
interface DrainClient {
  kind: Kind;
  ready: Promise<boolean>;
  done: Promise<ChildResult>;
  pid(): number | undefined;
  /** Whether its process was spawned and has not ended. */
  running(): boolean;
}

/** Start a drain client of `kind` in `room`; it is stopped (SIGSTOP) as soon as it says READY. */
function startDrainClient(ep: Endpoints, kind: Kind, room: string, attempt: number): DrainClient {
  let child: ChildProcess | undefined;
  let markReady!: (ok: boolean) => void;
  const ready = new Promise<boolean>((resolve) => (markReady = resolve));
  const timeoutMs = limit(400_000);
  const nick = `drain-${kind}-${room.split('@')[0]}${attempt > 0 ? `-${attempt}` : ''}`;
  const done = runClient(kind, ['drain', kind, JSON.stringify(ep), room, nick, String(DRAIN)], {
    timeoutMs,
    // The client gives up (and says how many messages it got) before it would be killed.
    env: { E2E_DRAIN_WAIT_MS: String(Math.max(1_000, timeoutMs - 10_000)) },
    onSpawn: (c) => (child = c),
    onLine: (line) => {
      if (line !== 'READY' || !child?.pid) return;
      process.kill(child.pid, 'SIGSTOP');
      markReady(true);
    },
  }).finally(() => markReady(false));
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  return { kind, ready, done, pid: () => child?.pid, running };
}

/** Whether `c` got ready within 90 s. */
function readyWithin(c: DrainClient): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 90_000)));
  return Promise.race([c.ready, late]).finally(() => clearTimeout(timer));
}

/** Kill `c` (if it still runs) and wait for its end. */
function stopDrainClient(c: DrainClient): Promise<ChildResult> {
  const pid = c.pid();
  if (pid !== undefined && c.running()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return c.done;
}

/**
 * One drain round: every kind's client joins the drain room and is stopped (SIGSTOP) as soon
 * as it says READY; one flood of `DRAIN` messages then queues the same stream for all of them
 * (one flood instead of one per kind: Prosody's work is the slow part on a shared machine);
 * then the clients are continued one at a time (SIGCONT), each draining alone.
 */
async function measureDrains(
  ep: Endpoints,
  loadgen: LoadGen,
  kinds: Kind[],
  room: string,
  rep: number,
): Promise<Map<Kind, E2eResult | undefined> | undefined> {
  const out = new Map<Kind, E2eResult | undefined>();
  const clients = kinds.map((kind) => startDrainClient(ep, kind, room, 0));
  const readiness = await Promise.all(clients.map(readyWithin));
  // A client that lost its session before READY (see `lost` in e2e-client.ts; the bare
  // client's XEP-0198 race) is replaced by a new one of its kind, in the same room, before the
  // flood: the others are stopped and only queue its leave and the new join.
  for (const [i, kind] of kinds.entries()) {
    for (let attempt = 1; !readiness[i] && attempt < DRAIN_ATTEMPTS; attempt++) {
      const r = await stopDrainClient(clients[i]!);
      notes.push(`drain round in ${room}: ${kind} was not ready (${stderrLine(r, 'failed') ?? `exit ${r.code}`}), started again`);
      clients[i] = startDrainClient(ep, kind, room, attempt);
      readiness[i] = await readyWithin(clients[i]!);
    }
  }
  if (readiness.some((ok) => !ok)) {
    // A kind that never got ready: the round is dropped (its clients killed) and the caller
    // runs it again in a new room.
    const results = await Promise.all(clients.map(stopDrainClient));
    for (const [i, c] of clients.entries()) {
      if (readiness[i]) continue;
      const r = results[i]!;
      notes.push(`drain round in ${room}: ${c.kind} was not ready (${stderrLine(r, 'failed') ?? `exit ${r.code}`})`);
    }
    return undefined;
  }
  // Prosody drops a socket it cannot write to for 180 s (send_timeout): the flood and the drains before the last client must fit.
  const floodMs = limit(170_000);
  await loadgen
    .command({ cmd: 'flood', room, n: DRAIN, timeoutMs: floodMs - 2_000 }, floodMs)
    .catch((e: unknown) => problems.push(`drain flood (the measured drains are not a backlog then): ${String(e)}`));
  // Every client is ready here (a round with one that is not was dropped above).
  for (const c of clients) {
    const pid = c.pid();
    if (pid !== undefined && c.running()) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    const r = await c.done;
    const res = parseResult(r.stdout);
    const floorLost = !res && c.kind === 'xmppjs' ? stderrLine(r, 'connection lost') : undefined;
    if (floorLost !== undefined) {
      // The floor's own session loss (xmpp.js 0.14, see the acknowledgement race above), not a
      // failure of what is measured: this repetition has no floor for its drain ratios.
      notes.push(
        `drain round ${rep}: the bare client lost its connection during the drain, no floor in this repetition (${floorLost.trim()})`,
      );
    } else if (!res) problems.push(`drain ${c.kind}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''} ${r.stderr.trim().slice(0, 1500)}`);
    else console.log(`  . drain-${c.kind}-${rep}: ${(res.cpuUs / DRAIN).toFixed(2)} µs CPU/msg${threadsNote(res)}, ${res.count} messages`);
    out.set(c.kind, res);
  }
  return out;
}

let server: ServerInfo | undefined;
let loadgen: LoadGen | undefined;
const joins = new Map<string, (E2eResult | undefined)[]>();
const drains = new Map<Kind, (E2eResult | undefined)[]>();
const fills: string[] = [];
// Interrupted (Ctrl-C, the runner's kill by SIGTERM): stop the load generator and Prosody first.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    loadgen?.stop();
    const stopping = server ? stopServer(server).catch(() => {}) : Promise.resolve();
    void stopping.finally(() => process.exit(130));
  });
}
try {
  server = await startServer('prosody', { timeoutMs: 120_000 });
  const ep: Endpoints = { tcp: `xmpp://127.0.0.1:${server.c2sPort}`, ws: server.wsUrl, domain: server.anonDomain };
  loadgen = new LoadGen('127.0.0.1', server.c2sPort, server.anonDomain);
  await loadgen.next(30_000);
  for (const n of JOIN_NS) {
    const room = `join${n}@${MUC}`;
    const live = Math.min(n, LIVE);
    const a = await loadgen.command({ cmd: 'fill', room, n: live, history: 20, config: { 'muc#roomconfig_whois': 'anyone' } }, 240_000);
    const s0 = Date.now();
    const total = n > live ? await seedOccupants(server, room, live, n) : live;
    if (total !== n) throw new Error(`${room} holds ${total} occupants, expected ${n}`);
    fills.push(
      `${room}: ${live} live in ${((a.ms as number) / 1000).toFixed(1)} s + ${n - live} seeded in ${((Date.now() - s0) / 1000).toFixed(1)} s`,
    );
  }
  /** A new drain room, with the load generator's flooding occupant in it. */
  const drainRoom = async (name: string): Promise<string> => {
    const room = `${name}@${MUC}`;
    const config = { 'muc#roomconfig_whois': 'anyone', 'muc#roomconfig_enablearchiving': '0' };
    await loadgen!.command({ cmd: 'fill', room, n: 1, history: 0, config }, 60_000);
    return room;
  };
  // Each repetition drains first, then joins: the drain's flood needs Prosody's full attention
  // and the run's budget is spent on the joins last (they are shorter to cut).
  outer: for (let rep = 0; rep < REPS; rep++) {
    // A drain round that cannot end before the hard deadline is not started (its clients would be killed).
    if (Date.now() - t0 + drainRoundMs > HARD_MS) {
      notes.push(`time budget used up after ${rep} repetition(s)`);
      break;
    }
    const d0 = Date.now();
    let round: Map<Kind, E2eResult | undefined> | undefined;
    for (let attempt = 0; round === undefined && attempt < DRAIN_ATTEMPTS; attempt++) {
      const room = await drainRoom(`drain${rep}-${attempt}`);
      round = await measureDrains(
        ep,
        loadgen,
        KINDS.map((k) => k.kind),
        room,
        rep,
      );
    }
    if (round === undefined) {
      problems.push(`drain round ${rep}: a client lost its session before READY in each of ${DRAIN_ATTEMPTS} attempts`);
      round = new Map();
    }
    drainRoundMs = Math.round((Date.now() - d0) * 1.5);
    for (const { kind } of KINDS) drains.set(kind, [...(drains.get(kind) ?? []), round.get(kind)]);
    for (const n of JOIN_NS) {
      for (const { kind } of KINDS) {
        if (Date.now() - t0 > BUDGET_MS) {
          notes.push(`time budget used up during repetition ${rep + 1}`);
          break outer;
        }
        const list = joins.get(`${n} ${kind}`) ?? [];
        list.push(await measureJoin(ep, kind, `join${n}@${MUC}`, `bench-${kind}-${rep}`));
        joins.set(`${n} ${kind}`, list);
      }
    }
  }
} catch (e) {
  problems.push(`e2e: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  loadgen?.stop();
  if (server) await stopServer(server).catch((e: unknown) => problems.push(`stopping Prosody: ${String(e)}`));
}

/**
 * Median over repetitions of (value / the floor's value in the same repetition); the value is
 * the process CPU unless `pick` says otherwise (a repetition where it is unknown is skipped).
 */
function pairedRatio(
  list: (E2eResult | undefined)[],
  floor: (E2eResult | undefined)[],
  pick: (r: E2eResult) => number | undefined = (r) => r.cpuUs,
): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(list.length, floor.length); i++) {
    const a = list[i];
    const b = floor[i];
    const va = a === undefined ? undefined : pick(a);
    const vb = b === undefined ? undefined : pick(b);
    if (va !== undefined && vb !== undefined && vb > 0) ratios.push(va / vb);
  }
  return ratios.length ? median(ratios) : NaN;
}
/** The JavaScript thread's CPU alone (what the library's code costs, without V8's compiler and GC workers). */
const jsThread = (r: E2eResult) => (r.threadsUs !== undefined && r.threadsUs.main > 0 ? r.threadsUs.main : undefined);
const ok = (xs: (E2eResult | undefined)[] | undefined) => (xs ?? []).filter((x): x is E2eResult => x !== undefined);
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');

console.log(
  `e2e: Prosody 0.12 on loopback (started and stopped here); rooms filled by a raw-socket load generator plus seeded occupants (${fills.join('; ')}); ` +
    `${REPS} repetition(s), one fresh client process per measurement, kinds interleaved; CPU = client process user+sys; ` +
    `ratio = median over repetitions of (kind / bare @xmpp/client in the same repetition)${SMOKE ? ' [SMOKE: small sizes]' : ''}`,
);
for (const n of JOIN_NS) {
  const floor = joins.get(`${n} xmppjs`) ?? [];
  for (const { kind, label } of KINDS) {
    const list = joins.get(`${n} ${kind}`) ?? [];
    const rs = ok(list);
    if (rs.length === 0) continue;
    const ms = median(rs.map((r) => r.cpuUs / 1000));
    const ratio = pairedRatio(list, floor);
    const jsRatio = pairedRatio(list, floor, jsThread);
    const seen = median(rs.map((r) => r.count));
    const wall = median(rs.map((r) => r.wallMs));
    console.log(
      `  join ${String(n).padStart(4)} + 20 history  ${label.padEnd(28)} ${fmt(ms).padStart(7)} ms CPU to the subject (${fmt(ratio, 2)}x; ` +
        `JavaScript thread ${fmt(jsRatio, 2)}x), ${fmt((ms * 1000) / n)} µs per occupant, ${fmt(wall)} ms wall, ${seen} occupants seen`,
    );
    reportRow({
      bench: 'e2e',
      label: `join ${n}: ${label}`,
      value: ms,
      unit: 'ms CPU',
      ratio,
      note: `range ${spread(
        rs.map((r) => r.cpuUs / 1000),
        1,
      )} over ${rs.length}; JavaScript thread ${fmt(jsRatio, 2)}x; ${fmt(wall)} ms wall; ${seen} occupants seen`,
    });
  }
}
{
  const floor = drains.get('xmppjs') ?? [];
  for (const { kind, label } of KINDS) {
    const list = drains.get(kind) ?? [];
    const rs = ok(list);
    if (rs.length === 0) continue;
    const us = median(rs.map((r) => r.cpuUs / DRAIN));
    const ratio = pairedRatio(list, floor);
    const jsRatio = pairedRatio(list, floor, jsThread);
    const rate = median(rs.map((r) => ((r.count - 1) / r.wallMs) * 1000));
    console.log(
      `  drain ${DRAIN} queued messages  ${label.padEnd(28)} ${fmt(us, 2).padStart(7)} µs CPU/msg (${fmt(ratio, 2)}x; ` +
        `JavaScript thread ${fmt(jsRatio, 2)}x), ${fmt(rate / 1000)}k msgs/s`,
    );
    reportRow({
      bench: 'e2e',
      label: `drain ${DRAIN}: ${label}`,
      value: us,
      unit: 'µs/msg',
      ratio,
      note: `${fmt(rate / 1000)}k msgs/s wall; range ${spread(rs.map((r) => r.cpuUs / DRAIN))} over ${rs.length}; JavaScript thread ${fmt(jsRatio, 2)}x`,
    });
  }
}
if (notes.length > 0) console.log(`e2e: ${notes.join('; ')}`);
if (problems.length > 0) {
  console.error(`e2e problems: ${problems.join('; ')}`);
  process.exitCode = 1;
}
