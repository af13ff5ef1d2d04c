/**
 * One client of the receive benchmark, in its own process (so that each starts cold and only
 * its own CPU is counted): connects to the replay server, then runs `passes` floods of `n`
 * groupchat messages and prints one JSON line per pass:
 * `PASS {"pass":1,"cpuUs":…,"wallMs":…,"heapBeforeKB":…,"heapAfterKB":…,"retainedKB":…}`.
 * CPU is `process.cpuUsage()` from the first to the last message received (n - 1 messages).
 *
 * Usage: `node --expose-gc --import tsx bench/receive-client.ts KIND PORT N PASSES` with KIND
 * one of `xmppjs`, `native`, `native-room`, `adapter`, `adapter-room`. Env
 * `BENCH_CPU_PROFILE=file.cpuprofile` writes a V8 CPU profile of pass `BENCH_CPU_PROFILE_PASS`
 * (default 1, the cold pass) only (read it with `bench/profile-summary.ts`).
 */
import { Element } from 'ltx';
import type { XmppConnection } from '../src/core/connection.js';
import { gc, startCpuProfile } from './harness.js';
import { ROOM, SELF_NICK } from './replay-room.js';

/** The benchmark's client kinds. */
export type ClientKind = 'xmppjs' | 'native' | 'native-room' | 'adapter' | 'adapter-room';

interface XmppJsClientLike {
  // biome-ignore lint/suspicious/noExplicitAny: xmpp.js's emitters call listeners with arguments of any type
  on(event: string, fn: (...args: any[]) => void): void;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: Element): Promise<unknown>;
  reconnect?: { stop(): void };
}

/** What every client kind provides to the pass loop. */
interface Subject {
  /** Install the per-message counter (called once). */
  onMessage(fn: () => void): void;
  /** Send the flood trigger. */
  trigger(el: Element): Promise<unknown>;
  stop(): Promise<unknown>;
}

const [kind, portArg, nArg, passesArg] = process.argv.slice(2) as [ClientKind, string, string, string];
const port = Number(portArg);
const n = Number(nArg);
const passes = Number(passesArg);
const service = `xmpp://127.0.0.1:${port}`;

async function xmppJsClient(): Promise<XmppJsClientLike> {
  // @ts-expect-error @xmpp/client ships no type declarations
  const { client } = (await import('@xmpp/client')) as { client: (o: object) => XmppJsClientLike };
  // The replay server offers PLAIN and ANONYMOUS: on a plaintext stream xmpp.js never picks
  // PLAIN (createOnAuthenticate.js), so it authenticates with ANONYMOUS here; the server
  // accepts anything, so this costs the same as PLAIN would.
  return client({ service, domain: 'localhost', username: 'bench', password: 'bench' });
}

async function subject(): Promise<Subject> {
  switch (kind) {
    case 'xmppjs': {
      const xmpp = await xmppJsClient();
      xmpp.reconnect?.stop();
      xmpp.on('error', () => {});
      const counters: (() => void)[] = [];
      xmpp.on('stanza', (el: Element) => {
        if (el.name === 'message' && el.attrs.type === 'groupchat') for (const c of counters) c();
      });
      await xmpp.start();
      return { onMessage: (fn) => counters.push(fn), trigger: (el) => xmpp.send(el), stop: () => xmpp.stop() };
    }
    case 'adapter':
    case 'adapter-room': {
      const xmpp = await xmppJsClient();
      xmpp.on('error', () => {});
      const { fromXmppJs } = await import('../src/connection/xmppjs/adapter.js');
      const conn = fromXmppJs(xmpp as never, { pingIntervalMs: 0 });
      const online = conn.events.waitFor('established', { timeoutMs: 30_000 });
      await xmpp.start();
      await online;
      if (kind === 'adapter-room') {
        return roomSubject(conn, async () => {
          conn.dispose();
          await xmpp.stop();
        });
      }
      return {
        onMessage: (fn) =>
          void conn.addHandler((el) => {
            if (el.name !== 'message' || el.attrs.type !== 'groupchat') return false;
            fn();
            return true;
          }),
        trigger: (el) => conn.send(el),
        stop: async () => {
          conn.dispose();
          await xmpp.stop();
        },
      };
    }
    case 'native':
    case 'native-room': {
      const { connect } = await import('../src/connection/index.js');
      const conn = await connect({
        service,
        domain: 'localhost',
        username: 'bench',
        password: 'bench',
        allowPlaintext: true,
        allowPlainMechanismWithoutTls: true,
        streamManagement: false,
        keepalive: false,
        reconnect: false,
      });
      if (kind === 'native') {
        return {
          onMessage: (fn) =>
            void conn.addHandler((el) => {
              if (el.name !== 'message' || el.attrs.type !== 'groupchat') return false;
              fn();
              return true;
            }),
          trigger: (el) => conn.send(el),
          stop: () => conn.close(),
        };
      }
      return roomSubject(conn, () => conn.close());
    }
    default:
      throw new Error(`unknown client kind ${String(kind)}`);
  }
}

async function roomSubject(conn: XmppConnection, close: () => Promise<void>): Promise<Subject> {
  const { MucClient } = await import('../src/muc/index.js');
  const muc = new MucClient(conn, { historyTimeoutMs: 0 });
  const { room, joined } = muc.join(ROOM, SELF_NICK, { timeoutMs: 30_000 });
  const counters: (() => void)[] = [];
  room.on('message', () => {
    for (const c of counters) c();
  });
  await joined;
  return {
    onMessage: (fn) => counters.push(fn),
    trigger: (el) => conn.send(el),
    stop: async () => {
      await muc.close();
      await close();
    },
  };
}

async function main(): Promise<void> {
  const profiledPass = Number(process.env.BENCH_CPU_PROFILE_PASS ?? 1);
  const s = await subject();
  let count = 0;
  let start: NodeJS.CpuUsage | undefined;
  let t0 = 0;
  let done: ((r: { cpuUs: number; wallMs: number; heapAfterKB: number }) => void) | undefined;
  s.onMessage(() => {
    count++;
    if (count === 1) {
      start = process.cpuUsage();
      t0 = performance.now();
    } else if (count === n) {
      const d = process.cpuUsage(start);
      const wallMs = performance.now() - t0;
      const heapAfterKB = process.memoryUsage().heapUsed / 1024;
      done?.({ cpuUs: d.user + d.system, wallMs, heapAfterKB });
    }
  });
  for (let pass = 1; pass <= passes; pass++) {
    count = 0;
    gc();
    const heapBeforeKB = process.memoryUsage().heapUsed / 1024;
    const result = new Promise<{ cpuUs: number; wallMs: number; heapAfterKB: number }>((resolve) => {
      done = resolve;
    });
    const stopProfile = await startCpuProfile(pass === profiledPass);
    await s.trigger(new Element('message', { to: 'replay@localhost', id: `flood-${pass}-${n}` }));
    const r = await result;
    await stopProfile();
    gc();
    const retainedKB = process.memoryUsage().heapUsed / 1024 - heapBeforeKB;
    process.stdout.write(`PASS ${JSON.stringify({ pass, ...r, heapBeforeKB, retainedKB })}\n`);
  }
  await s.stop();
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`receive-client ${kind} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
