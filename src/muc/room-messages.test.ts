import { describe, expect, it } from 'vitest';
import { NotJoinedError } from '../core/errors.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { recordAll, recordEvents } from '../../test/support/record-events.js';
import { EMPTY_SUBJECT, PROSODY_BOB_SELF, ROOM, joinedRoom, setup, type Env } from '../../test/support/muc-setup.js';
import { RoomState } from './constants.js';
import type { Occupant } from './occupant.js';
import type { RoomEvents } from './room-events.js';
import { MessageState } from './tracking.js';

// carol joining on Prosody (transcript §11), verbatim.
const P_BOB_TO_CAROL = `<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/bob" to="carol@localhost/probe" id="join-bob">
  <x xmlns="vcard-temp:x:update"><photo/></x>
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is="/>
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`;
const P_ALICE_TO_CAROL = `<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/alice" to="carol@localhost/probe" id="join-alice">
  <x xmlns="vcard-temp:x:update"><photo/></x>
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg="/>
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="owner"/></x></presence>`;
const P_CAROL_SELF = `<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/carol" to="carol@localhost/probe" id="join-carol">
  <x xmlns="vcard-temp:x:update"><photo/></x>
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="O/N71ZHvqS3z1Dt0OZyxjbDrthkHFamN8L1U5SGCbcY="/>
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" jid="carol@localhost/probe" affiliation="none"/><status code="110"/></x></presence>`;
const P_BOB_HISTORY = `<message xmlns="jabber:client" to="carol@localhost/probe" xml:lang="en" type="groupchat" from="probe@conference.localhost/bob" id="bob-msg-1">
  <body>hi alice</body>
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is="/>
  <delay xmlns="urn:xmpp:delay" from="probe@conference.localhost" stamp="2026-11-25T11:44:31Z"/>
  <stanza-id xmlns="urn:xmpp:sid:0" by="probe@conference.localhost" id="G0QzWcBjkeDd3cpsEoqDTly5"/></message>`;

// The same on ejabberd (no occupant-id, no real JIDs for carol, undelayed subject).
const E_ALICE_TO_CAROL = `<presence xmlns="jabber:client" xml:lang="en" to="carol@localhost/probe" from="probe@conference.localhost/alice" id="join-alice">
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="owner"/></x></presence>`;
const E_BOB_TO_CAROL = `<presence xmlns="jabber:client" xml:lang="en" to="carol@localhost/probe" from="probe@conference.localhost/bob" id="join-bob">
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`;
const E_CAROL_SELF = `<presence xmlns="jabber:client" xml:lang="en" to="carol@localhost/probe" from="probe@conference.localhost/carol" id="join-carol">
  <x xmlns="http://jabber.org/protocol/muc#user"><item jid="carol@localhost/probe" role="participant" affiliation="none"/><status code="110"/></x></presence>`;
const E_ALICE_HISTORY = `<message xmlns="jabber:client" xml:lang="en" to="carol@localhost/probe" from="probe@conference.localhost/alice" type="groupchat" id="alice-msg-1">
  <archived xmlns="urn:xmpp:mam:tmp" by="probe@conference.localhost" id="1795607338122259"/>
  <stanza-id xmlns="urn:xmpp:sid:0" by="probe@conference.localhost" id="1795607338122259"/>
  <origin-id xmlns="urn:xmpp:sid:0" id="alice-origin-1"/>
  <delay xmlns="urn:xmpp:delay" from="probe@conference.localhost" stamp="2026-11-25T11:48:58.122944Z"/>
  <body>hello from alice</body></message>`;
const E_SUBJECT = `<message xmlns="jabber:client" to="carol@localhost/probe" from="probe@conference.localhost/alice" type="groupchat"><subject>Probe subject</subject></message>`;

type MessagePayload = RoomEvents['message'];

function carolJoin(env: Env) {
  const { room, joined } = env.muc.join(ROOM, 'carol', { history: { maxStanzas: 10 } });
  env.conn.takeSent();
  return { room, joined, rec: recordAll(room) };
}

