/**
 * One measured client of the end-to-end benchmark, in its own process (fresh, so the join is
 * cold, and only its own CPU counts). Connects anonymously to the bench's Prosody, then:
 * - `join`: joins ROOM (filled by the load generator) asking for 20 history messages, and
 *   measures its CPU (`process.cpuUsage()`, user+sys) from just before the join to the
 *   subject (the end of the join). Prints `RESULT {...}` and exits.
 * - `drain`: joins ROOM (no history), prints `READY` and waits: the parent stops it
 *   (SIGSTOP), has N groupchat messages sent to the room, continues it (SIGCONT). Prints
 *   `RESULT {...}` with its CPU from READY to the Nth message.
 *
 * Kinds: `xmppjs` (bare `@xmpp/client`: sends the join presence itself and counts stanzas;
 * the floor), `native` (xmuc `connect()` + `MucClient`), `adapter` (`@xmpp/client` wrapped by
 * `fromXmppJs()` + `MucClient`), `native-ws` (xmuc `connect()` over RFC 7395 WebSocket +
 * `MucClient`), `stanza` (StanzaJS 12 with its MUC plugin; WebSocket, its only transport in
 * Node). Every library runs with its defaults (XEP-0198 where it enables it), no reconnect.
 *
 * Usage: `node --import tsx bench/e2e-client.ts MODE KIND ENDPOINTS_JSON ROOM NICK [N]`.
 */
import { Element } from 'ltx';
import { type GcPauses, type ThreadCpu, reportPerfWindow, startCpuProfile, threadCpu, threadCpuSince, watchGc } from './harness.js';
import { MucClient, RoomState, connect, fromXmppJs, type Room, type XmppConnection } from '../src/index.js';

/** The client kinds. */
export type E2eKind = 'xmppjs' | 'native' | 'adapter' | 'native-ws' | 'stanza';

/** Where the server listens. */
export interface Endpoints {
  /** `xmpp://127.0.0.1:PORT` */
  tcp: string;
  /** `ws://127.0.0.1:PORT/xmpp-websocket` */
  ws: string;
  /** The anonymous virtual host. */
  domain: string;
}

/** What a measured client reports. */
export interface E2eResult {
  kind: E2eKind;
  mode: 'join' | 'drain';
  cpuUs: number;
  /** `cpuUs` split by thread (Linux only): the JavaScript thread, all others (V8's compiler and GC workers, tsx's loader). */
  threadsUs?: ThreadCpu;
  /** The garbage collections in the window (they run on the JavaScript thread, helped by others). */
  gc?: GcPauses;
  wallMs: number;
  /** Occupants seen (join) or messages received (drain). */
  count: number;
}

interface Subject {
  /** Join; resolves at the subject. Returns the number of occupants seen. */
  join(room: string, nick: string, maxStanzas: number): Promise<number>;
  /** Count the room's groupchat messages with a body (after the join). */
  onMessage(fn: () => void): void;
  close(): Promise<void>;
}

const [mode, kind, endpointsJson, ROOM, NICK, nArg] = process.argv.slice(2) as [
  'join' | 'drain',
  E2eKind,
  string,
  string,
  string,
  string | undefined,
];
const ep = JSON.parse(endpointsJson) as Endpoints;
const HISTORY = 20;
/** Wall time, stopped time included (a drain client may wait stopped while the others drain). */
const HARD_LIMIT_MS = 420_000;
setTimeout(() => {
  process.stderr.write(`e2e-client ${kind} ${mode}: ${HARD_LIMIT_MS} ms limit reached\n`);
  process.exit(3);
}, HARD_LIMIT_MS).unref();

interface XmppJsClient {
  on(event: string, fn: (...args: never[]) => void): void;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: Element): Promise<unknown>;
  reconnect: { stop(): void };
}

async function xmppJs(): Promise<XmppJsClient> {
  // @ts-expect-error @xmpp/client ships no type declarations
  const { client } = (await import('@xmpp/client')) as { client: (o: object) => XmppJsClient };
  const xmpp = client({ service: ep.tcp, domain: ep.domain });
  xmpp.reconnect.stop();
  xmpp.on('error', (e: unknown) => {
    trace(`error ${String(e)}`);
    markLost(String(e));
  });
  xmpp.on('status', (s: unknown) => {
    trace(`status ${String(s)}`);
    if (s === 'disconnect' || s === 'offline') markLost(`status ${String(s)}`);
  });
  return xmpp;
}

/**
 * Why the client's connection went away before the measurement, if it did (xmpp.js and StanzaJS
 * kinds). xmpp.js 0.14 sometimes acknowledges fewer stanzas than it did before right after
 * enabling XEP-0198, and Prosody then closes the stream ("Client acknowledged less stanzas than
 * already acknowledged"): such a client must not say READY.
 */
