import { describe, expect, it } from 'vitest';
import { setup, PROSODY_ALICE, PROSODY_BOB_SELF, EMPTY_SUBJECT, ROOM } from '../../test/support/muc-setup.js';
import type { CliEvent } from './format.js';
import { watchRoom } from './room-events.js';

const T = new Date('2026-11-25T10:00:00Z');

describe('watchRoom', () => {
  it('turns real room stanzas into the printed events, in order', async () => {
    const env = setup();
    const events: CliEvent[] = [];
    const { room, joined } = env.muc.join(ROOM, 'bob');
    const off = watchRoom(
      room,
      (e) => events.push(e),
      () => T,
    );
    env.conn.takeSent();
    env.conn.receive(PROSODY_ALICE);
    env.conn.receive(PROSODY_BOB_SELF);
    env.conn.receive(`<message from="${ROOM}/alice" type="groupchat" to="bob@localhost/probe" id="h1">
      <body>earlier</body><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T08:00:00Z" from="${ROOM}"/></message>`);
    env.conn.receive(EMPTY_SUBJECT);
    await joined;
    env.conn.receive(`<message from="${ROOM}/alice" type="groupchat" to="bob@localhost/probe" id="m1"><body>hi bob</body></message>`);
    env.conn.receive(
      `<message from="${ROOM}/alice" type="chat" to="bob@localhost/probe" id="p1"><body>psst</body><x xmlns="http://jabber.org/protocol/muc#user"/></message>`,
    );
    env.conn.receive(
      `<message from="${ROOM}/alice" type="groupchat" to="bob@localhost/probe" id="s1"><subject>Release day</subject></message>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/carol" to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="member" jid="carol@localhost/c"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/carol" to="bob@localhost/probe" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="member" nick="caz"/><status code="303"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/caz" to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="member"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/caz" to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="member"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/caz" to="bob@localhost/probe" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="member"><actor nick="alice"/><reason>spam</reason></item><status code="307"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/bob" to="bob@localhost/probe" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="none"/><status code="110"/></x></presence>`,
    );
    const base = { room: ROOM, time: T };
    expect(events).toEqual([
      { ...base, type: 'join', nick: 'alice', role: 'moderator', affiliation: 'owner', jid: undefined },
      { ...base, type: 'enter', nick: 'bob', role: 'participant', affiliation: 'none', created: false },
      {
        ...base,
        time: new Date('2026-11-25T08:00:00Z'),
        type: 'message',
        nick: 'alice',
        text: 'earlier',
        history: true,
        self: false,
        stanzaId: undefined,
        source: 'stream',
        position: '@2026-11-25T08:00:00Z',
      },
      {
        ...base,
        type: 'message',
        nick: 'alice',
        text: 'hi bob',
        history: false,
        self: false,
        stanzaId: undefined,
        source: 'stream',
        // The room's position after the message: received at the fake clock's time.
        position: '@2026-01-01T00:00:00Z',
      },
      { ...base, type: 'private', nick: 'alice', text: 'psst' },
      { ...base, type: 'topic', nick: 'alice', topic: 'Release day' },
      { ...base, type: 'join', nick: 'carol', role: 'participant', affiliation: 'member', jid: 'carol@localhost/c' },
      { ...base, type: 'nick', oldNick: 'carol', newNick: 'caz', self: false },
      { ...base, type: 'role', nick: 'caz', role: 'moderator' },
      { ...base, type: 'leave', nick: 'caz', mode: 'kicked', reason: 'spam', actor: 'alice' },
      { ...base, type: 'exit', mode: 'normal', reason: undefined, actor: undefined },
    ]);
    off();
  });

  it('stops printing once unsubscribed', async () => {
    const env = setup();
    const events: CliEvent[] = [];
    const { room } = env.muc.join(ROOM, 'bob');
    watchRoom(
      room,
      (e) => events.push(e),
      () => T,
    )();
    env.conn.receive(PROSODY_ALICE);
    expect(events).toEqual([]);
  });
});