describe('Room history replay', () => {
  it('replays Prosody history: enter, history messages (occupant id alone is no proof: transitional senders), subject by the live alice, ACTIVE', async () => {
    const env = setup('carol@localhost/probe');
    const { room, joined, rec } = carolJoin(env);
    env.conn.receive(P_BOB_TO_CAROL);
    env.conn.receive(P_ALICE_TO_CAROL);
    env.conn.receive(P_CAROL_SELF);
    env.conn.receive(loadFixture('prosody-history-message'));
    env.conn.receive(P_BOB_HISTORY);
    env.conn.receive(loadFixture('prosody-subject-on-join-delayed'));
    await joined;
    expect(rec.names()).toEqual(['join', 'join', 'stateChanged', 'enter', 'message', 'message', 'topicChanged', 'stateChanged']);
    const alice = room.getOccupant('alice')!;
    const bob = room.getOccupant('bob')!;
    const m1 = rec[4]![1] as MessagePayload;
    // Without the room's disco#info advertising urn:xmpp:occupant-id:0 the id proves nothing.
    expect(m1.member).not.toBe(alice);
    expect((m1.member as Occupant).occupantId).toBe(alice.occupantId);
    expect(m1.isHistory).toBe(true);
    expect(m1.source).toBe('stream');
    expect(m1.delay).toEqual({ stamp: new Date('2026-11-25T11:44:30Z'), from: 'probe@conference.localhost' });
    expect(m1.stanzaId).toBe('ftGg3KABXstLH0P85D3VaSQb');
    expect(m1.message.body.any()).toBe('hello from alice');
    expect((rec[5]![1] as MessagePayload).member).not.toBe(bob);
    // A delayed subject is state, not history: its setter is resolved by nick (issue 13).
    expect(rec[6]![1]).toMatchObject({ member: alice, nick: 'alice' });
    expect(room.subject.any()).toBe('Probe subject');
    expect(room.subjectSetter).toBe('alice');
    expect(rec[7]![1]).toEqual({ state: 'active', previous: 'history' });
  });

  it('replays ejabberd history with transitional occupants that never enter members', async () => {
    const env = setup('carol@localhost/probe');
    const { room, joined, rec } = carolJoin(env);
    env.conn.receive(E_ALICE_TO_CAROL);
    env.conn.receive(E_BOB_TO_CAROL);
    env.conn.receive(E_CAROL_SELF);
    env.conn.receive(E_ALICE_HISTORY);
    env.conn.receive(loadFixture('ejabberd-history-message'));
    expect(room.state).toBe(RoomState.HISTORY);
    env.conn.receive(E_SUBJECT);
    await joined;
    expect(rec.names()).toEqual(['join', 'join', 'stateChanged', 'enter', 'message', 'message', 'topicChanged', 'stateChanged']);
    const live = room.getOccupant('alice')!;
    const m1 = rec[4]![1] as MessagePayload;
    const sender = m1.member as Occupant;
    expect(sender).not.toBe(live);
    expect(sender.nick).toBe('alice');
    expect(sender.presenceState.available).toBe(false);
    expect(sender.uid).toMatch(/^rnd:/);
    expect(m1.isHistory).toBe(true);
    expect(m1.stanzaId).toBe('1795607338122259');
    expect(room.members).not.toContain(sender);
    expect(room.members.map((m) => m.nick)).toEqual(['carol', 'alice', 'bob']);
    // The undelayed subject ends the history; its setter is the live alice by nick.
    expect(rec[6]![1]).toMatchObject({ member: live, nick: 'alice' });
  });

  it('reuses a live occupant for history only when nick AND real JID match', async () => {
    const env = setup('carol@localhost/probe');
    const { room, rec } = carolJoin(env);
    env.conn.receive(
      `<presence from="probe@conference.localhost/alice" to="carol@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="owner" jid="alice@localhost/probe"/></x></presence>`,
    );
    env.conn.receive(E_CAROL_SELF);
    const history = (jid: string) =>
      `<message from="probe@conference.localhost/alice" to="carol@localhost/probe" type="groupchat"><x xmlns="http://jabber.org/protocol/muc#user"><item jid="${jid}"/></x><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T11:00:00Z"/><body>x</body></message>`;
    env.conn.receive(history('alice@localhost/other'));
    env.conn.receive(history('mallory@evil.example/x'));
    env.conn.receive(
      `<message from="probe@conference.localhost/alice" to="carol@localhost/probe" type="groupchat"><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T11:00:00Z"/><body>no identity</body></message>`,
    );
    const alice = room.getOccupant('alice')!;
    const senders = rec.filter(([n]) => n === 'message').map(([, p]) => (p as MessagePayload).member as Occupant);
    expect(senders[0]).toBe(alice);
    expect(senders[1]).not.toBe(alice);
    expect(senders[1]!.directJid?.toString()).toBe('mallory@evil.example/x');
    expect(senders[1]!.uid).toBe('jid:mallory@evil.example');
    expect(senders[2]).not.toBe(alice);
    expect(room.members).toEqual([room.me, alice]);
    expect(alice.directJid?.toString()).toBe('alice@localhost/probe');
  });

  it('ends HISTORY on a live undelayed message when the server sends no subject (prosody#1053)', () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    env.conn.receive(loadFixture('prosody-live-message'));
    expect(rec.names()).toEqual(['stateChanged', 'enter', 'stateChanged', 'message']);
    expect(rec[2]![1]).toEqual({ state: 'active', previous: 'history' });
    expect((rec[3]![1] as MessagePayload).isHistory).toBe(false);
  });

  it('ends HISTORY on a presence when the server sends no subject', () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    env.conn.receive(loadFixture('prosody-occupant-presence'));
    expect(rec.names()).toEqual(['stateChanged', 'enter', 'stateChanged', 'join']);
  });
  it('ends HISTORY after historyTimeoutMs without a history message when no subject ever comes', () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    env.clock.advance(10_000);
    env.conn.receive(P_BOB_HISTORY.replace('carol@localhost/probe', 'bob@localhost/probe'));
    env.clock.advance(14_999);
    expect(room.state).toBe(RoomState.HISTORY);
    env.clock.advance(1);
    expect(room.state).toBe(RoomState.ACTIVE);
    expect(rec.names()).toEqual(['stateChanged', 'enter', 'message', 'stateChanged']);
    expect(env.clock.pending).toBe(0);
  });
});