let lost: string | undefined;
let onLost: (why: string) => void = () => {};
/** Rejects once the connection is lost (see `lost`). */
const lostPromise = new Promise<never>((_, reject) => {
  onLost = (why) => reject(new Error(`connection lost (${why})`));
});
lostPromise.catch(() => {});
/** Record that the connection went away (the first reason wins). */
function markLost(why: string): void {
  if (lost !== undefined) return;
  lost = why;
  onLost(why);
}

/** E2E_TRACE=1: what the client's connection does, on stderr (shown when a measurement fails). */
function trace(what: string): void {
  if (process.env.E2E_TRACE === '1') process.stderr.write(`[${(performance.now() / 1000).toFixed(2)} s] ${what}\n`);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** xmuc's MucClient over any connection. */
function mucSubject(conn: XmppConnection, close: () => Promise<void>): Subject {
  conn.events.on('destroyed', ({ reason }) => {
    trace(`destroyed ${String(reason)}`);
    markLost(`session destroyed (${String(reason)})`);
  });
  const muc = new MucClient(conn);
  let room: Room | undefined;
  const counters: (() => void)[] = [];
  return {
    async join(jid, nick, maxStanzas) {
      const r = muc.join(jid, nick, { history: { maxStanzas }, timeoutMs: 60_000 });
      room = r.room;
      const active = new Promise<void>((resolve) => {
        const off = r.room.on('stateChanged', ({ state }) => {
          if (state === RoomState.ACTIVE) {
            off();
            resolve();
          }
        });
      });
      await r.joined;
      await active;
      r.room.on('message', ({ message }) => {
        if (message.body.any() !== undefined) for (const c of counters) c();
      });
      return r.room.members.length;
    },
    onMessage: (fn) => void counters.push(fn),
    async close() {
      await room?.leave({ timeoutMs: 5000 }).catch(() => {});
      await muc.close();
      await close();
    },
  };
}

async function subject(): Promise<Subject> {
  switch (kind) {
    case 'xmppjs': {
      const xmpp = await xmppJs();
      let onStanza: ((el: Element) => void) | undefined;
      const counters: (() => void)[] = [];
      let room = '';
      xmpp.on('stanza', (el: Element) => {
        onStanza?.(el);
        if (el.name === 'message' && el.attrs.type === 'groupchat' && el.getChild('body')) for (const c of counters) c();
      });
      await xmpp.start();
      return {
        async join(jid, nick, maxStanzas) {
          room = jid;
          let presences = 0;
          const done = new Promise<void>((resolve) => {
            onStanza = (el) => {
              const from = String(el.attrs.from ?? '');
              if (!from.startsWith(room)) return;
              if (el.name === 'presence') presences++;
              else if (el.name === 'message' && el.getChild('subject')) {
                onStanza = undefined;
                resolve();
              }
            };
          });
          const x = new Element('x', { xmlns: 'http://jabber.org/protocol/muc' }).c('history', { maxstanzas: String(maxStanzas) }).up();
          await xmpp.send(new Element('presence', { to: `${jid}/${nick}` }).cnode(x).up());
          await done;
          return presences;
        },
        onMessage: (fn) => void counters.push(fn),
        close: async () => {
          await xmpp.send(new Element('presence', { to: `${room}/${NICK}`, type: 'unavailable' })).catch(() => {});
          await withTimeout(xmpp.stop(), 5000, 'xmpp.stop').catch(() => {});
        },
      };
    }
    case 'adapter': {
      const xmpp = await xmppJs();
      const conn = fromXmppJs(xmpp as never, { pingIntervalMs: 0 });
      const online = conn.events.waitFor('established', { timeoutMs: 30_000 });
      await xmpp.start();
      await online;
      return mucSubject(conn, async () => {
        conn.dispose();
        await withTimeout(xmpp.stop(), 5000, 'xmpp.stop').catch(() => {});
      });
    }
    case 'native':
    case 'native-ws': {
      const conn = await connect({
        service: kind === 'native' ? ep.tcp : ep.ws,
        domain: ep.domain,
        allowPlaintext: true,
        reconnect: false,
      });
      return mucSubject(conn, () => conn.close());
    }
    case 'stanza': {
      const XMPP = await import('stanza');
      const client = XMPP.createClient({ jid: ep.domain, server: ep.domain, transports: { websocket: ep.ws, bosh: false } });
      const counters: (() => void)[] = [];
      let room = '';
      client.on('groupchat', (msg) => {
        if (msg.body !== undefined) for (const c of counters) c();
      });
      const started = new Promise<void>((resolve, reject) => {
        client.once('session:started', () => resolve());
        client.once('auth:failed', () => reject(new Error('stanza: auth failed')));
      });
      client.on('disconnected', () => {
        trace('disconnected');
        markLost('disconnected');
      });
      client.on('stream:error', (e: unknown) => {
        trace(`stream:error ${JSON.stringify(e)}`);
        markLost(`stream error ${JSON.stringify(e)}`);
      });
      client.connect();
      await withTimeout(started, 30_000, 'stanza connect');
      return {
        async join(jid, nick, maxStanzas) {
          room = jid;
          let presences = 0;
          const onAvailable = (p: { from: string }) => {
            if (p.from.startsWith(`${jid}/`)) presences++;
          };
          client.on('muc:available', onAvailable);
          const topic = new Promise<void>((resolve) => {
            const onTopic = (t: { room: string }) => {
              if (t.room !== jid) return;
              client.off('muc:topic', onTopic);
              resolve();
            };
            client.on('muc:topic', onTopic);
          });
          await client.joinRoom(jid, nick, { muc: { type: 'join', history: { maxStanzas } } });
          await topic;
          client.off('muc:available', onAvailable);
          return presences;
        },
        onMessage: (fn) => void counters.push(fn),
        async close() {
          await withTimeout(client.leaveRoom(room, NICK), 5000, 'leaveRoom').catch(() => {});
          const ended = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
          client.disconnect();
          await withTimeout(ended, 5000, 'stanza disconnect').catch(() => {});
        },
      };
    }
    default:
      throw new Error(`unknown kind ${String(kind)}`);
  }
}

function emit(r: E2eResult): void {
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
}

/**
 * `BENCH_E2E_V8_FLAGS='--trace-gc --trace-opt ...'`: V8 flags switched on at the start of the
 * measured window (not before: the connection and the tsx loader stay out of the trace), the
 * window marked `@@WINDOW START` / `@@WINDOW END` on stdout, where V8 traces go too. Keep the
 * output with `BENCH_E2E_STDOUT_DIR` (e2e.bench.ts). The flags cost CPU: not for measuring.
 */
async function traceWindow(): Promise<() => void> {
  const flags = process.env.BENCH_E2E_V8_FLAGS;
  if (!flags) return () => {};
  (await import('node:v8')).setFlagsFromString(flags);
  process.stdout.write('@@WINDOW START\n');
  return () => process.stdout.write('@@WINDOW END\n');
}

async function main(): Promise<void> {
  const s = await subject();
  // BENCH_CPU_PROFILE=PREFIX: a V8 CPU profile of the measured window, to PREFIX-KIND-MODE.cpuprofile.
  const prefix = process.env.BENCH_CPU_PROFILE;
  const profileFile = prefix ? `${prefix}-${kind}-${mode}.cpuprofile` : undefined;
  if (mode === 'join') {
    const stopProfile = await startCpuProfile(true, profileFile);
    const stopGc = watchGc();
    const endTrace = await traceWindow();
    const threads0 = threadCpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const mono0 = process.hrtime.bigint();
    const count = await withTimeout(Promise.race([s.join(ROOM, NICK, HISTORY), lostPromise]), 90_000, 'join');
    endTrace();
    reportPerfWindow(`${kind}-join`, mono0);
    const d = process.cpuUsage(cpu0);
    const threadsUs = threadCpuSince(threads0);
    const wallMs = performance.now() - t0;
    await stopProfile();
    emit({ kind, mode, cpuUs: d.user + d.system, threadsUs, gc: await stopGc(), wallMs, count });
  } else {
    const n = Number(nArg);
    await withTimeout(Promise.race([s.join(ROOM, NICK, 0), lostPromise]), 60_000, 'join');
    let got = 0;
    let t0 = 0;
    let drainStart = 0n;
    const done = new Promise<void>((resolve) => {
      s.onMessage(() => {
        if (++got === 1) {
          t0 = performance.now();
          drainStart = process.hrtime.bigint();
        }
        if (got === n) resolve();
      });
    });
    // Let the join's tail (acks, timers) settle, then sample and tell the parent to stop us.
    await new Promise((r) => setTimeout(r, 200));
    const stopProfile = await startCpuProfile(true, profileFile);
    const stopGc = watchGc();
    const endTrace = await traceWindow();
    const threads0 = threadCpu();
    const cpu0 = process.cpuUsage();
    if (lost !== undefined) throw new Error(`connection lost before READY (${lost})`);
    trace('READY');
    process.stdout.write('READY\n');
    // The parent bounds the whole run and says how long to wait (E2E_DRAIN_WAIT_MS).
    await withTimeout(Promise.race([done, lostPromise]), Number(process.env.E2E_DRAIN_WAIT_MS ?? 400_000), 'drain').catch((e: unknown) => {
      throw new Error(`${String(e)}: ${got} of ${n} messages`);
    });
    endTrace();
    // The drain's window starts at the first message (the client waited stopped before it).
    reportPerfWindow(`${kind}-drain`, drainStart);
    const d = process.cpuUsage(cpu0);
    const threadsUs = threadCpuSince(threads0);
    const wallMs = performance.now() - t0;
    await stopProfile();
    emit({ kind, mode, cpuUs: d.user + d.system, threadsUs, gc: await stopGc(), wallMs, count: got });
  }
  await withTimeout(s.close(), 10_000, 'close').catch(() => {});
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`e2e-client ${kind} ${mode} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
