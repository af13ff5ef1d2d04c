/**
 * One process of the in-process MUC benchmark (`muc.bench.ts` starts a fresh one per case and
 * repetition, so pass 1 is cold): xmuc's real `NativeConnection` and `StreamParser` over an
 * in-memory transport (`memory-transport.ts`), server XML scaled up from captured Prosody
 * stanzas (`muc-stream.ts`), fed as 64 KiB reads with an event-loop turn between reads.
 * Prints one `RESULT {json}` line per measured pass.
 *
 * Usage: `node --expose-gc --import tsx bench/muc-worker.ts CASE ARGS...`
 * - `join N PASSES`: join a room of N occupants + 20 history messages, to the subject; then leave.
 * - `floor N PASSES`: the same stream through the connection only (a handler counts stanzas).
 * - `messages M PASSES`: in a joined room of 500 occupants, M live groupchat messages per pass.
 * - `plain-messages M PASSES`: the same from a room without an archive (no stanza-id, no occupant-id).
 * - `churn J PASSES`: in a joined room of 500 occupants, J occupants join and leave per pass
 *   (2J presences, new nicks each pass).
 * - `rooms R K`: join R rooms of K occupants each at once (R x K occupants in all).
 * Env `BENCH_CPU_PROFILE=file.cpuprofile` profiles pass 1 (the cold pass) only; with
 * `BENCH_PROFILE_PASS=N`, pass N instead (a warm pass when N >= 3); `BENCH_ALLOC_PROFILE=file.heapprofile`
 * samples that pass's heap allocations (see `alloc-summary.ts`). `BENCH_PERF_WINDOW` reports
 * each pass's window for `perf` (see `reportPerfWindow`; the label is the pass number).
 * `BENCH_MARK_WINDOW=1` prints `@@WINDOW START` and `@@WINDOW END` on stdout around each measured
 * pass, to cut V8's `--trace-opt` / `--trace-deopt` output (also on stdout) to the window.
 * `BENCH_NO_GC=1`: no forced GC around the passes, so no heap figures (reported as null), but
 * warm passes that are warm: a full GC between passes collects the hidden classes of the last
 * pass's stanzas (nothing keeps such a stanza alive), and the next pass then finds its
 * optimised code for those classes gone and compiles it again (about 50 ms of TurboFan per join
 * of 2 000; see docs/benchmarks.md).
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { Element } from 'ltx';
import { MucClient, type Room, RoomState } from '../src/index.js';
import {
  type ThreadCpu,
  cpuSince,
  gc,
  reportPerfWindow,
  startAllocationProfile,
  startCpuProfile,
  threadCpu,
  threadCpuSince,
} from './harness.js';
import { attrOf, connectInMemory, type MemoryServer } from './memory-transport.js';
import {
  SELF_JID,
  SELF_NICK,
  SERVICE,
  groupchat,
  joinAnswer,
  nickOf,
  occupantPresence,
  occupantUnavailable,
  readsOf,
  selfUnavailable,
  toReads,
} from './muc-stream.js';

/** What one measured pass reports. */
export interface PassResult {
  case: string;
  pass: number;
  /** Stanzas fed during the measurement. */
  stanzas: number;
  /** Room events emitted during the measurement. */
  events: number;
  cpuUs: number;
  /** CPU µs of the JavaScript thread and of all others (V8's compiler and GC workers, ...), where Linux's `/proc` tells. */
  threadsUs: ThreadCpu;
  wallMs: number;
  /** Heap after GC minus heap after GC before the pass (KiB). */
  retainedKB: number;
  /** Heap after GC at the end of the pass (KiB). */
  heapKB: number;
  /** Occupants / rooms the retained heap is spread over. */
  occupants?: number;
  rooms?: number;
  /** join: heap after GC once the room was left, minus before the pass (KiB); ~0 unless something leaks. */
  afterLeaveKB?: number;
  /** Of `retainedKB`, V8's code space (compiled code; bytecode and type feedback are in the old space). */
  codeKB: number;
}

const HISTORY = 20;
/** Pause before each measured pass (see `measure`). */
const SETTLE_MS = 150;
/** Mark each measured window on stdout (env `BENCH_MARK_WINDOW=1`). */
const MARK_WINDOW = process.env.BENCH_MARK_WINDOW === '1';
const BASE_OCCUPANTS = 500;
const EVENTS = ['enter', 'join', 'leave', 'message', 'topicChanged', 'stateChanged', 'presenceChanged'] as const;

