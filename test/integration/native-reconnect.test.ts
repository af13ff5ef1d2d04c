/**
 * xmuc's native connection (and the xmpp.js adapter) across a real server restart, against a
 * dedicated Prosody and a dedicated ejabberd (started here, never the shared servers of the
 * global setup):
 * the socket drops, reconnect attempts back off while the server is down, the resumption is
 * refused by the restarted server (`<failed/>`), so the old session is `destroyed` and exactly
 * one new session is `established`; the MUC room is suspended, resumed and rejoined; a
 * message queued while the server was down is delivered on the new session, not lost.
 */
import { Element } from 'ltx';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restartServer, type ServerInfo, startServer, stopServer } from '../../scripts/xmpp-server/servers.js';
import { connect } from '../../src/connection/native/connect.js';
import type { NativeConnection } from '../../src/connection/native/native-connection.js';
import type { XmppConnection } from '../../src/core/connection.js';
import { type RecordingLogger, recordingLogger } from '../../src/core/logger.js';
import { fromXmppJs } from '../../src/connection/xmppjs/adapter.js';
import { MucClient, RoomState, StatusCode } from '../../src/muc/index.js';
import { createXmppJsClient } from '../support/xmppjs-client.js';
import { within } from '../support/within.js';

/** Bound of every single wait. */
const WAIT = 30_000;

function bounded<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  return within(promise, ms, what);
}

/** Room configuration making the room persistent, so it survives the restart. */
const PERSISTENT = {
  type: 'submit' as const,
  instructions: [],
  items: [],
  fields: [
    { var: 'FORM_TYPE', type: 'hidden' as const, required: false, values: ['http://jabber.org/protocol/muc#roomconfig'], options: [] },
    { var: 'muc#roomconfig_persistentroom', required: false, values: ['1'], options: [] },
  ],
};

type Transport = 'native' | 'xmppjs';

/** A connected client under test, with what the scenario needs to observe it. */
interface Client {
  conn: XmppConnection;
  logger: RecordingLogger;
  /** Only the native connection reports `undelivered`. */
  onUndelivered?: (listener: (ids: string[]) => void) => () => void;
}

const BACKOFF = { baseMs: 200, maxMs: 2000 };

async function openClient(server: ServerInfo, transport: Transport, closers: (() => Promise<unknown>)[]): Promise<Client> {
  const logger = recordingLogger();
  if (transport === 'native') {
    const native: NativeConnection = await connect({
      host: server.host,
      port: server.c2sPort,
      domain: 'localhost',
      username: 'alice',
      password: 'alicepass',
      allowPlaintext: true,
      reconnect: BACKOFF,
      keepalive: { intervalMs: 5000, timeoutMs: 5000 },
      connectTimeoutMs: 10_000,
      signal: AbortSignal.timeout(WAIT),
      logger,
    });
    closers.push(() => native.close());
    expect(native.supportsAcks).toBe(true);
    return {
      conn: native,
      logger,
      onUndelivered: (listener) => native.events.on('undelivered', ({ stanzas }) => listener(stanzas.map((s) => String(s.attrs.id)))),
    };
  }
  const xmpp = createXmppJsClient({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: 'localhost',
    username: 'alice',
    password: 'alicepass',
  });
  xmpp.on('error', () => {});
  const adapted = fromXmppJs(xmpp, {
    reconnectBaseMs: BACKOFF.baseMs,
    reconnectMaxMs: BACKOFF.maxMs,
    pingIntervalMs: 5000,
    pingTimeoutMs: 5000,
    connectTimeoutMs: 10_000,
    logger,
  });
  closers.push(async () => {
    xmpp.reconnect.stop();
    if (xmpp.status === 'online') await bounded(xmpp.stop(), 'xmpp.js stop', 5000).catch(() => undefined);
    adapted.dispose();
    xmpp.socket?.destroy?.();
  });
  const established = adapted.events.waitFor('established', { timeoutMs: WAIT });
  await bounded(xmpp.start(), 'xmpp.js start');
  await established;
  return { conn: adapted, logger };
}

/**
 * The restart scenario on one server over one transport. `restarting` receives the restart
 * (resolving to the new info, new PID) so that `afterAll` waits for it and stops the right process.
 */
