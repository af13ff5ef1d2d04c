/**
 * The Room's moderation, voice, invitation and configuration actions (room-moderation.ts,
 * room-voice.ts, room-invitations.ts, room-config.ts) and the MucClient's invitation and
 * out-of-room requests: exact stanzas sent and exact event order, from captured Prosody and
 * ejabberd stanzas (test/fixtures/xep0045).
 */
import type { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotJoinedError, StanzaError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { InviteMode } from '../im/conversation.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { aliceRoom, type Env, joinedRoom, ROOM, setup } from '../../test/support/muc-setup.js';
import { recordAll } from '../../test/support/record-events.js';
import { MucClient } from './client.js';
import { LeaveMode } from './constants.js';
import type { RoomEvents } from './room-events.js';

const ADMIN = 'http://jabber.org/protocol/muc#admin';
const OWNER = 'http://jabber.org/protocol/muc#owner';

/** Fixture `name` re-addressed from its capture room to {@link ROOM} (resource kept), to `to`. */
function fx(name: string, to = 'alice@localhost/probe'): Element {
  const el = loadFixture(name);
  const from = JID.parse(el.attrs.from as string);
  el.attrs.from = from.resource === undefined ? ROOM : `${ROOM}/${from.resource}`;
  el.attrs.to = to;
  return el;
}

/** Answer `iq` with fixture `name` (id and addresses rewritten). */
function answer(env: Env, iq: Element, name: string): void {
  const reply = loadFixture(name);
  reply.attrs.id = iq.attrs.id;
  reply.attrs.from = iq.attrs.to;
  reply.attrs.to = env.conn.jid!.toString();
  env.conn.receive(reply);
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('Room moderation', () => {
  it('kick: role none by nick or occupant with the reason; resolves on the result', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const done = room.kick(room.getOccupant('bob')!, { reason: 'probe kick' });
    const iq = env.conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="bob" role="none"><reason>probe kick</reason></item></query></iq>`,
    );
    env.conn.replyTo(iq);
    await expect(done).resolves.toBeUndefined();
    const byNick = room.kick('carol');
    env.conn.expectSent(`<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="carol" role="none"/></query></iq>`);
    void byNick.catch(() => undefined);
  });

  it("passes the server's refusal through as StanzaError (Prosody not-allowed)", async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const done = room.setRole('bob', 'moderator', { reason: 'up' });
    const iq = env.conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="bob" role="moderator"><reason>up</reason></item></query></iq>`,
    );
    answer(env, iq, 'prosody-admin-set-not-allowed');
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StanzaError);
    expect(error).toMatchObject({ condition: 'not-allowed', type: 'cancel' });
  });

  it('ban: outcast with the bare real JID; a hidden real JID is an InvalidArgumentError naming why, nothing sent', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const done = room.ban('bob', { reason: 'cap ban' });
    const iq = env.conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="outcast" jid="bob@localhost"><reason>cap ban</reason></item></query></iq>`,
    );
    env.conn.replyTo(iq);
    await done;
    env.conn.receive(
      `<presence from="${ROOM}/anon" to="alice@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`,
    );
    const hidden = await room.ban(room.getOccupant('anon')!).catch((e: unknown) => e);
    expect(hidden).toBeInstanceOf(InvalidArgumentError);
    expect((hidden as Error).message).toMatch(/real JID of "anon" is hidden by the room/);
    env.conn.expectNothingSent();
  });

  it('NotJoinedError for every action before the join completes, nothing sent', async () => {
    const env = setup();
    const { room } = env.muc.join(ROOM, 'bob');
    env.conn.takeSent();
    for (const action of [
      () => room.kick('alice'),
      () => room.ban('alice'),
      () => room.setRole('alice', 'visitor'),
      () => room.setAffiliation('alice@localhost', 'member'),
      () => room.getAffiliated('member'),
      () => room.getRoles('moderator'),
      () => room.requestVoice(),
      () => room.invite('carol@localhost'),
      () => room.getConfiguration(),
      () => room.destroy(),
    ]) {
      await expect(action()).rejects.toBeInstanceOf(NotJoinedError);
    }
    env.conn.expectNothingSent();
  });

  it('setRoles / setAffiliations: one IQ per change by default (Prosody applies only the first item), one IQ with oneIq', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const one = room.setRoles([
      { nick: 'bob', role: 'visitor' },
      { nick: 'carol', role: 'visitor', reason: 'quiet' },
    ]);
    env.conn.replyTo(
      env.conn.expectSent(`<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="bob" role="visitor"/></query></iq>`),
    );
    await flush();
    env.conn.replyTo(
      env.conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="carol" role="visitor"><reason>quiet</reason></item></query></iq>`,
      ),
    );
    await one;
    const batch = room.setAffiliations(
      [
        { jid: 'bob@localhost', affiliation: 'member' },
        { jid: 'dave@localhost', affiliation: 'outcast', reason: 'spam' },
      ],
      { oneIq: true },
    );
    env.conn.replyTo(
      env.conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="member" jid="bob@localhost"/><item affiliation="outcast" jid="dave@localhost"><reason>spam</reason></item></query></iq>`,
      ),
    );
    await batch;
    env.conn.expectNothingSent();
  });

  it('getAffiliated / getRoles read the lists (Prosody and ejabberd captures)', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const members = room.getAffiliated('member');
    answer(
      env,
      env.conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="member"/></query></iq>`),
      'prosody-admin-member-list',
    );
    expect(await members).toEqual([{ jid: JID.parse('bob@localhost'), affiliation: 'member', nick: 'bobby' }]);
    const mods = room.getRoles('moderator');
    answer(
      env,
      env.conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item role="moderator"/></query></iq>`),
      'ejabberd-admin-moderator-list',
    );
    expect((await mods).map((m) => m.role)).not.toHaveLength(0);
  });
});