const heapKB = () => process.memoryUsage().heapUsed / 1024;
const codeKB = () =>
  getHeapSpaceStatistics()
    .filter((s) => s.space_name.startsWith('code_'))
    .reduce((sum, s) => sum + s.space_used_size, 0) / 1024;
const report = (r: PassResult) => process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);

interface Env {
  server: MemoryServer;
  muc: MucClient;
  counter: { n: number };
}

async function setup(): Promise<Env> {
  const { connection, server } = await connectInMemory(SELF_JID);
  const muc = new MucClient(connection, { historyTimeoutMs: 0 });
  // Answer a leave with our unavailable self-presence, on the next turn (as a server would).
  server.onStanza = (xml) => {
    if (!xml.startsWith('<presence') || attrOf(xml, 'type') !== 'unavailable') return;
    const to = attrOf(xml, 'to') ?? '';
    const slash = to.indexOf('/');
    setImmediate(() => server.push(selfUnavailable(to.slice(0, slash), SELF_JID, to.slice(slash + 1))));
  };
  return { server, muc, counter: { n: 0 } };
}

function countEvents(room: Room, counter: { n: number }): void {
  for (const e of EVENTS) room.on(e, () => void counter.n++);
}

function whenActive(room: Room): Promise<void> {
  return new Promise((resolve) => {
    if (room.state === RoomState.ACTIVE) resolve();
    const off = room.on('stateChanged', ({ state }) => {
      if (state !== RoomState.ACTIVE) return;
      off();
      resolve();
    });
  });
}

/** Join `jid` (its answer already built as `reads`), wait for the subject. */
async function joinRoom(env: Env, jid: string, reads: Buffer[]): Promise<Room> {
  const { room, joined } = env.muc.join(jid, SELF_NICK, { history: { maxStanzas: HISTORY } });
  countEvents(room, env.counter);
  const active = whenActive(room);
  await env.server.pushAll(reads);
  await joined;
  await active;
  return room;
}

const NO_GC = process.env.BENCH_NO_GC === '1';

/** A full GC, unless `BENCH_NO_GC=1`; returns whether it ran. */
function forcedGc(): boolean {
  return NO_GC ? false : gc();
}

async function measure(
  name: string,
  pass: number,
  stanzas: number,
  env: Env | undefined,
  work: () => Promise<void>,
  extra: Partial<PassResult> = {},
  /** Runs after the pass is measured, before it is reported; `heapSinceStart()` is heap after GC minus before the pass (KiB). */
  after?: (r: PassResult, heapSinceStart: () => number) => Promise<void>,
): Promise<void> {
  // Let V8's background compiler finish the jobs of what ran before (building the stream): on a
  // cold pass they would otherwise land in the window and count as the library's.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  forcedGc();
  const heap0 = heapKB();
  const code0 = codeKB();
  if (env) env.counter.n = 0;
  const profiled = pass === Number(process.env.BENCH_PROFILE_PASS ?? 1);
  const stop = await startCpuProfile(profiled);
  const stopAllocations = await startAllocationProfile(profiled);
  if (MARK_WINDOW) process.stdout.write('@@WINDOW START\n');
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const mono0 = process.hrtime.bigint();
  await work();
  if (MARK_WINDOW) process.stdout.write('@@WINDOW END\n');
  reportPerfWindow(String(pass), mono0);
  const cpuUs = cpuSince(cpu0);
  const threadsUs = threadCpuSince(threads0);
  const wallMs = performance.now() - t0;
  await stop();
  await stopAllocations();
  const events = env?.counter.n ?? 0;
  const collected = forcedGc();
  const heap1 = collected ? heapKB() : Number.NaN;
  const result: PassResult = {
    case: name,
    pass,
    stanzas,
    events,
    cpuUs,
    threadsUs,
    wallMs,
    retainedKB: heap1 - heap0,
    codeKB: collected ? codeKB() - code0 : Number.NaN,
    heapKB: heap1,
    ...extra,
  };
  if (after) {
    await after(result, () => (forcedGc() ? heapKB() - heap0 : Number.NaN));
  }
  report(result);
}

async function join(n: number, passes: number): Promise<void> {
  const env = await setup();
  for (let pass = 1; pass <= passes; pass++) {
    const jid = `join${n}-${pass}@${SERVICE}`;
    const reads = toReads(joinAnswer(jid, n, HISTORY));
    let room: Room | undefined;
    await measure(
      `join ${n}`,
      pass,
      n + HISTORY + 2,
      env,
      async () => {
        room = await joinRoom(env, jid, reads);
      },
      { occupants: n },
      async (r, heapSinceStart) => {
        await room!.leave({ timeoutMs: 10_000 });
        room = undefined;
        r.afterLeaveKB = heapSinceStart();
      },
    );
  }
}

