import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { recordAll, recordEvents } from '../../test/support/record-events.js';
import { ROOM, aliceRoom, setup } from '../../test/support/muc-setup.js';
import { LeaveMode } from './constants.js';
import type { RoomEvents } from './room-events.js';

describe('Room occupants (as seen by alice, Prosody)', () => {
  it('keeps the same Occupant across a 303 nick change and re-indexes it', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const carol = room.getOccupant('carol')!;
    const rec = recordAll(room);
    env.conn.receive(loadFixture('prosody-nick-change-unavailable'));
    expect(rec).toEqual([['nickChanged', { member: carol, oldNick: 'carol', newNick: 'carol2', statusCodes: new Set([303]) }]]);
    expect(carol.nick).toBe('carol2');
    expect(carol.conversationJid.toString()).toBe('probe@conference.localhost/carol2');
    expect(room.getOccupant('carol')).toBeUndefined();
    expect(room.getOccupant('carol2')).toBe(carol);
    expect(room.getOccupantById('O/N71ZHvqS3z1Dt0OZyxjbDrthkHFamN8L1U5SGCbcY=')).toBe(carol);
    env.conn.receive(loadFixture('prosody-nick-change-available'));
    expect(rec.names()).toEqual(['nickChanged', 'presenceChanged']);
    expect(room.members.map((m) => m.nick)).toEqual(['alice', 'bob', 'carol2']);
  });

  it('kick: roleChanged first, then leave with mode kicked, actor and reason', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const bob = room.getOccupant('bob')!;
    const rec = recordAll(room);
    const presence = loadFixture('prosody-kick-observer');
    env.conn.receive(presence);
    expect(rec.names()).toEqual(['roleChanged', 'leave']);
    expect(rec[0]![1]).toMatchObject({
      member: bob,
      oldRole: 'participant',
      newRole: 'none',
      reason: 'probe kick',
      actor: { nick: 'alice' },
    });
    expect(rec[1]![1]).toMatchObject({ member: bob, mode: LeaveMode.KICKED, reason: 'probe kick', actor: { nick: 'alice' } });
    expect([...(rec[1]![1] as RoomEvents['leave']).statusCodes]).toEqual([307]);
    expect(room.getOccupant('bob')).toBeUndefined();
    expect(room.members).not.toContain(bob);
  });

  it('ban: roleChanged, affiliationChanged, then leave with mode banned', () => {
    const env = setup('earlofcambridge@shakespeare.lit/stabber');
    const { room } = env.muc.join('southampton@chat.shakespeare.lit', 'me');
    env.conn.receive(
      `<presence from="southampton@chat.shakespeare.lit/me"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="owner" role="moderator"/><status code="110"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="southampton@chat.shakespeare.lit/cambridge"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="member" role="participant"/></x></presence>`,
    );
    const rec = recordAll(room);
    env.conn.receive(loadFixture('xep-ban'));
    expect(rec.names()).toEqual(['roleChanged', 'affiliationChanged', 'leave']);
    expect(rec[1]![1]).toMatchObject({ oldAffiliation: 'member', newAffiliation: 'outcast', reason: 'Treason', actor: { nick: 'The ♚' } });
    expect(rec[2]![1]).toMatchObject({ mode: LeaveMode.BANNED, reason: 'Treason' });
  });

  it('voice granted: presenceChanged (nothing kept changed), then roleChanged with actor and reason', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    env.conn.receive(
      `<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/dave" to="alice@localhost/probe" id="join-dave"><x xmlns="http://jabber.org/protocol/muc#user"><item role="visitor" jid="dave@localhost/probe" affiliation="none"/></x></presence>`,
    );
    const rec = recordAll(room);
    env.conn.receive(`<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/dave" to="alice@localhost/probe" id="join-dave">
      <x xmlns="vcard-temp:x:update"><photo/></x>
      <occupant-id xmlns="urn:xmpp:occupant-id:0" id="Pez5IYLs2+ahBuAxSwVzzGNXbZkIlFafi49NtlpTV58="/>
      <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" jid="dave@localhost/probe" affiliation="none"><actor jid="alice@localhost/probe" nick="alice"/><reason>Voice granted</reason></item></x></presence>`);
    expect(rec.names()).toEqual(['presenceChanged', 'roleChanged']);
    expect(rec[0]![1]).toMatchObject({ changed: [] });
    expect(rec[1]![1]).toMatchObject({ oldRole: 'visitor', newRole: 'participant', reason: 'Voice granted' });
    expect(room.getOccupantById('Pez5IYLs2+ahBuAxSwVzzGNXbZkIlFafi49NtlpTV58=')).toBe(room.getOccupant('dave'));
  });

  it('presenceChanged on a show/status change, then the role change', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    env.conn.receive(
      `<presence from="probe@conference.localhost/bob"><show>away</show><status>lunch</status><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="none"/></x></presence>`,
    );
    expect(rec.names()).toEqual(['presenceChanged', 'roleChanged']);
    expect(rec[0]![1]).toMatchObject({ changed: ['show', 'status'] });
    const bob = room.getOccupant('bob')!;
    expect(bob.presenceState).toEqual({ available: true, show: 'away' });
    expect(bob.presenceStatus.any()).toBe('lunch');
    env.conn.receive(
      `<presence from="probe@conference.localhost/bob"><show>away</show><status>lunch</status><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="none"/></x></presence>`,
    );
    expect(rec.names()).toEqual(['presenceChanged', 'roleChanged', 'presenceChanged']);
    expect(rec[2]![1]).toMatchObject({ changed: [] });
  });

  it('presenceChanged on every available presence: an avatar hash, caps or priority update keeps the stanza (issue 13 bug 3)', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const bob = room.getOccupant('bob')!;
    const rec = recordAll(room);
    const avatar = `<presence from="probe@conference.localhost/bob"><x xmlns="vcard-temp:x:update"><photo>01b87fcd030b72895ff8e88db57ec525450f000d</photo></x><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`;
    const caps = `<presence from="probe@conference.localhost/bob"><priority>5</priority><c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="n" ver="v="/><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`;
    env.conn.receive(avatar);
    env.conn.receive(caps);
    env.conn.receive(
      `<presence from="probe@conference.localhost/bob"><show>dnd</show><status>busy</status><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`,
    );
    expect(rec.names()).toEqual(['presenceChanged', 'presenceChanged', 'presenceChanged']);
    const payloads = rec.map(([, p]) => p as RoomEvents['presenceChanged']);
    expect(payloads.map((p) => p.member)).toEqual([bob, bob, bob]);
    expect(payloads[0]!.presence.getChild('x', 'vcard-temp:x:update')?.getChildText('photo')).toBe(
      '01b87fcd030b72895ff8e88db57ec525450f000d',
    );
    expect(payloads[1]!.presence.getChildText('priority')).toBe('5');
    expect(payloads.map((p) => p.changed)).toEqual([[], [], ['show', 'status']]);
  });

  it('uid: changes once, from the occupant id to the real JID, when a later presence reveals it; emitted (issue 13 bug 5)', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const dave = (jid: string) =>
      `<presence from="probe@conference.localhost/dave"><occupant-id xmlns="urn:xmpp:occupant-id:0" id="dave-oid"/><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"${jid}/></x></presence>`;
    env.conn.receive(dave(''));
    const occupant = room.getOccupant('dave')!;
    expect(occupant.uid).toBe('oid:dave-oid');
    const rec = recordAll(room);
    env.conn.receive(dave(' jid="dave@localhost/home"'));
    expect(occupant.uid).toBe('jid:dave@localhost');
    expect(occupant.directJid?.toString()).toBe('dave@localhost/home');
    expect(rec).toEqual([['presenceChanged', { member: occupant, presence: expect.anything(), changed: ['jid'] }]]);
    env.conn.receive(dave(' jid="mallory@localhost/x"'));
    expect(occupant.uid).toBe('jid:dave@localhost');
    expect(rec[1]).toEqual(['presenceChanged', { member: occupant, presence: expect.anything(), changed: [] }]);
    // a message from dave carrying his real JID: the same uid as the live occupant
    env.conn.receive(
      `<message from="probe@conference.localhost/dave" type="groupchat" id="m1"><body>hi</body><occupant-id xmlns="urn:xmpp:occupant-id:0" id="dave-oid"/></message>`,
    );
    expect((rec[2]![1] as RoomEvents['message']).member.uid).toBe('jid:dave@localhost');
  });

  it('ignores an unavailable presence from an unknown nick and a presence without muc#user', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    expect(
      env.conn.receive(
        `<presence from="probe@conference.localhost/ghost" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="none"/></x></presence>`,
      ),
    ).toBe(true);
    expect(env.conn.receive(`<presence from="probe@conference.localhost/plain"/>`)).toBe(true);
    expect(rec).toEqual([]);
    expect(room.getOccupant('plain')).toBeUndefined();
  });
});