describe('Room messages', () => {
  it('emits a live message with the occupant, its stanza-id by the room, and no delay', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    expect(env.conn.receive(loadFixture('prosody-live-message'))).toBe(true);
    expect(rec).toHaveLength(1);
    const p = rec[0]![1] as MessagePayload;
    expect(p.member).toBe(room.getOccupant('alice'));
    expect(p).toMatchObject({ isHistory: false, stanzaId: 'ftGg3KABXstLH0P85D3VaSQb', source: 'stream' });
    expect(p.delay).toBeUndefined();
    expect(p.message.originId).toBe('alice-origin-1');
  });

  it("takes the sender's JID from the occupant when the nick is spelled as in its presence, else prepares it", async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordEvents(room, ['message']);
    const alice = room.getOccupant('alice')!;
    const from = (nick: string) =>
      `<message from="probe@conference.localhost/${nick}" to="bob@localhost/probe" type="groupchat"><body>x</body></message>`;
    env.conn.receive(from('alice'));
    env.conn.receive(from('ALICE'));
    env.conn.receive(from('alice'));
    const senders = rec.map(([, p]) => p.message.from);
    expect(senders.map((j) => j === alice.conversationJid)).toEqual([true, false, true]);
    expect(senders.map((j) => j?.toString())).toEqual([
      'probe@conference.localhost/alice',
      'probe@conference.localhost/ALICE',
      'probe@conference.localhost/alice',
    ]);
    expect(rec.map(([, p]) => p.member)).toEqual([alice, alice, alice]);
  });

  it('ignores a stanza-id not assigned by the room', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordEvents(room, ['message']);
    env.conn.receive(
      `<message from="probe@conference.localhost/alice" to="bob@localhost/probe" type="groupchat" id="m"><body>x</body><stanza-id xmlns="urn:xmpp:sid:0" by="bob@localhost" id="forged"/></message>`,
    );
    expect(rec[0]![1].stanzaId).toBeUndefined();
  });

  it('emits messages from the room itself with the service member (config change 104/172)', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordEvents(room, ['message']);
    env.conn.receive(loadFixture('prosody-config-change-message'));
    expect(rec[0]![1].member).toBe(room.serviceMember);
    expect(rec[0]![1].statusCodes).toEqual(new Set([104, 172]));
    env.conn.receive(loadFixture('prosody-live-message'));
    expect(rec[1]![1].statusCodes).toBeUndefined();
  });

  it('sets the subject on a live subject change and records the setter', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.receive(
      `<message xmlns="jabber:client" from="probe@conference.localhost/alice" type="groupchat" to="bob@localhost/probe"><subject>Probe subject</subject></message>`,
    );
    expect(rec.names()).toEqual(['topicChanged']);
    expect(rec[0]![1]).toMatchObject({ member: room.getOccupant('alice'), nick: 'alice' });
    expect(room.subject.any()).toBe('Probe subject');
  });

  it('sends a groupchat message with id and origin-id', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    await room.sendMessage('hello');
    env.conn.expectSent(
      `<message to="probe@conference.localhost" type="groupchat" id="id2"><body>hello</body><origin-id xmlns="urn:xmpp:sid:0" id="id2"/></message>`,
    );
    await room.sendMessage({ body: 'again', id: 'mine', thread: 't1' });
    env.conn.expectSent(
      `<message to="probe@conference.localhost" type="groupchat" id="mine"><body>again</body><thread>t1</thread><origin-id xmlns="urn:xmpp:sid:0" id="mine"/></message>`,
    );
  });

  it('rejects sending before the room is entered with NotJoinedError (nothing is queued)', async () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    env.conn.takeSent();
    await expect(room.sendMessage('early')).rejects.toBeInstanceOf(NotJoinedError);
    expect(() => room.sendMessageTracked('early')).toThrow(NotJoinedError);
    await expect(room.sendPrivateMessage('alice', 'early')).rejects.toBeInstanceOf(NotJoinedError);
    await expect(room.setTopic('early')).rejects.toBeInstanceOf(NotJoinedError);
    await expect(room.setNick('early')).rejects.toBeInstanceOf(NotJoinedError);
    expect(env.conn.sent).toEqual([]);
  });

  it('allows sending during HISTORY', async () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    env.conn.takeSent();
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    expect(room.state).toBe(RoomState.HISTORY);
    await room.sendMessage('during history');
    expect(env.conn.sent).toHaveLength(1);
  });

  it('reports an unmatched error reply as messageError', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.receive(
      `<message from="probe@conference.localhost" to="bob@localhost/probe" type="error" id="zzz"><error type="modify"><not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
    );
    expect(rec.names()).toEqual(['messageError']);
    expect((rec[0]![1] as RoomEvents['messageError']).error.condition).toBe('not-acceptable');
  });
});

describe('Room tracked messages', () => {
  const reflection = (attrs: string, body = 'hello') =>
    `<message xmlns="jabber:client" to="bob@localhost/probe" xml:lang="en" type="groupchat" from="probe@conference.localhost/bob" ${attrs}><body>${body}</body><stanza-id xmlns="urn:xmpp:sid:0" by="probe@conference.localhost" id="s1"/></message>`;

  it('reaches DELIVERED_TO_RECIPIENT on the reflection (same id) and does not emit it as message', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const tracker = room.sendMessageTracked('hello'); // its local echo is emitted here
    const rec = recordEvents(room, ['message']);
    const states = recordEvents(tracker, ['stateChanged']);
    env.conn.expectSent(
      `<message to="probe@conference.localhost" type="groupchat" id="id2"><body>hello</body><origin-id xmlns="urn:xmpp:sid:0" id="id2"/></message>`,
    );
    expect(tracker.state).toBe(MessageState.IN_TRANSIT);
    expect(env.clock.pending).toBe(1);
    env.conn.receive(reflection('id="id2"'));
    expect(states).toEqual([['stateChanged', { state: 'delivered-to-recipient', previous: 'in-transit' }]]);
    expect(rec).toEqual([]);
    expect(tracker.response?.attrs.id).toBe('id2');
    expect(env.clock.pending).toBe(0);
    await expect(tracker.settled).resolves.toBe('delivered-to-recipient');
    // A second copy is an ordinary message.
    env.conn.receive(reflection('id="id2"'));
    expect(rec).toHaveLength(1);
  });

  it('matches by origin-id when the service rewrites the id, then by sender + body', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const a = room.sendMessageTracked({ body: 'one', id: 'a1', originId: 'o1' });
    const b = room.sendMessageTracked('two');
    const rec = recordEvents(room, ['message']);
    env.conn.receive(reflection('id="rewritten"><origin-id xmlns="urn:xmpp:sid:0" id="o1"/', 'one'));
    expect(a.state).toBe('delivered-to-recipient');
    env.conn.receive(reflection('id="rewritten-2"', 'two'));
    expect(b.state).toBe('delivered-to-recipient');
    expect(rec).toEqual([]);
  });

  it('does not take a message from another occupant with the same id as the reflection', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const tracker = room.sendMessageTracked('hello');
    const rec = recordEvents(room, ['message']);
    env.conn.receive(
      `<message from="probe@conference.localhost/alice" to="bob@localhost/probe" type="groupchat" id="id2"><body>hello</body></message>`,
    );
    expect(tracker.state).toBe('in-transit');
    expect(rec).toHaveLength(1);
    tracker.close();
  });

  it('goes ERROR with the StanzaError on an error reply with the same id', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const tracker = room.sendMessageTracked('hello');
    const states = recordEvents(tracker, ['stateChanged']);
    env.conn.receive(
      `<message from="probe@conference.localhost" to="bob@localhost/probe" type="error" id="id2"><error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
    );
    expect(states[0]![1]).toMatchObject({ state: 'error', previous: 'in-transit', error: { name: 'StanzaError', condition: 'forbidden' } });
    expect(env.clock.pending).toBe(0);
  });

  it('goes TIMED_OUT after timeoutMs, DELIVERED_TO_SERVER on an XEP-0198 ack', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const tracker = room.sendMessageTracked('hello', { timeoutMs: 1000 });
    const states = recordEvents(tracker, ['stateChanged']);
    const sent = env.conn.nextSent();
    env.conn.events.emit('acked', { stanza: sent });
    env.clock.advance(999);
    expect(tracker.state).toBe('delivered-to-server');
    env.clock.advance(1);
    expect(states.map(([, p]) => p.state)).toEqual(['delivered-to-server', 'timed-out']);
    // A late reflection is an ordinary message.
    const rec = recordEvents(room, ['message']);
    env.conn.receive(reflection('id="id2"'));
    expect(rec).toHaveLength(1);
  });

  it('uses the default timeout of 120 s', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const tracker = room.sendMessageTracked('hello');
    env.clock.advance(119_999);
    expect(tracker.state).toBe('in-transit');
    env.clock.advance(1);
    expect(tracker.state).toBe('timed-out');
  });
});

