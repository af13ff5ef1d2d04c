import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { recordAll, recordEvents } from '../../test/support/record-events.js';
import { ROOM, joinedRoom, setup } from '../../test/support/muc-setup.js';
import { LeaveMode, RoomState } from './constants.js';

describe('MucClient routing and hostile input', () => {
  it('leaves stanzas of other addresses to the application, even when they name a room occupant', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    const forged = [
      // Another service, same room and nick.
      `<message from="probe@conference.evil.example/alice" type="groupchat"><body>hi</body></message>`,
      // A look-alike room JID.
      `<message from="probe@conference.localhost.evil/alice" type="groupchat"><body>hi</body></message>`,
      // The room's address hidden in a resource.
      `<message from="evil@localhost/probe@conference.localhost/alice" type="groupchat"><body>hi</body></message>`,
      `<presence from="evil@localhost/probe@conference.localhost/alice" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none"/><status code="110"/><status code="307"/></x></presence>`,
      `<presence from="mallory@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="owner"/><status code="110"/></x></presence>`,
      // No from at all.
      `<message type="groupchat"><body>hi</body></message>`,
    ];
    for (const xml of forged) expect(env.conn.receive(xml), xml).toBe(false);
    expect(rec).toEqual([]);
    expect(room.members.map((m) => m.nick)).toEqual(['bob', 'alice']);
    expect(room.state).toBe(RoomState.ACTIVE);
  });

  it('routes by the normalised bare JID (case-insensitive local and domain)', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordEvents(room, ['message']);
    expect(env.conn.receive(`<message from="PROBE@Conference.LocalHost/alice" type="groupchat"><body>hi</body></message>`)).toBe(true);
    expect(rec[0]![1].member).toBe(room.getOccupant('alice'));
  });

  it("prepares the nick of a from in the room's own spelling as a full parse would, and drops a malformed one", async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordEvents(room, ['join', 'message']);
    const presence = (nick: string) =>
      `<presence from="${ROOM}/${nick}"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`;
    expect(env.conn.receive(presence('  Carol\u00a0 Ann '))).toBe(true);
    expect(env.conn.receive(presence('\uff24ave'))).toBe(true);
    expect(env.conn.receive(presence('a\u200bb'))).toBe(true); // claimed (the room's), dropped
    expect(env.conn.receive(presence(''))).toBe(true);
    expect(env.conn.receive(`<message from="${ROOM.toUpperCase()}/carol ann" type="groupchat" id="m1"><body>hi</body></message>`)).toBe(
      true,
    );
    expect(rec.map(([name, p]) => [name, p.member.nick])).toEqual([
      ['join', 'Carol Ann'],
      ['join', 'Dave'],
      ['message', 'Carol Ann'],
    ]);
    expect(room.getOccupant('CAROL ANN')?.conversationJid.toString()).toBe(`${ROOM}/Carol Ann`);
    expect(env.logger.records.filter((r) => r.message === 'stanza for a room with a malformed from: dropped')).toHaveLength(2);
  });

  it('routes repeated senders to the room currently registered (left room, then a new one)', async () => {
    const env = setup();
    const first = await joinedRoom(env);
    const recFirst = recordEvents(first, ['message']);
    const msg = (body: string) => `<message from="${ROOM}/alice" type="groupchat" id="${body}"><body>${body}</body></message>`;
    expect(env.conn.receive(msg('one'))).toBe(true);
    expect(env.conn.receive(msg('two'))).toBe(true);
    env.conn.receive(loadFixture('prosody-kick-self'));
    expect(env.conn.receive(msg('lost'))).toBe(false);
    const second = await joinedRoom(env);
    const recSecond = recordEvents(second, ['message']);
    expect(env.conn.receive(msg('three'))).toBe(true);
    expect(env.conn.receive(`<message from="${ROOM}/bob" type="groupchat" id="four"><body>four</body></message>`)).toBe(true);
    expect(env.conn.receive(msg('five'))).toBe(true);
    expect(recFirst.map(([, p]) => p.message.id)).toEqual(['one', 'two']);
    expect(recSecond.map(([, p]) => p.message.id)).toEqual(['three', 'four', 'five']);
    expect(recSecond.map(([, p]) => p.member.nick)).toEqual(['alice', 'bob', 'alice']);
  });

  it('routes consecutive occupant presences to the room currently registered (left room, then a new one)', async () => {
    const env = setup();
    const first = await joinedRoom(env);
    const recFirst = recordEvents(first, ['join']);
    const presence = (nick: string, from = ROOM) =>
      `<presence from="${from}/${nick}"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`;
    expect(env.conn.receive(presence('carol'))).toBe(true);
    expect(env.conn.receive(presence('dave', ROOM.toUpperCase()))).toBe(true);
    expect(env.conn.receive(presence('erin', `${ROOM}x`))).toBe(false);
    env.conn.receive(loadFixture('prosody-kick-self'));
    expect(env.conn.receive(presence('frank'))).toBe(false);
    const second = await joinedRoom(env);
    const recSecond = recordEvents(second, ['join']);
    expect(env.conn.receive(presence('grace'))).toBe(true);
    expect(env.conn.receive(presence('heidi'))).toBe(true);
    expect(recFirst.map(([, p]) => p.member.nick)).toEqual(['carol', 'dave']);
    expect(recSecond.map(([, p]) => p.member.nick)).toEqual(['grace', 'heidi']);
  });

  it('does not let a self-presence for another nick (forged 110) change our occupant', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.receive(
      `<presence from="probe@conference.localhost/alice" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="none"/><status code="110"/><status code="307"/></x></presence>`,
    );
    expect(rec).toEqual([]);
    expect(room.isJoined).toBe(true);
    expect(room.getOccupant('alice')).toBeDefined();
  });

  it('does not attribute a live message whose occupant id contradicts the occupant', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordEvents(room, ['message']);
    env.conn.receive(
      `<message from="probe@conference.localhost/alice" type="groupchat"><body>hi</body><occupant-id xmlns="urn:xmpp:occupant-id:0" id="someone-else"/></message>`,
    );
    const member = rec[0]![1].member;
    expect(member).not.toBe(room.getOccupant('alice'));
    expect(room.members).not.toContain(member);
  });

  it('never throws out of the handler for junk and keeps the room intact', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const junk = [
      `<presence from="probe@conference.localhost/x"><x xmlns="http://jabber.org/protocol/muc#user"><item role="bogus" affiliation="??" jid="@@@"/><status code="abc"/></x></presence>`,
      `<message from="probe@conference.localhost/alice" type="groupchat"><delay xmlns="urn:xmpp:delay" stamp="garbage"/><body>x</body></message>`,
      `<presence from="probe@conference.localhost/bob" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><status code="303"/><item nick=""/></x></presence>`,
      `<message from="probe@conference.localhost" type="error"/>`,
      `<presence from="probe@conference.localhost" type="subscribe"/>`,
    ];
    for (const xml of junk) expect(() => env.conn.receive(xml)).not.toThrow();
    expect(env.logger.records.filter((r) => r.level === 'error')).toEqual([]);
    expect(room.getOccupant('x')?.role).toBeUndefined();
  });

  it('leaves normal messages from the room that are no MUC payload to the application', async () => {
    const env = setup();
    await joinedRoom(env);
    expect(env.conn.receive(`<message from="probe@conference.localhost" to="bob@localhost/probe"><body>hi</body></message>`)).toBe(false);
  });
});