async function restartScenario(
  server: ServerInfo,
  transport: Transport,
  closers: (() => Promise<unknown>)[],
  restarting: (restart: Promise<ServerInfo>) => void,
): Promise<void> {
  const t0 = Date.now();
  const { conn, logger, onUndelivered } = await openClient(server, transport, closers);
  const firstJid = conn.jid!.toString();

  // The connection's lifecycle, in order (acks apart: their interleaving is timing).
  const events: string[] = [];
  const acked: string[] = [];
  const undelivered: string[] = [];
  let destroyedReason: Error | undefined;
  const offs = [
    conn.events.on('status', ({ status }) => events.push(`status:${status}`)),
    conn.events.on('established', () => events.push('established')),
    conn.events.on('destroyed', ({ willReconnect, reason }) => {
      events.push(`destroyed:${String(willReconnect)}`);
      destroyedReason = reason;
    }),
    conn.events.on('acked', ({ stanza }) => acked.push(`${stanza.name}:${String(stanza.attrs.id)}`)),
  ];
  if (onUndelivered) {
    offs.push(
      onUndelivered((ids) => {
        events.push(`undelivered:${ids.length}`);
        undelivered.push(...ids);
      }),
    );
  }
  closers.push(async () => {
    for (const off of offs) off();
  });

  const roomJid = `restart-${transport}-${Date.now().toString(36)}@${server.mucDomain}`;
  // Groupchat reflections from the room, seen before the MucClient claims them.
  // History replayed on the rejoin (`<delay/>`) is kept apart: the rejoin asks for history
  // since the last message seen, and the servers' second-granular `since` may replay it.
  const reflected: string[] = [];
  const replayed: string[] = [];
  const reflectionWaiters = new Map<string, () => void>();
  const offObserver = conn.addHandler((s) => {
    if (s.name === 'message' && s.attrs.type === 'groupchat' && String(s.attrs.from).startsWith(`${roomJid}/`) && s.attrs.id) {
      if (s.getChild('delay', 'urn:xmpp:delay')) {
        replayed.push(String(s.attrs.id));
        return false;
      }
      reflected.push(String(s.attrs.id));
      reflectionWaiters.get(String(s.attrs.id))?.();
    }
    return false;
  });
  closers.push(async () => offObserver());
  const reflection = (id: string) =>
    bounded(
      new Promise<void>((resolve) => {
        if (reflected.includes(id)) resolve();
        else reflectionWaiters.set(id, resolve);
      }),
      `reflection of ${id}`,
    );

  const muc = new MucClient(conn);
  closers.push(() => muc.close());
  const { room, joined } = muc.join(roomJid, 'alice');
  const roomEvents: string[] = [];
  room.on('enter', ({ statusCodes }) => {
    roomEvents.push(`enter${statusCodes.has(StatusCode.CREATED) ? ':201' : ''}`);
    if (statusCodes.has(StatusCode.CREATED)) room.createConfigured(PERSISTENT).catch(() => undefined);
  });
  room.on('suspend', () => roomEvents.push('suspend'));
  room.on('resume', () => roomEvents.push('resume'));
  room.on('exit', ({ mode }) => roomEvents.push(`exit:${mode}`));
  room.on('stateChanged', ({ state }) => roomEvents.push(`state:${state}`));
  // What the application sees: no message twice, even when the service replays history.
  const roomMessages: string[] = [];
  room.on('message', ({ message }) => roomMessages.push(message.body.any() ?? ''));
  await bounded(joined, 'join');
  if (room.state !== RoomState.ACTIVE) {
    await room.waitFor('stateChanged', { timeoutMs: WAIT, filter: ({ state }) => state === RoomState.ACTIVE });
  }
  // A reflected message also proves the configuration (persistence) went through before it.
  const before = reflection('before-1');
  await room.sendMessage({ id: 'before-1', body: 'before restart' });
  await before;
  // Let the server acknowledge everything sent so far (XEP-0198 acks are cumulative), so that
  // the drop leaves nothing unacknowledged and the scenario does not depend on ack timing.
  if (!acked.includes('message:before-1')) {
    await conn.events.waitFor('acked', { timeoutMs: WAIT, filter: ({ stanza }) => stanza.attrs.id === 'before-1' });
  }
  expect(roomEvents).toEqual(['state:history', 'enter:201', 'state:active']);
  const tJoined = Date.now();

  events.length = 0;
  roomEvents.length = 0;
  const logMark = logger.records.length;
  const down = conn.events.waitFor('status', { timeoutMs: WAIT, filter: ({ status }) => status === 'disconnected' });
  const established = conn.events.waitFor('established', { timeoutMs: 2 * WAIT });
  const rejoined = room.waitFor('stateChanged', { timeoutMs: 2 * WAIT, filter: ({ state }) => state === RoomState.ACTIVE });
  const tRestart = Date.now();
  const restart = restartServer(server, { timeoutMs: 120_000 });
  restarting(restart);
  await down;
  const tDown = Date.now();
  // Sent while the server is down: queued by the connection and flushed on the new session
  // after `established` (so after the rejoin presence): the room reflects it.
  const whileDown = reflection('while-down-1');
  await conn.send(new Element('message', { to: roomJid, type: 'groupchat', id: 'while-down-1' }).c('body').t('sent while down').up());
  await bounded(restart, 'restartServer', 120_000);
  const tUp = Date.now();
  await established;
  const tEstablished = Date.now();
  await rejoined;
  await whileDown;
  const tRejoined = Date.now();

  // Backoff: several attempts while the server was down, each delay within the cap.
  const scheduled = logger.records
    .slice(logMark)
    .filter((r) => r.message === 'reconnect scheduled')
    .map((r) => Number(r.context?.delayMs ?? r.context?.delay));
  expect(scheduled.length).toBeGreaterThanOrEqual(2);
  for (const d of scheduled) expect(d).toBeGreaterThanOrEqual(0);
  for (const d of scheduled) expect(d).toBeLessThanOrEqual(BACKOFF.maxMs);
  const failedAttempts = logger.records.slice(logMark).filter((r) => r.message === 'reconnect attempt failed').length;
  expect(failedAttempts).toBe(scheduled.length - 1);

  // Resumption refused → the old session destroyed, exactly one new session.
  expect(events.filter((e) => e === 'established')).toHaveLength(1);
  expect(events.filter((e) => e.startsWith('destroyed'))).toEqual(['destroyed:true']);
  expect(events.indexOf('destroyed:true')).toBeLessThan(events.indexOf('established'));
  expect(destroyedReason?.message).toMatch(/resum/i);
  const failed = Array.from({ length: failedAttempts }, () => ['status:connecting', 'status:disconnected']).flat();
  expect(events).toEqual(['status:disconnected', ...failed, 'status:connecting', 'destroyed:true', 'status:online', 'established']);
  // Nothing silently lost: the message queued while down was delivered on the new session
  // (and never reported undelivered); nothing was unacknowledged at the drop.
  expect(undelivered).toEqual([]);
  expect(reflected).toEqual(['before-1', 'while-down-1']);
  expect(replayed.every((id) => id === 'before-1')).toBe(true);
  expect(new Set(roomMessages).size).toBe(roomMessages.length);
  expect(conn.status).toBe('online');
  expect(conn.jid?.bare().toString()).toBe('alice@localhost');
  expect(conn.jid?.toString()).not.toBe(firstJid);

  // Room: suspended at the refusal, resumed on the new session, entered again (the persistent
  // room survived the restart: no 201), active.
  expect(roomEvents).toEqual(['state:disconnected', 'suspend', 'state:join-presence', 'resume', 'state:history', 'enter', 'state:active']);
  expect(room.state).toBe(RoomState.ACTIVE);
  expect(room.me?.nick).toBe('alice');

  // A groupchat message after the rejoin is reflected.
  const after = reflection('after-1');
  await room.sendMessage({ id: 'after-1', body: 'after restart' });
  await after;

  console.log(
    `[native-reconnect ${server.kind}/${transport}] ${firstJid} -> ${conn.jid?.toString() ?? '?'}; connect+join ${tJoined - t0} ms; ` +
      `restart→drop ${tDown - tRestart} ms; restartServer ${tUp - tRestart} ms; drop→established ${tEstablished - tDown} ms; ` +
      `drop→room active+queued reflected ${tRejoined - tDown} ms; delays [${scheduled.join(', ')}]; total ${Date.now() - t0} ms\n` +
      `  connection: ${events.join(' ')}\n  destroyed reason: ${destroyedReason?.message ?? '-'}\n  room: ${roomEvents.join(' ')}\n` +
      `  acked: ${acked.join(' ')}\n  history replayed on rejoin: ${replayed.join(' ') || '-'}\n  undelivered: ${undelivered.join(' ') || '-'}`,
  );
}

for (const kind of ['prosody', 'ejabberd'] as const) {
  describe(`reconnect across a ${kind} restart`, () => {
    let info: ServerInfo | undefined;
    let restart: Promise<ServerInfo> | undefined;
    const closers: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      info = await startServer(kind, { timeoutMs: 120_000 });
    }, 150_000);

    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await bounded(close(), 'close').catch(() => undefined);
    });

    afterAll(async () => {
      // A restart still under way (a failed test) is waited for: its new PID is the one to stop.
      if (restart) info = await restart.catch(() => info);
      if (info) await stopServer(info);
    }, 200_000);

    for (const transport of ['native', 'xmppjs'] as const) {
      it(`[${transport}] server restart: reconnects with backoff, resumption refused → one new session, room rejoined, queued message delivered`, async () => {
        await restartScenario(info!, transport, closers, (p) => {
          restart = p;
          p.then(
            (next) => (info = next),
            () => undefined,
          );
        });
      }, 240_000);
    }
  });
}