describe('Room private messages', () => {
  it('emits a chat message with the muc#user marker from room/nick as privateMessage', async () => {
    const env = setup('alice@localhost/probe');
    const { room, joined } = env.muc.join(ROOM, 'alice');
    env.conn.receive(loadFixture('prosody-self-presence-create'));
    env.conn.receive(loadFixture('prosody-occupant-presence-jid'));
    await joined;
    const rec = recordAll(room);
    expect(env.conn.receive(loadFixture('prosody-pm'))).toBe(true);
    expect(rec.names()).toEqual(['privateMessage']);
    const p = rec[0]![1] as RoomEvents['privateMessage'];
    expect(p.member).toBe(room.getOccupant('bob'));
    expect(p.message.body.any()).toBe('psst');
  });

  it('leaves a chat message without the marker to the application', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    expect(
      env.conn.receive(`<message from="probe@conference.localhost/alice" to="bob@localhost/probe" type="chat"><body>hi</body></message>`),
    ).toBe(false);
    expect(rec).toEqual([]);
    expect(env.conn.unclaimed).toHaveLength(1);
  });

  it('sends a private message to room/nick with the marker', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    await room.sendPrivateMessage(room.getOccupant('alice')!, 'psst');
    env.conn.expectSent(
      `<message to="probe@conference.localhost/alice" type="chat" id="id2"><body>psst</body><origin-id xmlns="urn:xmpp:sid:0" id="id2"/><x xmlns="http://jabber.org/protocol/muc#user"/></message>`,
    );
  });
});

