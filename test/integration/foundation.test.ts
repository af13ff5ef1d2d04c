/**
 * The xmpp.js adapter against real servers (Prosody and ejabberd from the global setup):
 * session, raw IQ through request(), a MUC join with a raw presence, groupchat reflection,
 * stanza errors, a forced socket drop that resumes (XEP-0198) without a new session, and a
 * 300 KB multi-script body that arrives byte-identical (UTF-8 split across TCP reads, M1).
 */
import { Element } from 'ltx';
import { afterEach, expect, it } from 'vitest';
import type { ConnectionEvents } from '../../src/core/connection.js';
import { StanzaError } from '../../src/core/errors.js';
import { NS } from '../../src/core/namespaces.js';
import { fromXmppJs, type XmppJsConnection } from '../../src/connection/xmppjs/adapter.js';
import { describeEachServer, type ServerInfo } from '../support/servers.js';
import { createXmppJsClient, type TestXmppClient } from '../support/xmppjs-client.js';
import { within } from '../support/within.js';

const WAIT_MS = 15_000;

interface Session {
  xmpp: TestXmppClient;
  conn: XmppJsConnection;
  /** Adapter lifecycle events in order. */
  log: string[];
}

const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) {
    if (s.xmpp.status === 'online')
      await bounded(
        s.xmpp.stop().then(() => undefined),
        5000,
        'stop',
      ).catch(() => {});
    s.conn.dispose();
    s.xmpp.reconnect.stop();
    s.xmpp.socket?.destroy?.();
  }
});

const bounded = within;

async function connect(server: ServerInfo, user: string): Promise<Session> {
  const account = server.users.find((u) => u.name === user)!;
  const xmpp = createXmppJsClient({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: server.domain,
    username: account.name,
    password: account.password,
  });
  xmpp.on('error', () => {});
  const conn = fromXmppJs(xmpp, { reconnectBaseMs: 400 });
  const log: string[] = [];
  conn.events.on('established', ({ jid }) => log.push(`established:${jid.bare().toString()}`));
  conn.events.on('destroyed', ({ willReconnect }) => log.push(`destroyed:${willReconnect}`));
  const session = { xmpp, conn, log };
  sessions.push(session);
  const established = conn.events.waitFor('established', { timeoutMs: WAIT_MS });
  await bounded(xmpp.start(), WAIT_MS, `${user} start`);
  await established;
  return session;
}

function waitStanza(conn: XmppJsConnection, filter: (s: Element) => boolean): Promise<Element> {
  return conn.events
    .waitFor('stanza', { timeoutMs: WAIT_MS, filter: (p: ConnectionEvents['stanza']) => filter(p.stanza) })
    .then((p) => p.stanza);
}

const statusCodes = (presence: Element): number[] =>
  (presence.getChild('x', NS.MUC_USER)?.getChildren('status') ?? []).map((s) => Number(s.attrs.code));

/** Join `room` as `nick` with a raw presence; submit the instant-room form when the room is new. */
async function join(s: Session, room: string, nick: string): Promise<Element> {
  const self = waitStanza(s.conn, (p) => p.name === 'presence' && p.attrs.from === `${room}/${nick}` && statusCodes(p).includes(110));
  await s.conn.send(new Element('presence', { to: `${room}/${nick}` }).c('x', { xmlns: NS.MUC }).up());
  const presence = await self;
  if (statusCodes(presence).includes(201)) {
    await s.conn.request(
      new Element('iq', { type: 'set', to: room })
        .c('query', { xmlns: NS.MUC_OWNER })
        .c('x', { xmlns: NS.DATA_FORMS, type: 'submit' })
        .up()
        .up(),
      { timeoutMs: WAIT_MS },
    );
  }
  return presence;
}

function groupchat(room: string, id: string, body: string): Element {
  return new Element('message', { to: room, type: 'groupchat', id }).c('body').t(body).up();
}

const reflectionOf = (room: string, nick: string, id: string) => (m: Element) =>
  m.name === 'message' && m.attrs.type === 'groupchat' && m.attrs.from === `${room}/${nick}` && m.attrs.id === id;