describe('MucClient lifecycle', () => {
  it('exits with DISCONNECTED when the stream is destroyed (no autorejoin)', async () => {
    const env = setup();
    const room = await joinedRoom(env, { autorejoin: false });
    const rec = recordAll(room);
    env.conn.destroy();
    expect(rec.names()).toEqual(['exit', 'stateChanged']);
    expect(rec[0]![1]).toEqual({ mode: LeaveMode.DISCONNECTED, occupant: room.me, statusCodes: new Set() });
    expect(env.muc.rooms).toEqual([]);
  });

  it('suspends and rejoins with history since the last message seen (autorejoin)', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    env.conn.receive(
      `<message from="probe@conference.localhost/alice" type="groupchat"><body>old</body><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T11:44:30Z"/></message>`,
    );
    const rec = recordAll(room);
    const me = room.me;
    env.conn.destroy();
    expect(rec.names()).toEqual(['stateChanged', 'suspend']);
    expect(room.state).toBe(RoomState.DISCONNECTED);
    expect(room.isJoined).toBe(true);
    expect(room.isActive).toBe(false);
    await expect(room.sendMessage('x')).rejects.toMatchObject({ name: 'NotJoinedError' });
    rec.clear();
    env.conn.establish();
    expect(rec.names()).toEqual(['stateChanged', 'resume']);
    expect(room.members).toEqual([]);
    // A rejoin sends its presence at once: history since the last message, less the catch-up
    // margin of 5 s (the room stamped no stanza-id: no archive assumed).
    env.conn.expectSent(
      `<presence to="probe@conference.localhost/bob" id="id2"><x xmlns="http://jabber.org/protocol/muc"><history since="2026-11-25T11:44:25Z"/></x></presence>`,
    );
    env.conn.receive(loadFixture('prosody-occupant-presence'));
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    expect(rec.names()).toEqual(['stateChanged', 'resume', 'join', 'stateChanged', 'enter']);
    expect(room.me).not.toBe(me);
    expect(room.members.map((m) => m.nick)).toEqual(['bob', 'alice']);
  });

  it('does not emit again the history a service replays after an automatic rejoin', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const live = (id: string, sid: string, body: string, delay = '') =>
      `<message from="probe@conference.localhost/alice" type="groupchat" id="${id}"><body>${body}</body>${delay}` +
      `<stanza-id xmlns="urn:xmpp:sid:0" by="probe@conference.localhost" id="${sid}"/></message>`;
    const bodies: string[] = [];
    room.on('message', ({ message, isHistory }) => bodies.push(`${isHistory ? 'history' : 'live'}:${message.body.any()}`));
    // The room stamps stanza-ids but its disco#info says it keeps no archive: history on rejoin.
    const info = room.getRoomInfo();
    env.conn.replyTo(
      env.conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#info"><feature var="http://jabber.org/protocol/muc"/></query>`,
    );
    await info;
    env.conn.receive(live('m1', 's1', 'before the outage'));
    env.conn.destroy();
    env.conn.establish();
    env.conn.takeSent();
    env.conn.receive(loadFixture('prosody-occupant-presence'));
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    const stamp = '<delay xmlns="urn:xmpp:delay" from="probe@conference.localhost" stamp="2026-11-25T11:44:30Z"/>';
    env.conn.receive(live('m1', 's1', 'before the outage', stamp));
    env.conn.receive(live('m2', 's2', 'during the outage', stamp));
    env.conn.receive(`<message from="probe@conference.localhost" type="groupchat"><subject/></message>`);
    expect(bodies).toEqual(['live:before the outage', 'history:during the outage']);
    expect(room.state).toBe(RoomState.ACTIVE);
    expect(env.logger.records.filter((r) => r.message.startsWith('history message already seen')).length).toBe(1);
  });

  it('rejoins when a new session is established without a destroyed event first', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.establish();
    expect(rec.names()).toEqual(['stateChanged', 'suspend', 'stateChanged', 'resume']);
    expect(env.conn.nextSent().attrs).toMatchObject({ to: 'probe@conference.localhost/bob' });
  });

  it('exits with mode error when an automatic rejoin is refused', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    env.conn.destroy();
    env.conn.establish();
    const rec = recordEvents(room, ['exit']);
    env.conn.receive(
      `<presence from="probe@conference.localhost/bob" type="error" id="id2"><error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
    );
    expect(rec[0]![1]).toMatchObject({ mode: LeaveMode.ERROR });
    expect(env.muc.rooms).toEqual([]);
  });

  it('finds rooms by JID and reports removals', async () => {
    const env = setup();
    const removed: string[] = [];
    env.muc.on('conversationRemoved', ({ room }) => removed.push(room.jid.toString()));
    const room = await joinedRoom(env);
    expect(env.muc.getRoom('Probe@conference.localhost')).toBe(room);
    expect(env.muc.getRoom('nope@conference.localhost')).toBeUndefined();
    expect(env.muc.getRoom('::bad::@/')).toBeUndefined();
    env.conn.receive(loadFixture('prosody-kick-self'));
    expect(removed).toEqual(['probe@conference.localhost']);
    expect(env.muc.getRoom(ROOM)).toBeUndefined();
  });

  it('close() leaves every room and removes every handler, listener and timer', async () => {
    const env = setup();
    const handlersBefore = env.conn.handlerCount - 1;
    const room = await joinedRoom(env);
    const tracker = room.sendMessageTracked('hello');
    const pending = env.muc.join('other@conference.localhost', 'bob', { timeoutMs: 10_000 });
    const nick = room.setNick('bobby');
    env.conn.takeSent();
    const rec = recordEvents(room, ['exit']);
    await env.muc.close();
    expect(rec[0]![1]).toMatchObject({ mode: LeaveMode.NORMAL });
    expect(
      env.conn
        .takeSent()
        .map((s) => s.toString())
        .sort(),
    ).toEqual([
      `<presence to="other@conference.localhost/bob" type="unavailable"/>`,
      `<presence to="probe@conference.localhost/bob" type="unavailable"/>`,
    ]);
    await expect(pending.joined).rejects.toMatchObject({ name: 'AbortError' });
    await expect(nick).rejects.toMatchObject({ name: 'NotJoinedError' });
    expect(tracker.state).toBe('aborted');
    expect(env.muc.rooms).toEqual([]);
    expect(env.conn.handlerCount).toBe(handlersBefore);
    expect(env.conn.events.listenerCount()).toBe(0);
    expect(env.clock.pending).toBe(0);
    expect(env.conn.receive(loadFixture('prosody-live-message'))).toBe(false);
    expect(() => env.muc.join(ROOM, 'bob')).toThrow();
  });
});