async function floor(n: number, passes: number): Promise<void> {
  const { connection, server } = await connectInMemory(SELF_JID);
  for (let pass = 1; pass <= passes; pass++) {
    const jid = `join${n}-${pass}@${SERVICE}`;
    const reads = toReads(joinAnswer(jid, n, HISTORY));
    await measure(`floor ${n}`, pass, n + HISTORY + 2, undefined, async () => {
      let count = 0;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const off = connection.addHandler((el) => {
        const from = el.attrs.from as string | undefined;
        if (!from?.startsWith(jid)) return false;
        count++;
        if (el.name === 'message' && el.getChild('subject')) done();
        return true;
      });
      const x = new Element('x', { xmlns: 'http://jabber.org/protocol/muc' }).c('history', { maxstanzas: String(HISTORY) }).up();
      await connection.send(new Element('presence', { to: `${jid}/${SELF_NICK}` }).cnode(x).up());
      await server.pushAll(reads);
      await finished;
      off();
      if (count !== n + HISTORY + 2) throw new Error(`floor: ${count} stanzas`);
    });
  }
}

async function joinedBase(env: Env, jid: string): Promise<Room> {
  return joinRoom(env, jid, toReads(joinAnswer(jid, BASE_OCCUPANTS, HISTORY)));
}

async function messages(m: number, passes: number, archived = true): Promise<void> {
  const env = await setup();
  const jid = `messages@${SERVICE}`;
  const room = await joinedBase(env, jid);
  let got = 0;
  let done: (() => void) | undefined;
  room.on('message', () => {
    if (++got === m) done?.();
  });
  for (let pass = 1; pass <= passes; pass++) {
    const reads = readsOf(m, (i) => groupchat(jid, nickOf((i * 7) % BASE_OCCUPANTS), pass * m + i, undefined, SELF_JID, archived));
    got = 0;
    await measure(`${archived ? '' : 'plain-'}messages ${m}`, pass, m, env, async () => {
      const finished = new Promise<void>((r) => (done = r));
      await env.server.pushAll(reads);
      await finished;
    });
  }
}

async function churn(j: number, passes: number): Promise<void> {
  const env = await setup();
  const jid = `churn@${SERVICE}`;
  const room = await joinedBase(env, jid);
  const window = 100;
  const before = room.members.length;
  for (let pass = 1; pass <= passes; pass++) {
    // Step i: occupant i joins (while i < j), occupant i - window leaves (once i >= window); new nicks each pass.
    const nick = (i: number) => `churn${pass}-${i}`;
    const pieces = (i: number): string => {
      let s = i < j ? occupantPresence(jid, nick(i), BASE_OCCUPANTS + i) : '';
      if (i >= window) s += occupantUnavailable(jid, nick(i - window), BASE_OCCUPANTS + i - window);
      return s;
    };
    const reads = readsOf(j + window, pieces);
    await measure(`churn ${j}`, pass, 2 * j, env, async () => {
      await env.server.pushAll(reads);
    });
    if (room.members.length !== before) throw new Error(`churn: ${room.members.length} members, expected ${before}`);
  }
}

async function rooms(r: number, k: number): Promise<void> {
  const env = await setup();
  const jids = Array.from({ length: r }, (_, i) => `multi${i}@${SERVICE}`);
  const reads = readsOf(r, (i) => joinAnswer(jids[i]!, k, 0, `u${i}-`));
  await measure(
    `rooms ${r}x${k}`,
    1,
    r * (k + 2),
    env,
    async () => {
      const all: Promise<void>[] = [];
      for (const jid of jids) {
        const { room, joined } = env.muc.join(jid, SELF_NICK);
        countEvents(room, env.counter);
        all.push(joined, whenActive(room));
      }
      await env.server.pushAll(reads);
      await Promise.all(all);
    },
    { occupants: r * k, rooms: r },
  );
}

const [which, a = '0', b = '1'] = process.argv.slice(2);
const A = Number(a);
const B = Number(b);
const run: Record<string, () => Promise<void>> = {
  join: () => join(A, B),
  floor: () => floor(A, B),
  messages: () => messages(A, B),
  'plain-messages': () => messages(A, B, false),
  churn: () => churn(A, B),
  rooms: () => rooms(A, B),
};
const fn = run[which ?? ''];
if (!fn) {
  process.stderr.write(`usage: muc-worker.ts join|floor|messages|plain-messages|churn|rooms ARGS (got ${String(which)})\n`);
  process.exit(2);
}
fn().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`muc-worker ${which} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