const uniqueRoom = (server: ServerInfo, tag: string) =>
  `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;

describeEachServer('xmpp.js adapter foundation', (server) => {
  it('establishes a session and queries the MUC service with a raw disco#info IQ', async () => {
    const alice = await connect(server, 'alice');
    expect(alice.log).toEqual(['established:alice@localhost']);
    expect(alice.conn.status).toBe('online');
    const reply = await alice.conn.request(
      new Element('iq', { type: 'get', to: server.mucDomain }).c('query', { xmlns: NS.DISCO_INFO }).up(),
      { timeoutMs: WAIT_MS },
    );
    expect(reply.attrs.type).toBe('result');
    expect(reply.attrs.from).toBe(server.mucDomain);
    const query = reply.getChild('query', NS.DISCO_INFO)!;
    expect(query.getChildren('identity').some((i) => i.attrs.category === 'conference')).toBe(true);
    expect(query.getChildren('feature').some((f) => f.attrs.var === NS.MUC)).toBe(true);
  });

  it('joins a room with a raw presence (status 110) and sees its groupchat reflected', async () => {
    const alice = await connect(server, 'alice');
    const room = uniqueRoom(server, 'join');
    const self = await join(alice, room, 'alice');
    expect(statusCodes(self)).toContain(110);
    const reflected = waitStanza(alice.conn, reflectionOf(room, 'alice', 'g1'));
    await alice.conn.send(groupchat(room, 'g1', 'hello room'));
    expect((await reflected).getChildText('body')).toBe('hello room');
  });

  it('maps an IQ error to StanzaError (disco#info of a room that does not exist)', async () => {
    const alice = await connect(server, 'alice');
    const error = await alice.conn
      .request(new Element('iq', { type: 'get', to: uniqueRoom(server, 'nope') }).c('query', { xmlns: NS.DISCO_INFO }).up(), {
        timeoutMs: WAIT_MS,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StanzaError);
    expect((error as StanzaError).condition).toBe('item-not-found');
    expect((error as StanzaError).type).toBe('cancel');
  });

  it('resumes after a forced socket drop: no new session, a message sent during the drop is delivered', async () => {
    const alice = await connect(server, 'alice');
    const bob = await connect(server, 'bob');
    const room = uniqueRoom(server, 'drop');
    await join(alice, room, 'alice');
    await join(bob, room, 'bob');
    expect(alice.xmpp.streamManagement.enabled).toBe(true);
    const atBob = waitStanza(bob.conn, reflectionOf(room, 'alice', 'during-drop'));
    const atAlice = waitStanza(alice.conn, reflectionOf(room, 'alice', 'during-drop'));
    alice.xmpp.socket!.destroy!();
    await alice.conn.send(groupchat(room, 'during-drop', 'sent while the socket was dead'));
    expect((await atAlice).getChildText('body')).toBe('sent while the socket was dead');
    expect((await atBob).getChildText('body')).toBe('sent while the socket was dead');
    expect(alice.conn.status).toBe('online');
    expect(alice.log).toEqual(['established:alice@localhost']);
    // Still an occupant: the room reflects a message sent after the resumption.
    const again = waitStanza(alice.conn, reflectionOf(room, 'alice', 'after'));
    await alice.conn.send(groupchat(room, 'after', 'still here'));
    expect((await again).getChildText('body')).toBe('still here');
  });

  it('M1: a 300 KB body of mixed scripts and emoji comes back byte-identical', async () => {
    const alice = await connect(server, 'alice');
    const room = uniqueRoom(server, 'utf8');
    await join(alice, room, 'alice');
    const unit = 'é😀ü漢字ß Привет مرحبا 👩‍👩‍👧 नमस्ते 🎉 ';
    const body = unit.repeat(Math.ceil((300 * 1024) / Buffer.byteLength(unit, 'utf8')));
    expect(Buffer.byteLength(body, 'utf8')).toBeGreaterThanOrEqual(300 * 1024);
    const reflected = waitStanza(alice.conn, reflectionOf(room, 'alice', 'big'));
    await alice.conn.send(groupchat(room, 'big', body));
    const got = (await reflected).getChildText('body') ?? '';
    expect(got.includes('\uFFFD')).toBe(false);
    expect(Buffer.from(got, 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
  });
});
