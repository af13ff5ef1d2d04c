import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { recordAll, recordEvents } from '../../test/support/record-events.js';
import { ROOM, aliceRoom, setup } from '../../test/support/muc-setup.js';
import { LeaveMode, RoomState } from './constants.js';

describe('Room: nick and subject changes', () => {
  it('setNick resolves with the assigned nick after the 303 round trip (Prosody)', async () => {
    const env = setup('carol@localhost/probe');
    const { room, joined } = env.muc.join(ROOM, 'carol');
    env.conn.receive(
      `<presence from="probe@conference.localhost/carol" to="carol@localhost/probe"><occupant-id xmlns="urn:xmpp:occupant-id:0" id="O/N71ZHvqS3z1Dt0OZyxjbDrthkHFamN8L1U5SGCbcY="/><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" jid="carol@localhost/probe" affiliation="none"/><status code="110"/></x></presence>`,
    );
    env.conn.receive(`<message from="probe@conference.localhost" type="groupchat"><subject/></message>`);
    await joined;
    env.conn.takeSent();
    const me = room.me!;
    const rec = recordAll(room);
    let result: string | undefined;
    const done = room.setNick('carol2').then((n) => (result = n));
    env.conn.expectSent(`<presence to="probe@conference.localhost/carol2" id="id2"/>`);
    env.conn.receive(loadFixture('prosody-nick-change-self-unavailable'));
    await Promise.resolve();
    expect(result).toBeUndefined();
    env.conn.receive(loadFixture('prosody-nick-change-self-available'));
    await done;
    expect(result).toBe('carol2');
    expect(rec.names()).toEqual(['nickChanged', 'presenceChanged']); // the available half is a presence of ours (as aioxmpp)
    expect(room.me).toBe(me);
    expect(me.nick).toBe('carol2');
    expect(room.state).toBe(RoomState.ACTIVE);
    expect(env.clock.pending).toBe(0);
  });

  it('setNick rejects with StanzaError on conflict and keeps the old nick', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    env.conn.receive(loadFixture('prosody-subject-empty-create'));
    await joined;
    env.conn.takeSent();
    const done = room.setNick('alice');
    env.conn.receive(
      `<presence from="probe@conference.localhost/alice" to="bob@localhost/probe" type="error" id="id2"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
    );
    await expect(done).rejects.toMatchObject({ name: 'StanzaError', condition: 'conflict' });
    expect(room.me!.nick).toBe('bob');
    expect(room.isActive).toBe(true);
    expect(env.clock.pending).toBe(0);
  });

  it('setNick times out (FakeClock) and allows a new attempt', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    env.conn.receive(loadFixture('prosody-subject-empty-create'));
    await joined;
    const done = room.setNick('bobby', { timeoutMs: 100 });
    await expect(room.setNick('other')).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    env.clock.advance(100);
    await expect(done).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(env.clock.pending).toBe(0);
    const again = room.setNick('bobby2', { timeoutMs: 100 });
    env.clock.advance(100);
    await expect(again).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('setTopic resolves on the reflected subject and rejects on an error reply', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const done = room.setTopic('Probe subject');
    env.conn.expectSent(`<message to="probe@conference.localhost" type="groupchat" id="id2"><subject>Probe subject</subject></message>`);
    env.conn.receive(loadFixture('prosody-subject-change'));
    await expect(done).resolves.toBeUndefined();
    const refused = room.setTopic('nope');
    env.conn.receive(
      `<message from="probe@conference.localhost" to="alice@localhost/probe" type="error" id="id3"><error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
    );
    await expect(refused).rejects.toMatchObject({ name: 'StanzaError', condition: 'forbidden' });
    expect(room.subject.any()).toBe('Probe subject');
    expect(env.clock.pending).toBe(0);
  });
});

describe('Room: leave', () => {
  it('leave() resolves on the self-unavailable: exit NORMAL, removed from the client', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    const done = room.leave();
    env.conn.expectSent(`<presence to="probe@conference.localhost/alice" type="unavailable"/>`);
    env.conn.receive(
      `<presence from="probe@conference.localhost/alice" to="alice@localhost/probe" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="owner" jid="alice@localhost/probe"/><status code="110"/></x></presence>`,
    );
    await done;
    expect(rec.names()).toEqual(['roleChanged', 'exit', 'stateChanged']);
    expect(rec[1]![1]).toMatchObject({ mode: LeaveMode.NORMAL, occupant: room.me });
    expect(rec[2]![1]).toEqual({ state: 'disconnected', previous: 'active' });
    expect(room.isJoined).toBe(false);
    expect(env.muc.rooms).toEqual([]);
    expect(env.clock.pending).toBe(0);
    expect(env.conn.receive(loadFixture('prosody-live-message'))).toBe(false);
  });

  it('leave() that times out removes the room locally all the same', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordEvents(room, ['exit']);
    const done = room.leave({ timeoutMs: 1000 });
    env.clock.advance(1000);
    await expect(done).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(rec).toEqual([['exit', { occupant: room.me, mode: LeaveMode.NORMAL, statusCodes: new Set() }]]);
    expect(env.muc.rooms).toEqual([]);
    expect(env.clock.pending).toBe(0);
  });

  it('leave() during the join abandons it: AbortError on joined, unavailable sent, no exit', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.takeSent();
    const rec = recordEvents(room, ['exit', 'stateChanged']);
    await room.leave();
    await expect(joined).rejects.toMatchObject({ name: 'AbortError' });
    env.conn.expectSent(`<presence to="probe@conference.localhost/bob" type="unavailable"/>`);
    expect(rec).toEqual([['stateChanged', { state: 'disconnected', previous: 'join-presence' }]]);
    await expect(room.leave()).resolves.toBeUndefined();
  });

  it('leave() while suspended (autorejoin) exits at once without sending', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    env.conn.destroy();
    const rec = recordEvents(room, ['exit']);
    await room.leave();
    expect(rec[0]![1]).toMatchObject({ mode: LeaveMode.NORMAL });
    env.conn.expectNothingSent();
    env.conn.establish();
    env.conn.expectNothingSent();
  });
});