describe('Room events of role and affiliation changes', () => {
  it('our own role change is reported with actor and reason (Prosody)', async () => {
    const env = setup('bob@localhost/SHmonlLQnc8C');
    const { room, joined } = env.muc.join(ROOM, 'bob');
    env.conn.receive(
      `<presence from="${ROOM}/bob"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="member" role="participant"/><status code="110"/></x></presence>`,
    );
    await joined;
    const rec = recordAll(room);
    env.conn.receive(fx('prosody-role-change-visitor', 'bob@localhost/SHmonlLQnc8C'));
    // Every available presence is a presenceChanged first (issue 13, as aioxmpp).
    expect(rec.names()).toEqual(['stateChanged', 'presenceChanged', 'roleChanged']);
    expect(rec[2]![1]).toMatchObject({
      member: room.me,
      oldRole: 'participant',
      newRole: 'visitor',
      reason: 'quiet',
      actor: { nick: 'alice' },
    });
  });

  it('banned ourselves (ejabberd): roleChanged, affiliationChanged, then exit BANNED', async () => {
    const env = setup('bob@localhost/cap');
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.receive(fx('ejabberd-ban-self', 'bob@localhost/cap'));
    expect(rec.names()).toEqual(['roleChanged', 'affiliationChanged', 'exit', 'stateChanged']);
    expect(rec[1]![1]).toMatchObject({ newAffiliation: 'outcast', reason: 'cap ban', actor: { nick: 'alice' } });
    expect([...(rec[1]![1] as RoomEvents['affiliationChanged']).statusCodes].sort()).toEqual([110, 301]);
    expect(rec[2]![1]).toMatchObject({ mode: LeaveMode.BANNED, reason: 'cap ban' });
  });

  it('removed by an affiliation change (321, members-only room): roleChanged, then leave AFFILIATION_CHANGE with actor and reason', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    env.conn.receive(
      `<presence from="${ROOM}/carol" to="alice@localhost/probe" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="none" role="none" jid="carol@localhost/probe"><actor nick="alice"/><reason>members only now</reason></item><status code="321"/></x></presence>`,
    );
    expect(rec.names()).toEqual(['roleChanged', 'leave']);
    expect(rec[1]![1]).toMatchObject({ mode: LeaveMode.AFFILIATION_CHANGE, reason: 'members only now', actor: { nick: 'alice' } });
  });

  it('affiliationNotice with status 101: our affiliation changed while we were away', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    env.conn.receive(
      `<message from="${ROOM}" to="alice@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="admin" jid="alice@localhost"/><status code="101"/></x></message>`,
    );
    expect(rec.names()).toEqual(['affiliationNotice']);
    expect(rec[0]![1]).toMatchObject({ jid: JID.parse('alice@localhost'), affiliation: 'admin', statusCodes: new Set([101]) });
  });

  it('affiliationNotice for someone not in the room (Prosody and ejabberd)', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    expect(env.conn.receive(fx('prosody-affiliation-notice'))).toBe(true);
    expect(env.conn.receive(fx('ejabberd-affiliation-notice'))).toBe(true);
    expect(rec.names()).toEqual(['affiliationNotice', 'affiliationNotice']);
    expect(rec[0]![1]).toMatchObject({ jid: JID.parse('bob@localhost'), affiliation: 'member', reason: 'welcome' });
    expect(rec[1]![1]).toMatchObject({ jid: JID.parse('dave@localhost'), affiliation: 'outcast' });
  });
});