describe('issue 13: topic on join, history identity', () => {
  it('topicChanged on join only iff a topic is set: nothing for the empty <subject/>, but the room is ACTIVE', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.receive(PROSODY_BOB_SELF);
    env.conn.receive(EMPTY_SUBJECT);
    await joined;
    expect(rec.names()).toEqual(['stateChanged', 'enter', 'stateChanged']);
    expect(room.state).toBe(RoomState.ACTIVE);
    expect(room.subject.any()).toBe('');
    // live, clearing a topic is a change
    env.conn.receive(`<message from="probe@conference.localhost/bob" type="groupchat"><subject>t</subject></message>`);
    env.conn.receive(`<message from="probe@conference.localhost/bob" type="groupchat"><subject/></message>`);
    expect(rec.names().slice(3)).toEqual(['topicChanged', 'topicChanged']);
    expect(rec[4]![1]).toMatchObject({ member: room.me, nick: 'bob' });
  });

  it('a delayed subject on join: member resolved by nick, as for live subjects (Prosody)', async () => {
    const env = setup('carol@localhost/probe');
    const { room, joined, rec } = carolJoin(env);
    env.conn.receive(P_ALICE_TO_CAROL);
    env.conn.receive(P_CAROL_SELF);
    env.conn.receive(loadFixture('prosody-subject-on-join-delayed'));
    await joined;
    expect(rec.names()).toEqual(['join', 'stateChanged', 'enter', 'topicChanged', 'stateChanged']);
    expect(rec[3]![1]).toEqual({ member: room.getOccupant('alice'), topic: room.subject, nick: 'alice' });
  });

  it('history: an occupant-id match alone is not accepted when the room does not advertise urn:xmpp:occupant-id:0', async () => {
    const env = setup('carol@localhost/probe');
    const { room, rec } = carolJoin(env);
    env.conn.receive(P_BOB_TO_CAROL);
    env.conn.receive(P_CAROL_SELF);
    env.conn.receive(P_BOB_HISTORY);
    const sender = (rec[3]![1] as MessagePayload).member as Occupant;
    expect(rec[3]![0]).toBe('message');
    expect(sender).not.toBe(room.getOccupant('bob'));
    expect(sender.occupantId).toBe('/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is=');
  });

  it('history: one transitional occupant per departed sender (nick + real JID) across the replay, not one per message', async () => {
    const env = setup('carol@localhost/probe');
    const { room, rec } = carolJoin(env);
    env.conn.receive(E_CAROL_SELF);
    const history = (nick: string, jid: string, body: string) =>
      `<message from="probe@conference.localhost/${nick}" type="groupchat"><x xmlns="http://jabber.org/protocol/muc#user"><item jid="${jid}"/></x><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T11:00:00Z"/><body>${body}</body></message>`;
    env.conn.receive(history('dave', 'dave@localhost/a', '1'));
    env.conn.receive(history('Dave', 'dave@localhost/b', '2'));
    env.conn.receive(history('dave', 'eve@localhost/x', '3'));
    env.conn.receive(
      `<message from="probe@conference.localhost/dave" type="groupchat"><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T11:00:00Z"/><body>4</body></message>`,
    );
    const senders = rec.filter(([n]) => n === 'message').map(([, p]) => (p as MessagePayload).member as Occupant);
    expect(senders).toHaveLength(4);
    expect(senders[1]).toBe(senders[0]);
    expect(senders[2]).not.toBe(senders[0]);
    expect(senders[3]).not.toBe(senders[0]);
    expect(senders[0]!.uid).toBe('jid:dave@localhost');
    expect(room.members).toEqual([room.me]);
  });
});

