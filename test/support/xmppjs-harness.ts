/** Shared set-up of the xmpp.js adapter tests: the scripted server, a real @xmpp/client, the adapter. */
import type { Element } from 'ltx';
import { FakeClock } from '../../src/core/clock.js';
import { type RecordingLogger, recordingLogger } from '../../src/core/logger.js';
import { fromXmppJs, type XmppJsAdapterOptions, type XmppJsConnection } from '../../src/connection/xmppjs/adapter.js';
import { createXmppJsClient, type TestXmppClient } from './xmppjs-client.js';
import {
  type HandshakeOptions,
  type HandshakeResult,
  type ScriptedConnection,
  type ScriptedServer,
  scriptHandshake,
  startScriptedServer,
} from './scripted-server.js';
import { within as bounded } from './within.js';

/**
 * The handshake as `@xmpp/client` 0.14 performs it without credentials: SASL ANONYMOUS, bind
 * (default JID `anon@localhost/r1`), and XEP-0198 only when `sm` is set.
 */
export function handshake(conn: ScriptedConnection, options: Omit<HandshakeOptions, 'mechanisms'> = {}): Promise<HandshakeResult> {
  return scriptHandshake(conn, { ...options, mechanisms: ['ANONYMOUS'], sm: options.sm === true });
}

/** Everything one test works with. */
export interface Harness {
  server: ScriptedServer;
  xmpp: TestXmppClient;
  conn: XmppJsConnection;
  clock: FakeClock;
  logger: RecordingLogger;
  /** Adapter events in order: `status:online`, `established:JID`, `destroyed:true`. */
  log: string[];
  /** Stanzas emitted as `stanza` (unclaimed). */
  unclaimed: Element[];
}

/** Start a scripted server and a client wrapped by the adapter (not started). */
export async function setup(
  script: (conn: ScriptedConnection, index: number) => unknown,
  options: XmppJsAdapterOptions = {},
): Promise<Harness> {
  const server = await startScriptedServer({ onConnection: script, answerClose: true });
  const xmpp = createXmppJsClient({ service: server.service, domain: 'localhost' });
  xmpp.on('error', () => {});
  const clock = new FakeClock();
  const logger = recordingLogger();
  const conn = fromXmppJs(xmpp, { clock, logger, random: () => 1, pingIntervalMs: 0, ...options });
  const log: string[] = [];
  const unclaimed: Element[] = [];
  conn.events.on('status', ({ status }) => log.push(`status:${status}`));
  conn.events.on('established', ({ jid }) => log.push(`established:${jid.toString()}`));
  conn.events.on('destroyed', ({ willReconnect }) => log.push(`destroyed:${willReconnect}`));
  conn.events.on('stanza', ({ stanza }) => unclaimed.push(stanza));
  return { server, xmpp, conn, clock, logger, log, unclaimed };
}

/** Stop the client, detach the adapter, stop the server. */
export async function teardown(h: Harness | undefined): Promise<void> {
  if (!h) return;
  if (h.xmpp.status === 'online')
    await within(
      h.xmpp.stop().catch(() => {}),
      3000,
      'client.stop()',
    ).catch(() => {});
  h.conn.dispose();
  h.xmpp.reconnect.stop();
  h.xmpp.socket?.destroy?.();
  await h.server.close();
}

/** Settle `promise` or fail after `ms` real milliseconds. */
export function within<T>(promise: Promise<T>, ms = 4000, what = 'operation'): Promise<T> {
  return bounded(promise, ms, what);
}

/** Wait (real time, bounded) until `condition()` holds. */
export async function until(condition: () => boolean, ms = 4000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Start the client and wait for the adapter's first `established`. */
export async function startAndEstablish(h: Harness): Promise<void> {
  const established = h.conn.events.waitFor('established');
  await within(h.xmpp.start(), 4000, 'client.start()');
  await within(established, 4000, 'established');
}