describe('Room voice requests', () => {
  it('requestVoice sends the muc#request form', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    await room.requestVoice();
    env.conn.expectSent(
      `<message to="${ROOM}" id="id2"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#request</value></field><field var="muc#role" type="list-single" label="Requested role"><value>participant</value></field></x></message>`,
    );
  });

  for (const server of ['prosody', 'ejabberd'] as const) {
    it(`roleRequest (${server}): typed form; two listeners approving send ONE answer`, async () => {
      const env = setup('alice@localhost/probe');
      const room = await aliceRoom(env);
      const rec = recordAll(room);
      const answers: Promise<void>[] = [];
      room.on('roleRequest', (r) => answers.push(r.approve()));
      room.on('roleRequest', (r) => answers.push(r.approve(), r.deny()));
      expect(env.conn.receive(fx(`${server}-voice-request`))).toBe(true);
      expect(rec.names()).toEqual(['roleRequest']);
      const request = rec[0]![1] as RoomEvents['roleRequest'];
      expect(request.nick).toBe('dave');
      expect(request.jid?.toString()).toBe('dave@localhost/probe');
      expect(request.form.role).toBe('participant');
      expect(request.answered).toBe(true);
      expect(new Set(answers).size).toBe(1);
      const sent = env.conn.nextSent();
      expect(sent.attrs.to).toBe(ROOM);
      const form = sent.getChild('x', 'jabber:x:data')!;
      expect(form.attrs.type).toBe('submit');
      const allow = form.getChildren('field').find((f) => f.attrs.var === 'muc#request_allow');
      expect(allow?.getChildText('value')).toBe('1');
      env.conn.expectNothingSent();
    });
  }
});

describe('Room voice requests: deny, and after leaving', () => {
  it('deny() submits request_allow false once; an answer after the room ended rejects with NotJoinedError', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const requests: RoomEvents['roleRequest'][] = [];
    room.on('roleRequest', (r) => requests.push(r));
    env.conn.receive(fx('prosody-voice-request'));
    env.conn.receive(fx('ejabberd-voice-request'));
    await requests[0]!.deny();
    await requests[0]!.approve();
    const sent = env.conn.nextSent();
    const allow = sent
      .getChild('x', 'jabber:x:data')!
      .getChildren('field')
      .find((f) => f.attrs.var === 'muc#request_allow');
    expect(allow?.getChildText('value')).toBe('0');
    env.conn.expectNothingSent();
    env.conn.receive(loadFixture('prosody-destroy-self'));
    await expect(requests[1]!.approve()).rejects.toBeInstanceOf(NotJoinedError);
    env.conn.expectNothingSent();
  });
});

describe('Room invitations', () => {
  it('invite: DIRECT carries the room password; MEDIATED goes through the room', async () => {
    const env = setup();
    const room = await joinedRoom(env, { password: 'pw' });
    await room.invite('carol@localhost', { reason: 'hi' });
    env.conn.expectSent(
      `<message to="carol@localhost" id="id2"><x xmlns="jabber:x:conference" jid="${ROOM}" password="pw" reason="hi"/></message>`,
    );
    await room.invite('carol@localhost', { reason: 'come', mode: InviteMode.MEDIATED });
    env.conn.expectSent(
      `<message to="${ROOM}" id="id3"><x xmlns="http://jabber.org/protocol/muc#user"><invite to="carol@localhost"><reason>come</reason></invite></x></message>`,
    );
  });

  it('declined: the decline of our mediated invitation (Prosody and ejabberd)', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const rec = recordAll(room);
    expect(env.conn.receive(fx('prosody-decline', 'alice@localhost'))).toBe(true);
    expect(env.conn.receive(fx('ejabberd-decline', 'alice@localhost'))).toBe(true);
    expect(rec.names()).toEqual(['declined', 'declined']);
    expect(rec[0]![1]).toMatchObject({ from: JID.parse('bob@localhost/SHmonlLQnc8C'), reason: 'busy' });
    expect(rec[1]![1]).toMatchObject({ from: JID.parse('bob@localhost/143524809000167802501282'), reason: 'busy' });
  });
});