describe('issue 13: local echo of tracked messages', () => {
  it('sendMessageTracked emits message at once: member me, source local, the tracker; the reflection stays suppressed', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    const tracker = room.sendMessageTracked('hello');
    env.conn.expectSent(
      `<message to="probe@conference.localhost" type="groupchat" id="id2"><body>hello</body><origin-id xmlns="urn:xmpp:sid:0" id="id2"/></message>`,
    );
    expect(rec.names()).toEqual(['message']);
    const echo = rec[0]![1] as MessagePayload;
    expect(echo).toMatchObject({ member: room.me, source: 'local', isHistory: false, tracker });
    expect(echo.message.body.any()).toBe('hello');
    expect(echo.message.id).toBe('id2');
    env.conn.receive(`<message from="probe@conference.localhost/bob" type="groupchat" id="id2"><body>hello</body></message>`);
    expect(rec.names()).toEqual(['message']);
    expect(tracker.state).toBe(MessageState.DELIVERED_TO_RECIPIENT);
  });
});

describe('issue 13: sending before enter or while suspended, exit listeners', () => {
  it('while suspended every send rejects (or throws) NotJoinedError and nothing is sent or queued; after the rejoin it works', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    env.conn.destroy();
    expect(room.state).toBe(RoomState.DISCONNECTED);
    expect(room.isJoined).toBe(true);
    await expect(room.sendMessage('x')).rejects.toBeInstanceOf(NotJoinedError);
    await expect(room.sendPrivateMessage('alice', 'x')).rejects.toBeInstanceOf(NotJoinedError);
    expect(() => room.sendMessageTracked('x')).toThrow(NotJoinedError);
    env.conn.establish();
    env.conn.takeSent();
    env.conn.receive(PROSODY_BOB_SELF);
    env.conn.expectNothingSent();
    await room.sendMessage('after');
    expect(env.conn.takeSent().map((s) => s.getChildText('body'))).toEqual(['after']);
  });

  it('exit listeners already see isJoined === false and state DISCONNECTED', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const seen: [boolean, string][] = [];
    room.on('exit', () => seen.push([room.isJoined, room.state]));
    env.conn.receive(
      `<presence from="probe@conference.localhost/bob" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="none"/><status code="110"/></x></presence>`,
    );
    expect(seen).toEqual([[false, 'disconnected']]);
  });
});