describe('Room: our own occupant removed by the room', () => {
  it('kicked (ejabberd): the bare-JID unavailable is ignored, then roleChanged and exit kicked', async () => {
    const env = setup();
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.receive(loadFixture('ejabberd-self-presence-join'));
    env.conn.receive(loadFixture('ejabberd-subject-empty-create'));
    await joined;
    const rec = recordAll(room);
    expect(env.conn.receive(loadFixture('ejabberd-kick-bare-unavailable'))).toBe(true);
    expect(rec).toEqual([]);
    env.conn.receive(loadFixture('ejabberd-kick-self'));
    expect(rec.names()).toEqual(['roleChanged', 'exit', 'stateChanged']);
    expect(rec[1]![1]).toMatchObject({ mode: LeaveMode.KICKED, reason: 'probe kick', actor: { nick: 'alice' } });
    expect(env.muc.rooms).toEqual([]);
  });

  it('destroyed (ejabberd, no status 110): exit destroyed with reason and alternate venue', async () => {
    const env = setup('alice@localhost/probe');
    const { room, joined } = env.muc.join(ROOM, 'alice');
    env.conn.receive(loadFixture('ejabberd-self-presence-create'));
    env.conn.receive(loadFixture('ejabberd-subject-empty-create'));
    await joined;
    const rec = recordAll(room);
    env.conn.receive(loadFixture('ejabberd-destroy-bare-unavailable'));
    env.conn.receive(loadFixture('ejabberd-destroy-self'));
    expect(rec.names()).toEqual(['roleChanged', 'affiliationChanged', 'exit', 'stateChanged']);
    const exit = rec[2]![1] as { mode: string; reason: string; destroy: { jid: { toString(): string }; reason: string } };
    expect(exit.mode).toBe(LeaveMode.DESTROYED);
    expect(exit.reason).toBe('probe over');
    expect(exit.destroy.jid.toString()).toBe('probe-new@conference.localhost');
  });

  it('destroyed (Prosody, with 110): exit destroyed', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordEvents(room, ['exit']);
    env.conn.receive(loadFixture('prosody-destroy-self'));
    expect(rec[0]![1]).toMatchObject({ mode: LeaveMode.DESTROYED, reason: 'probe over' });
  });
});