describe('MucClient invitations', () => {
  for (const server of ['prosody', 'ejabberd'] as const) {
    it(`mucInvitation (${server}): a MEDIATED invitation from a room we are not in is claimed and emitted; declineInvitation`, async () => {
      const env = setup('admin@localhost/res');
      const seen: unknown[] = [];
      env.muc.on('mucInvitation', (i) => seen.push(i));
      expect(env.conn.receive(fx(`${server}-mediated-invite`, 'admin@localhost'))).toBe(true);
      expect(seen).toHaveLength(1);
      const invitation = seen[0] as Parameters<MucClient['declineInvitation']>[0];
      expect(invitation).toMatchObject({
        roomAddress: JID.parse(ROOM),
        inviterAddress: JID.parse('alice@localhost/probe'),
        mode: InviteMode.MEDIATED,
        reason: 'come',
      });
      await env.muc.declineInvitation(invitation, { reason: 'busy' });
      env.conn.expectSent(
        `<message to="${ROOM}" id="id1"><x xmlns="http://jabber.org/protocol/muc#user"><decline to="alice@localhost/probe"><reason>busy</reason></decline></x></message>`,
      );
    });
  }

  it('mucInvitation: a DIRECT invitation (ejabberd) from anyone; it cannot be declined', async () => {
    const env = setup('carol@localhost/res');
    const seen: unknown[] = [];
    env.muc.on('mucInvitation', (i) => seen.push(i));
    expect(env.conn.receive(loadFixture('ejabberd-direct-invite'))).toBe(true);
    expect(seen[0]).toMatchObject({
      roomAddress: JID.parse('capinv@conference.localhost'),
      mode: InviteMode.DIRECT,
      password: 'pw',
      reason: 'hi',
    });
    await expect(env.muc.declineInvitation(seen[0] as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    env.conn.expectNothingSent();
  });

  it('setAffiliation without joining; joinWithReservedNick uses the reserved nick (Prosody)', async () => {
    const env = setup('carol@localhost/UnczfASeE0k0');
    const done = env.muc.setAffiliation(ROOM, 'bob@localhost/res', 'member', { reason: 'welcome' });
    env.conn.replyTo(
      env.conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="member" jid="bob@localhost"><reason>welcome</reason></item></query></iq>`,
      ),
    );
    await done;
    const joining = env.muc.joinWithReservedNick(ROOM, { fallbackNick: 'guest' });
    const disco = env.conn.expectSent(
      `<iq type="get" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/disco#info" node="x-roomuser-item"/></iq>`,
    );
    answer(env, disco, 'prosody-reserved-nick');
    const { room } = await joining;
    expect(env.conn.nextSent().attrs.to).toBe(`${ROOM}/caro`);
    expect(room.jid.toString()).toBe(ROOM);
  });
});

describe('Room configuration', () => {
  it('createInstant, typed getConfiguration, setConfiguration, destroy: exact muc#owner stanzas', async () => {
    const env = setup('alice@localhost/probe');
    const room = await aliceRoom(env);
    const instant = room.createInstant();
    env.conn.replyTo(
      env.conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${OWNER}"><x xmlns="jabber:x:data" type="submit"/></query></iq>`,
      ),
    );
    await instant;
    const get = room.getConfiguration();
    answer(env, env.conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${OWNER}"/></iq>`), 'prosody-owner-config-form');
    const config = await get;
    config.moderatedroom = true;
    const set = room.setConfiguration(config);
    const iq = env.conn.nextSent();
    const moderated = iq
      .getChild('query', OWNER)!
      .getChild('x', 'jabber:x:data')!
      .getChildren('field')
      .find((f) => f.attrs.var === 'muc#roomconfig_moderatedroom');
    expect(moderated?.getChildText('value')).toBe('1');
    env.conn.replyTo(iq);
    await set;
    const destroyed = room.destroy({ reason: 'probe over', alternateVenue: 'probe-new@conference.localhost' });
    env.conn.replyTo(
      env.conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${OWNER}"><destroy jid="probe-new@conference.localhost"><reason>probe over</reason></destroy></query></iq>`,
      ),
    );
    await destroyed;
    const rec = recordAll(room);
    env.conn.receive(loadFixture('prosody-destroy-self'));
    expect(rec.names()).toEqual(['roleChanged', 'exit', 'stateChanged']);
    expect(rec[1]![1]).toMatchObject({
      mode: LeaveMode.DESTROYED,
      reason: 'probe over',
      destroy: { jid: JID.parse('probe-new@conference.localhost') },
    });
  });

  for (const server of ['prosody', 'ejabberd'] as const) {
    it(`configChanged (${server} 104 + 172) after the message, then info refreshed (fetchRoomInfo)`, async () => {
      const env = setup('alice@localhost/probe');
      const muc = new MucClient(env.conn, { clock: env.clock, logger: env.logger, newId: () => 'x', fetchRoomInfo: true });
      const { room, joined } = muc.join(ROOM, 'alice');
      env.conn.takeSent();
      env.conn.receive(loadFixture('prosody-self-presence-create'));
      await joined;
      answer(
        env,
        env.conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`),
        'prosody-room-info-public',
      );
      await flush();
      expect(room.features?.moderated).toBe(false);
      const rec = recordAll(room);
      env.conn.receive(fx(`${server}-config-change-message`));
      expect(rec.names()).toEqual(['stateChanged', 'message', 'configChanged']);
      expect([...(rec[2]![1] as RoomEvents['configChanged']).statusCodes].sort()).toEqual([104, 172]);
      answer(
        env,
        env.conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`),
        'ejabberd-room-info-secured',
      );
      await flush();
      expect(rec.names()).toEqual(['stateChanged', 'message', 'configChanged', 'infoChanged']);
      expect(room.info).toBe((rec[3]![1] as RoomEvents['infoChanged']).info);
      await muc.close();
    });
  }
});
