/** Issue 13, bugs 1, 2, 6, 7: the join across sessions (deferral, one presence per session, ghosts, foreign errors). */
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../core/errors.js';
import { recordAll } from '../../test/support/record-events.js';
import { EMPTY_SUBJECT, PROSODY_ALICE, PROSODY_BOB_SELF, ROOM, setup } from '../../test/support/muc-setup.js';
import { RoomState } from './constants.js';
import { DEFAULT_JOIN_TIMEOUT_MS } from './client.js';

const JOIN = (id: string) =>
  `<presence to="probe@conference.localhost/bob" id="${id}"><x xmlns="http://jabber.org/protocol/muc"/></presence>`;

describe('join timeout measures the wait for the service (bug 1)', () => {
  it('a join deferred while connecting survives 60 s offline, is sent on establish and then bounded', async () => {
    const env = setup();
    env.conn.status = 'connecting';
    const { room, joined } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    expect(env.clock.pending).toBe(0);
    env.clock.advance(DEFAULT_JOIN_TIMEOUT_MS + 1);
    env.conn.establish();
    env.conn.expectSent(JOIN('id1'));
    env.conn.expectNothingSent();
    expect(env.muc.rooms).toEqual([room]);
    expect(env.clock.pending).toBe(1);
    env.conn.receive(PROSODY_BOB_SELF);
    await expect(joined).resolves.toBeUndefined();
    expect(rec.names()).toEqual(['stateChanged', 'enter']);
  });

  it('the timer starts when the presence is sent and times out 60 s after it', async () => {
    const env = setup();
    env.conn.status = 'connecting';
    const { joined } = env.muc.join(ROOM, 'bob');
    env.clock.advance(5000);
    env.conn.establish();
    env.conn.takeSent();
    env.clock.advance(DEFAULT_JOIN_TIMEOUT_MS - 1);
    expect(env.muc.rooms).toHaveLength(1);
    env.clock.advance(1);
    await expect(joined).rejects.toBeInstanceOf(TimeoutError);
    env.conn.expectSent(`<presence to="probe@conference.localhost/bob" type="unavailable"/>`);
  });

  it('an autorejoin room whose first join was interrupted: the timer stops offline and restarts on the resend', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.expectSent(JOIN('id1'));
    env.clock.advance(30_000);
    env.conn.destroy();
    expect(env.clock.pending).toBe(0);
    env.clock.advance(120_000);
    env.conn.establish();
    env.conn.expectSent(JOIN('id2'));
    expect(env.muc.rooms).toEqual([room]);
    env.clock.advance(DEFAULT_JOIN_TIMEOUT_MS - 1);
    env.conn.receive(PROSODY_BOB_SELF);
    await expect(joined).resolves.toBeUndefined();
  });
});

describe('one join presence per session (bug 2)', () => {
  it('join() from a `status: online` listener (status set before `established`) sends exactly one presence', async () => {
    const env = setup();
    env.conn.destroy();
    let joined: Promise<void> | undefined;
    env.conn.events.on('status', ({ status }) => {
      if (status === 'online' && !joined) joined = env.muc.join(ROOM, 'bob').joined;
    });
    env.conn.establish();
    env.conn.expectSent(JOIN('id1'));
    env.conn.expectNothingSent();
    env.conn.receive(PROSODY_BOB_SELF);
    await expect(joined).resolves.toBeUndefined();
  });

  it('a join made while disconnected is sent once when the session is resumed (status online without `established`)', async () => {
    const env = setup();
    env.conn.status = 'disconnected';
    const { joined } = env.muc.join(ROOM, 'bob');
    env.conn.expectNothingSent();
    env.conn.status = 'online';
    env.conn.events.emit('status', { status: 'online' });
    await Promise.resolve();
    env.conn.expectSent(JOIN('id1'));
    env.conn.expectNothingSent();
    env.conn.receive(PROSODY_BOB_SELF);
    await expect(joined).resolves.toBeUndefined();
  });
});

describe('ghost occupants (bug 6)', () => {
  it('a second new session during a rejoin presence phase clears the occupants of the first attempt', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.receive(PROSODY_ALICE);
    env.conn.receive(PROSODY_BOB_SELF);
    env.conn.receive(EMPTY_SUBJECT);
    await joined;
    env.conn.destroy();
    env.conn.establish();
    env.conn.receive(PROSODY_ALICE);
    expect(room.members.map((m) => m.nick)).toEqual(['alice']);
    env.conn.establish();
    expect(room.state).toBe(RoomState.JOIN_PRESENCE);
    expect(room.members).toEqual([]);
    env.conn.receive(PROSODY_BOB_SELF);
    expect(room.members.map((m) => m.nick)).toEqual(['bob']);
  });
});

describe('only an error answering our join fails it (bug 7)', () => {
  const error = (attrs: string) =>
    `<presence type="error" ${attrs} to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc"/><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`;

  it('an unrelated error presence from the room is logged and ignored', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    const rec = recordAll(room);
    env.conn.receive(error('from="probe@conference.localhost/other" id="x9"'));
    env.conn.receive(error('from="probe@conference.localhost"'));
    expect(rec).toEqual([]);
    expect(room.state).toBe(RoomState.JOIN_PRESENCE);
    expect(env.logger.records.some((r) => r.message === 'error presence not answering our join ignored')).toBe(true);
    env.conn.receive(PROSODY_BOB_SELF);
    await expect(joined).resolves.toBeUndefined();
  });

  it('an error with our join id, or from our requested occupant JID, fails the join', async () => {
    const env = setup();
    const a = env.muc.join(ROOM, 'bob');
    env.conn.receive(error('from="probe@conference.localhost" id="id1"'));
    await expect(a.joined).rejects.toMatchObject({ reason: 'nick-conflict' });
    const b = env.muc.join(ROOM, 'bob');
    env.conn.receive(error('from="probe@conference.localhost/Bob"'));
    await expect(b.joined).rejects.toMatchObject({ reason: 'nick-conflict' });
  });
});