describe('issue 13: history sender with two muc#user payloads (Prosody non-anonymous room, captured)', () => {
  it('reads the real JID from the muc#user <x/> that has an item, not the empty marker before it', async () => {
    const env = setup('carol@localhost/probe');
    const { room, rec } = carolJoin(env);
    env.conn.receive(
      `<presence from="probe@conference.localhost/bob" to="carol@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="owner" jid="bob@localhost/probe"/></x></presence>`,
    );
    env.conn.receive(P_CAROL_SELF);
    env.conn.receive(
      `<message id="na1" from="probe@conference.localhost/bob" type="groupchat" xml:lang="en" to="carol@localhost/probe" xmlns="jabber:client"><body>before you came</body><x xmlns="http://jabber.org/protocol/muc#user"/><occupant-id xmlns="urn:xmpp:occupant-id:0" id="PC73rW4LgtPPl12/fDISiHw3/+AN5DEaeA7RCEP60Ds="/><x xmlns="http://jabber.org/protocol/muc#user"><item jid="bob@localhost" role="moderator" affiliation="owner"/></x><delay stamp="2026-12-07T03:51:40Z" from="probe@conference.localhost" xmlns="urn:xmpp:delay"/><stanza-id id="c749xHrS1Bc9FAePx4uIhaCk" xmlns="urn:xmpp:sid:0" by="probe@conference.localhost"/></message>`,
    );
    expect(rec.names()).toEqual(['join', 'stateChanged', 'enter', 'message']);
    expect((rec[3]![1] as MessagePayload).member).toBe(room.getOccupant('bob'));
  });
});

describe('issue 13: the room disco#info feeds the history identity rule', () => {
  it('once getRoomInfo() saw urn:xmpp:occupant-id:0, a rejoin replay reuses the live occupant by occupant id', async () => {
    const env = setup('carol@localhost/probe');
    const { room, joined } = carolJoin(env);
    env.conn.receive(P_BOB_TO_CAROL);
    env.conn.receive(P_CAROL_SELF);
    await joined;
    env.conn.receive(loadFixture('prosody-subject-on-join-delayed'));
    const info = room.getRoomInfo();
    const iq = env.conn.nextSent();
    env.conn.replyTo(
      iq,
      `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="conference" type="text"/><feature var="http://jabber.org/protocol/muc"/><feature var="urn:xmpp:occupant-id:0"/></query>`,
    );
    await info;
    env.conn.destroy();
    env.conn.establish();
    env.conn.takeSent();
    env.conn.receive(P_BOB_TO_CAROL);
    env.conn.receive(P_CAROL_SELF);
    const rec = recordAll(room);
    env.conn.receive(P_BOB_HISTORY.replace('bob-msg-1', 'bob-msg-2').replace('G0QzWcBjkeDd3cpsEoqDTly5', 'other-stanza-id'));
    expect(rec.names()).toEqual(['message']);
    expect((rec[0]![1] as MessagePayload).member).toBe(room.getOccupant('bob'));
  });
});
