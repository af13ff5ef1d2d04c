import { describe, expect, it } from 'vitest';
import { AbortError, DisconnectedError, InvalidArgumentError, StanzaError, TimeoutError } from '../core/errors.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { recordAll, recordEvents } from '../../test/support/record-events.js';
import { EMPTY_SUBJECT, PROSODY_ALICE, PROSODY_BOB_SELF, ROOM, setup } from '../../test/support/muc-setup.js';
import { MucJoinError } from './join-error.js';
import { RoomState } from './constants.js';
import { DEFAULT_JOIN_TIMEOUT_MS } from './client.js';
import type { RoomEvents } from './room-events.js';

describe('MucClient.join', () => {
  it('sends the join presence at once, returns synchronously and emits nothing before the caller runs', async () => {
    const env = setup();
    const seen: string[] = [];
    env.muc.on('conversationAdded', ({ room }) => seen.push(`added ${room.jid.toString()}`));
    const { room, joined } = env.muc.join(ROOM, 'bob', { history: { maxStanzas: 20 }, password: 'pw' });
    expect(seen).toEqual([]);
    expect(room.state).toBe(RoomState.JOIN_PRESENCE);
    expect(room.isJoined).toBe(false);
    expect(room.isActive).toBe(false);
    expect(room.me).toBeUndefined();
    env.conn.expectSent(
      `<presence to="probe@conference.localhost/bob" id="id1"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="20"/><password>pw</password></x></presence>`,
    );
    await Promise.resolve();
    expect(seen).toEqual(['added probe@conference.localhost']);
    expect(env.muc.rooms).toEqual([room]);
    expect(room.password).toBe('pw');
    expect(room.autorejoin).toBe(true);
    void joined;
  });

  it('announces the room before its first event even when a stanza arrives synchronously', () => {
    const env = setup();
    const order: string[] = [];
    env.muc.on('conversationAdded', () => order.push('added'));
    const { room } = env.muc.join(ROOM, 'bob');
    room.on('join', () => order.push('join'));
    env.conn.receive(PROSODY_ALICE);
    expect(order).toEqual(['added', 'join']);
  });

  it('enters on Prosody: join, HISTORY, enter, then the subject makes it ACTIVE', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.takeSent();

    expect(env.conn.receive(PROSODY_ALICE)).toBe(true);
    expect(rec.names()).toEqual(['join']);
    const alice = room.getOccupant('alice')!;
    expect(alice.role).toBe('moderator');
    expect(alice.affiliation).toBe('owner');
    expect(alice.directJid).toBeUndefined();
    expect(alice.occupantId).toBe('JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=');
    expect(alice.uid).toBe('oid:JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=');

    env.conn.receive(PROSODY_BOB_SELF);
    env.conn.receive(EMPTY_SUBJECT);
    await joined;

    // No topicChanged for the empty subject on join (topicChanged on join iff a topic is set).
    expect(rec.names()).toEqual(['join', 'stateChanged', 'enter', 'stateChanged']);
    expect(rec[1]![1]).toEqual({ state: 'history', previous: 'join-presence' });
    const enter = rec[2]![1] as RoomEvents['enter'];
    expect(enter.occupant).toBe(room.me);
    expect([...enter.statusCodes]).toEqual([110]);
    expect(enter.presence.attrs.id).toBe('join-bob');
    expect([...room.subject]).toEqual([[null, '']]);
    expect(rec[3]![1]).toEqual({ state: 'active', previous: 'history' });

    expect(room.state).toBe(RoomState.ACTIVE);
    expect(room.isJoined && room.isActive).toBe(true);
    expect(room.me!.nick).toBe('bob');
    expect(room.me!.isSelf).toBe(true);
    expect(room.me!.directJid?.toString()).toBe('bob@localhost/probe');
    expect(room.me!.uid).toBe('jid:bob@localhost');
    expect(room.members).toEqual([room.me, alice]);
    expect(room.members).not.toBe(room.members);
    expect(room.getOccupantById('JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=')).toBe(alice);
    expect(room.getOccupant('ALICE')).toBe(alice);
  });

  it('enters on ejabberd: the caps presence from the bare room JID is claimed and ignored', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    expect(env.conn.receive(loadFixture('ejabberd-room-caps-presence'))).toBe(true);
    expect(rec).toEqual([]);
    expect(env.logger.records.some((r) => r.level === 'debug' && r.message.includes('room itself'))).toBe(true);
    env.conn.receive(loadFixture('ejabberd-occupant-presence'));
    env.conn.receive(loadFixture('ejabberd-self-presence-join'));
    env.conn.receive(
      `<message xmlns="jabber:client" to="bob@localhost/probe" from="probe@conference.localhost" type="groupchat"><subject/></message>`,
    );
    await joined;
    expect(rec.names()).toEqual(['join', 'stateChanged', 'enter', 'stateChanged']);
    expect(room.members.map((m) => m.nick)).toEqual(['bob', 'alice']);
  });

  it('reports 201 (room created) in enter and unlocks it with createInstant()', async () => {
    const env = setup('alice@localhost/probe');
    const { room, joined } = env.muc.join(ROOM, 'alice', { history: { maxStanzas: 20 } });
    env.conn.takeSent();
    const rec = recordEvents(room, ['enter']);
    env.conn.receive(loadFixture('prosody-self-presence-create'));
    await joined;
    expect([...rec[0]![1].statusCodes].sort()).toEqual([110, 201]);
    const done = room.createInstant();
    const iq = env.conn.expectSent(
      `<iq type="set" to="probe@conference.localhost" id="*"><query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"/></query></iq>`,
    );
    env.conn.replyTo(iq);
    await expect(done).resolves.toBeUndefined();
  });

  it('createConfigured() submits the given form; a refusal rejects with StanzaError', async () => {
    const env = setup('alice@localhost/probe');
    const { room, joined } = env.muc.join(ROOM, 'alice');
    env.conn.takeSent();
    env.conn.receive(loadFixture('prosody-self-presence-create'));
    await joined;
    const done = room.createConfigured({
      type: 'submit',
      instructions: [],
      items: [],
      fields: [
        { var: 'FORM_TYPE', type: 'hidden', required: false, values: ['http://jabber.org/protocol/muc#roomconfig'], options: [] },
        { var: 'muc#roomconfig_persistentroom', required: false, values: ['1'], options: [] },
      ],
    });
    const iq = env.conn.expectSent(
      `<iq type="set" to="probe@conference.localhost" id="*"><query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var="muc#roomconfig_persistentroom"><value>1</value></field></x></query></iq>`,
    );
    env.conn.replyTo(iq, `<error type="cancel"><not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await expect(done).rejects.toMatchObject({ name: 'StanzaError', condition: 'not-acceptable' });
  });

  it('takes a nick rewritten by the service (210) from the self-presence', async () => {
    const env = setup('hag66@shakespeare.lit/pda');
    const { room, joined } = env.muc.join('coven@chat.shakespeare.lit', 'Hag');
    env.conn.takeSent();
    const rec = recordEvents(room, ['enter']);
    env.conn.receive(loadFixture('xep-self-presence-nick-modified'));
    await joined;
    expect(room.me!.nick).toBe('thirdwitch');
    expect([...rec[0]![1].statusCodes]).toEqual([110, 210]);
  });

  it('ignores a self-presence for another nick without 210 (a forged 110)', () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.receive(
      `<presence from="probe@conference.localhost/mallory" to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="110"/></x></presence>`,
    );
    expect(rec).toEqual([]);
    expect(room.state).toBe(RoomState.JOIN_PRESENCE);
  });

  const errors = [
    ['xep-enter-error-not-authorized', 'password-required', 'not-authorized'],
    ['xep-enter-error-registration-required', 'members-only', 'registration-required'],
    ['xep-enter-error-forbidden', 'banned', 'forbidden'],
    ['xep-enter-error-conflict', 'nick-conflict', 'conflict'],
    ['xep-enter-error-service-unavailable', 'max-occupants', 'service-unavailable'],
    ['xep-enter-error-item-not-found', 'not-found', 'item-not-found'],
    ['xep-enter-error-not-allowed', 'creation-restricted', 'not-allowed'],
    ['xep-enter-error-not-acceptable', 'reserved-nick', 'not-acceptable'],
    ['xep-enter-error-jid-malformed', 'nick-required', 'jid-malformed'],
  ] as const;
  for (const [fixture, reason, condition] of errors) {
    it(`rejects joined with MucJoinError '${reason}' for ${fixture}`, async () => {
      const env = setup('hag66@shakespeare.lit/pda');
      const removed: string[] = [];
      env.muc.on('conversationRemoved', ({ room }) => removed.push(room.jid.toString()));
      const { room, joined } = env.muc.join('coven@chat.shakespeare.lit', 'thirdwitch');
      const rec = recordAll(room);
      const refusal = loadFixture(fixture);
      refusal.attrs.id = 'id1'; // a service echoes the id of our join presence (the XEP's examples do not)
      expect(env.conn.receive(refusal)).toBe(true);
      const error = await joined.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MucJoinError);
      expect(error).toMatchObject({ name: 'MucJoinError', code: 'ERR_MUC_JOIN', reason });
      expect((error as MucJoinError).cause).toBeInstanceOf(StanzaError);
      expect((error as MucJoinError).cause.condition).toBe(condition);
      expect(rec).toEqual([['stateChanged', { state: 'disconnected', previous: 'join-presence' }]]);
      expect(env.muc.rooms).toEqual([]);
      expect(removed).toEqual(['coven@chat.shakespeare.lit']);
    });
  }

  it("rejects with 'not-found' for Prosody's locked new room (captured)", async () => {
    const env = setup('dave@localhost/probe');
    const { joined } = env.muc.join(ROOM, 'dave');
    env.conn.receive(loadFixture('prosody-enter-error-item-not-found-locked'));
    await expect(joined).rejects.toMatchObject({ reason: 'not-found' });
  });

  it('returns the existing pair when the room is already being joined', () => {
    const env = setup();
    const first = env.muc.join(ROOM, 'bob');
    const second = env.muc.join('Probe@Conference.LocalHost', 'other', { password: 'x' });
    expect(second.room).toBe(first.room);
    expect(second.joined).toBe(first.joined);
    expect(env.conn.sent).toHaveLength(1);
  });

  it('throws InvalidArgumentError at once for a malformed or non-bare room JID or an empty nick', () => {
    const env = setup();
    for (const bad of ['probe@conference.localhost/bob', 'conference.localhost', '@conference.localhost', 'a@b/']) {
      expect(() => env.muc.join(bad, 'bob'), bad).toThrow(InvalidArgumentError);
    }
    expect(() => env.muc.join(ROOM, '  ')).toThrow(InvalidArgumentError);
    expect(env.conn.sent).toEqual([]);
    expect(env.muc.rooms).toEqual([]);
  });

  it('abandons the join on abort: AbortError, unavailable presence, room removed', async () => {
    const env = setup();
    const ac = new AbortController();
    const { room, joined } = env.muc.join(ROOM, 'bob', { signal: ac.signal });
    env.conn.takeSent();
    ac.abort();
    await expect(joined).rejects.toBeInstanceOf(AbortError);
    env.conn.expectSent(`<presence to="probe@conference.localhost/bob" type="unavailable"/>`);
    expect(env.muc.rooms).toEqual([]);
    expect(room.state).toBe(RoomState.DISCONNECTED);
    // A late self-presence changes nothing and is not claimed.
    expect(env.conn.receive(PROSODY_BOB_SELF)).toBe(false);
    expect(room.me).toBeUndefined();
  });

  it('times out the join with timeoutMs (FakeClock) and leaves no timer behind', async () => {
    const env = setup();
    const { joined } = env.muc.join(ROOM, 'bob', { timeoutMs: 5000 });
    expect(env.clock.pending).toBe(1);
    env.clock.advance(5000);
    await expect(joined).rejects.toBeInstanceOf(TimeoutError);
    expect(env.clock.pending).toBe(0);
  });

  it('bounds the join by DEFAULT_JOIN_TIMEOUT_MS when no timeoutMs is given; Infinity opts out', async () => {
    const env = setup();
    const { joined } = env.muc.join(ROOM, 'bob');
    env.clock.advance(DEFAULT_JOIN_TIMEOUT_MS - 1);
    expect(env.clock.pending).toBe(1);
    env.clock.advance(1);
    await expect(joined).rejects.toBeInstanceOf(TimeoutError);
    const env2 = setup();
    env2.muc.join(ROOM, 'bob', { timeoutMs: Number.POSITIVE_INFINITY });
    expect(env2.clock.pending).toBe(0);
  });

  it('clears the join timer when the join succeeds', async () => {
    const env = setup();
    const { joined } = env.muc.join(ROOM, 'bob', { timeoutMs: 5000 });
    env.conn.receive(PROSODY_BOB_SELF);
    await joined;
    expect(env.clock.pending).toBe(1); // the history timer only
    env.conn.receive(EMPTY_SUBJECT);
    expect(env.clock.pending).toBe(0);
  });

  it('rejects with DisconnectedError when the stream is destroyed during a join without autorejoin', async () => {
    const env = setup();
    const { joined } = env.muc.join(ROOM, 'bob', { autorejoin: false });
    env.conn.destroy();
    await expect(joined).rejects.toBeInstanceOf(DisconnectedError);
    expect(env.muc.rooms).toEqual([]);
  });

  it('retries the join on `established` with autorejoin', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob', { history: { maxStanzas: 5 } });
    env.conn.takeSent();
    env.conn.destroy();
    expect(room.state).toBe(RoomState.DISCONNECTED);
    env.conn.establish();
    expect(room.state).toBe(RoomState.JOIN_PRESENCE);
    env.conn.expectSent(
      `<presence to="probe@conference.localhost/bob" id="id2"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="5"/></x></presence>`,
    );
    env.conn.receive(PROSODY_BOB_SELF);
    await expect(joined).resolves.toBeUndefined();
  });

  it('defers the join presence until the stream is established when offline', () => {
    const env = setup();
    env.conn.status = 'connecting';
    env.muc.join(ROOM, 'bob');
    expect(env.conn.sent).toEqual([]);
    env.conn.establish();
    env.conn.expectSent(`<presence to="probe@conference.localhost/bob" id="id1"><x xmlns="http://jabber.org/protocol/muc"/></presence>`);
  });

  it('sends nothing for a signal already aborted', async () => {
    const env = setup();
    const { joined } = env.muc.join(ROOM, 'bob', { signal: AbortSignal.abort() });
    await expect(joined).rejects.toBeInstanceOf(AbortError);
    env.conn.expectNothingSent();
    expect(env.muc.rooms).toEqual([]);
  });

  it('resends the join presence when a new session starts before the self-presence', () => {
    const env = setup();
    env.muc.join(ROOM, 'bob');
    env.conn.takeSent();
    env.conn.establish();
    env.conn.expectSent(`<presence to="probe@conference.localhost/bob" id="id2"><x xmlns="http://jabber.org/protocol/muc"/></presence>`);
  });
});
