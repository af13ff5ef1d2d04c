/**
 * The moderation and administration API of `Room` and `MucClient` (issue 8) against real
 * Prosody and ejabberd, with python3-aioxmpp as the other occupant (test/peers/peer.py): kick
 * and ban both ways, role and affiliation lists, voice requests approved both ways,
 * configuration changes and their notice, creation, room info and listing, invitations in
 * both modes both ways, decline, destroy with an alternate venue, nick registration. Over
 * xmuc's native connection only (the transports are covered by the core suites), to keep the
 * run short. Where the servers differ, each test asserts what each one does.
 */
import { Element } from 'ltx';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { InvalidArgumentError, StanzaError } from '../../src/core/errors.js';
import { JID } from '../../src/core/jid.js';
import { InviteMode } from '../../src/im/conversation.js';
import { LeaveMode, type Room, RoomState, StatusCode } from '../../src/muc/index.js';
import { describeEachServer } from '../support/servers.js';
import { bounded, Harness, next, PeerPool, peerEvent, type TestClient, WAIT_MS } from './muc-harness.js';

const opts = { timeoutMs: WAIT_MS };

describeEachServer('MUC moderation through Room and MucClient', (server) => {
  const pool = new PeerPool(server);
  const prosody = server.kind === 'prosody';
  let h: Harness;
  beforeEach(() => {
    h = new Harness(server, 'native', pool);
  });
  afterEach(async () => {
    await h.closeAll();
  });
  afterAll(async () => {
    await pool.closeAll();
  });

  /** `client` creates and unlocks a fresh room (instant, or `configure` on the typed form). */
  async function ownRoom(
    client: TestClient,
    tag: string,
    configure?: (c: Awaited<ReturnType<Room['getConfiguration']>>) => void,
  ): Promise<Room> {
    const { room, joined } = client.muc.join(h.room(tag), 'alice');
    const enter = next(room, 'enter');
    await bounded(joined, 'create');
    expect((await enter).statusCodes.has(StatusCode.CREATED)).toBe(true);
    if (configure) {
      const config = await room.getConfiguration(opts);
      configure(config);
      await room.createConfigured(config, opts);
    } else {
      await room.createInstant(opts);
    }
    if (room.state !== RoomState.ACTIVE) await next(room, 'stateChanged', ({ state }) => state === RoomState.ACTIVE);
    return room;
  }

  /** The peer `user` joins `room` as `nick`; resolves once we saw it join. */
  async function peerJoins(room: Room, user: string, nick: string) {
    const peer = await h.peer(user);
    const joined = next(room, 'join', ({ member }) => member.nick === nick);
    await peer.call('join', { room: room.jid.toString(), nick });
    const { member } = await joined;
    return { peer, member };
  }

  it('we kick and ban the peer (actor, reason; roleChanged/affiliationChanged before leave); lists', async () => {
    const alice = await h.client('alice');
    const room = await ownRoom(alice, 'kick');
    const roomJid = room.jid.toString();
    const { peer: bob, member } = await peerJoins(room, 'bob', 'bob');
    const events: string[] = [];
    for (const e of ['roleChanged', 'affiliationChanged', 'leave'] as const) room.on(e, () => events.push(e));
    const left = next(room, 'leave');
    await room.kick(member, { reason: 'out', ...opts });
    expect(await left).toMatchObject({ mode: LeaveMode.KICKED, reason: 'out', actor: { nick: 'alice' } });
    expect(events).toEqual(['roleChanged', 'leave']);
    expect(await bob.waitEvent(peerEvent('exit', roomJid))).toMatchObject({ mode: 'KICKED', reason: 'out' });

    const { member: again } = await peerJoins(room, 'bob', 'bob');
    events.length = 0;
    const banned = next(room, 'leave');
    await room.ban(again, { reason: 'gone', ...opts });
    expect(await banned).toMatchObject({ mode: LeaveMode.BANNED, reason: 'gone' });
    expect(events).toEqual(['roleChanged', 'affiliationChanged', 'leave']);
    expect((await room.getAffiliated('outcast', opts)).map((e) => e.jid.toString())).toEqual([`bob@${server.domain}`]);
    expect((await room.getAffiliated('owner', opts)).map((e) => e.jid.toString())).toEqual([alice.bare]);
    expect((await room.getRoles('moderator', opts)).map((e) => e.nick)).toEqual(['alice']);
    await room.setAffiliations(
      [
        { jid: `carol@${server.domain}`, affiliation: 'member' },
        { jid: `dave@${server.domain}`, affiliation: 'member' },
      ],
      opts,
    );
    expect((await room.getAffiliated('member', opts)).map((e) => e.jid.toString()).sort()).toEqual([
      `carol@${server.domain}`,
      `dave@${server.domain}`,
    ]);
  });

  it('the peer kicks and bans us: roleChanged (and affiliationChanged) then exit with actor and reason', async () => {
    const [alice, bob] = await Promise.all([h.client('alice'), h.peer('bob')]);
    const roomJid = await h.peerRoom(bob, 'kicked', 'bob');
    let { room, joined } = alice.muc.join(roomJid, 'alice');
    await bounded(joined, 'join');
    const aliceJoins = (n: number) =>
      bounded(
        (async () => {
          while (bob.events.filter(peerEvent('join', roomJid, { nick: 'alice' })).length < n) await new Promise((r) => setTimeout(r, 50));
        })(),
        'the peer sees alice join',
      );
    await aliceJoins(1);
    // As a participant: the server refuses a kick; a ban needs the real JID the room hides from us.
    const refused = await room.kick('bob', opts).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StanzaError);
    expect(['forbidden', 'not-allowed']).toContain((refused as StanzaError).condition);
    await expect(room.ban('bob', opts)).rejects.toBeInstanceOf(InvalidArgumentError);
    const events: string[] = [];
    const record = (r: Room) => {
      for (const e of ['roleChanged', 'affiliationChanged', 'exit'] as const) r.on(e, () => events.push(e));
    };
    record(room);
    let exit = next(room, 'exit');
    await bob.call('kick', { room: roomJid, nick: 'alice', reason: 'kicked' });
    expect(await exit).toMatchObject({ mode: LeaveMode.KICKED, reason: 'kicked', actor: { nick: 'bob' } });
    expect(events).toEqual(['roleChanged', 'exit']);
    ({ room, joined } = alice.muc.join(roomJid, 'alice'));
    await bounded(joined, 'rejoin');
    await aliceJoins(2);
    events.length = 0;
    record(room);
    exit = next(room, 'exit');
    await bob.call('ban', { room: roomJid, nick: 'alice', reason: 'banned' });
    expect(await exit).toMatchObject({ mode: LeaveMode.BANNED, reason: 'banned' });
    expect(events).toEqual(['roleChanged', 'affiliationChanged', 'exit']);
  });

  it('voice: the peer asks and we approve; we ask and the peer approves (moderated rooms)', async () => {
    const alice = await h.client('alice');
    const room = await ownRoom(alice, 'voice', (c) => {
      c.moderatedroom = true;
    });
    const { peer: bob } = await peerJoins(room, 'bob', 'bob');
    // ejabberd 23.01 makes newcomers participants even in a moderated room (members_by_default): revoke voice.
    expect(room.getOccupant('bob')!.role).toBe(prosody ? 'visitor' : 'participant');
    if (!prosody) {
      const revoked = next(room, 'roleChanged', ({ member }) => member.nick === 'bob');
      await room.setRole('bob', 'visitor', { reason: 'quiet', ...opts });
      // ejabberd names no actor in a role change.
      expect(await revoked).toMatchObject({ newRole: 'visitor', reason: 'quiet', actor: undefined });
    }
    const request = next(room, 'roleRequest');
    await bob.call('request_voice', { room: room.jid.toString() });
    const req = await request;
    expect(req.nick).toBe('bob');
    const granted = next(room, 'roleChanged', ({ member }) => member.nick === 'bob');
    await Promise.all([req.approve(), req.approve()]);
    expect(await granted).toMatchObject({ oldRole: 'visitor', newRole: 'participant' });
    await bob.waitEvent(peerEvent('role', room.jid.toString(), { nick: 'bob', role: 'participant' }));

    const roomJid = await h.peerRoom(bob, 'voice2', 'bob', { moderated: true });
    await bob.call('voice_policy', { room: roomJid, allow: true });
    const theirs = alice.muc.join(roomJid, 'alice');
    await bounded(theirs.joined, 'join');
    expect(theirs.room.me!.role).toBe(prosody ? 'visitor' : 'participant');
    if (!prosody) {
      const revoked = next(theirs.room, 'roleChanged', ({ member }) => member === theirs.room.me);
      await bob.waitEvent(peerEvent('join', roomJid, { nick: 'alice' }));
      await bob.call('set_role', { room: roomJid, nick: 'alice', role: 'visitor', reason: 'quiet' });
      expect(await revoked).toMatchObject({ newRole: 'visitor', reason: 'quiet' });
    }
    const mine = next(theirs.room, 'roleChanged', ({ member }) => member === theirs.room.me);
    await theirs.room.requestVoice();
    await bob.waitEvent(peerEvent('role_request', roomJid, { nick: 'alice' }));
    expect(await mine).toMatchObject({ newRole: 'participant' });
  });

  it('configuration: moderated, members-only, password; configChanged; room info and features', async () => {
    const alice = await h.client('alice');
    const room = await ownRoom(alice, 'config');
    const config = await room.getConfiguration(opts);
    expect(config.membersonly).toBe(false);
    config.moderatedroom = true;
    config.membersonly = true;
    // Prosody 0.12 has no passwordprotectedroom field: a room secret alone protects the room.
    if (config.has('passwordprotectedroom')) config.passwordprotectedroom = true;
    config.roomsecret = 'pw';
    const changed = next(room, 'configChanged');
    await room.setConfiguration(config, opts);
    expect((await changed).statusCodes.has(StatusCode.CONFIG_NON_PRIVACY_RELATED)).toBe(true);
    const info = await room.getRoomInfo(opts);
    expect(room.features).toBe(info.features);
    expect(info.features).toMatchObject({ moderated: true, membersOnly: true, passwordProtected: true });
    const fromClient = await alice.muc.getRoomInfo(room.jid, opts);
    expect(fromClient.featureSet.has('muc_membersonly')).toBe(true);
    const again = await alice.muc.getRoomConfig(room.jid, opts);
    expect({ moderated: again.moderatedroom, membersonly: again.membersonly, secret: again.roomsecret }).toEqual({
      moderated: true,
      membersonly: true,
      secret: 'pw',
    });
    if (!prosody) expect(again.passwordprotectedroom).toBe(true);
  });

  it('configured creation (persistent, public): found by findMucService, getUniqueRoomName and listRooms', async () => {
    const alice = await h.client('alice');
    const room = await ownRoom(alice, 'listed', (c) => {
      c.persistentroom = true;
      c.publicroom = true;
      c.roomname = 'Listed room';
    });
    const [service] = await alice.muc.findMucService(undefined, opts);
    expect(service!.jid.toString()).toBe(server.mucDomain);
    expect((await alice.muc.getUniqueRoomName(server.mucDomain, opts)).domain).toBe(server.mucDomain);
    const found: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await alice.muc.listRooms(server.mucDomain, { max: 50, after, ...opts });
      found.push(...page.rooms.map((r) => r.jid.toString()));
      after = page.next;
      if (after === undefined) break;
    }
    expect(found).toContain(room.jid.toString());
    await room.destroy(opts);
  });

  it('invitations both modes both ways; a declined mediated invitation', async () => {
    const [alice, carol] = await Promise.all([h.client('alice'), h.client('carol')]);
    // Available presences: invitations and declines go to the bare JIDs.
    await Promise.all([alice.connection.send(new Element('presence')), carol.connection.send(new Element('presence'))]);
    const room = await ownRoom(alice, 'invite');
    const roomJid = room.jid.toString();
    const bob = await h.peer('bob');
    await bob.call('available');
    await room.invite(`bob@${server.domain}`, { reason: 'direct', ...{ mode: InviteMode.DIRECT } });
    expect(await bob.waitEvent((l) => l.event === 'invitation' && l.room === roomJid && l.mode === 'DIRECT')).toMatchObject({
      reason: 'direct',
    });
    await room.invite(`bob@${server.domain}`, { reason: 'mediated', mode: InviteMode.MEDIATED });
    expect(await bob.waitEvent((l) => l.event === 'invitation' && l.room === roomJid && l.mode === 'MEDIATED')).toMatchObject({
      reason: 'mediated',
    });

    const bobRoom = await h.peerRoom(bob, 'invite2', 'bob');
    for (const mode of ['DIRECT', 'MEDIATED'] as const) {
      const got = alice.muc.waitFor('mucInvitation', {
        timeoutMs: WAIT_MS,
        filter: (i) => i.roomAddress.toString() === bobRoom && i.mode === InviteMode[mode],
      });
      await bob.call('invite', { room: bobRoom, jid: alice.bare, mode, reason: mode });
      const invitation = await got;
      expect(invitation.reason).toBe(mode);
      expect(invitation.inviterAddress?.bare().toString()).toBe(mode === 'MEDIATED' && prosody ? bobRoom : `bob@${server.domain}`);
    }

    const invited = carol.muc.waitFor('mucInvitation', { timeoutMs: WAIT_MS });
    await room.invite(carol.bare, { mode: InviteMode.MEDIATED, reason: 'come' });
    const invitation = await invited;
    const declined = next(room, 'declined');
    await carol.muc.declineInvitation(invitation, { reason: 'busy' });
    const decline = await declined;
    expect(decline.reason).toBe('busy');
    expect(decline.from?.bare().toString()).toBe(carol.bare);
  });

  it('destroy with an alternate venue: we and the peer exit DESTROYED with reason and venue', async () => {
    const alice = await h.client('alice');
    const room = await ownRoom(alice, 'destroy');
    const { peer: bob } = await peerJoins(room, 'bob', 'bob');
    const venue = h.room('venue');
    const exit = next(room, 'exit');
    await room.destroy({ reason: 'moving', alternateVenue: venue, ...opts });
    const out = await exit;
    expect(out).toMatchObject({ mode: LeaveMode.DESTROYED, reason: 'moving' });
    expect(out.destroy?.jid?.toString()).toBe(venue);
    // aioxmpp 0.13 does not read <destroy/>: its on_exit reports a destroyed room as NORMAL.
    expect(await bob.waitEvent(peerEvent('exit', room.jid.toString()))).toMatchObject({ mode: 'NORMAL' });
  });

  it(`nick registration (${prosody ? 'per room, members only' : 'per service'}); joinWithReservedNick uses it`, async () => {
    const [alice, carol] = await Promise.all([h.client('alice'), h.client('carol')]);
    const room = await ownRoom(alice, 'register', (c) => {
      c.persistentroom = true;
    });
    if (prosody) await alice.muc.setAffiliation(room.jid, carol.bare, 'member', opts);
    const nick = `c${Math.random().toString(36).slice(2, 8)}`;
    await carol.muc.registerNick(room.jid, nick, undefined, opts);
    expect(await carol.muc.getReservedNick(room.jid, opts)).toBe(nick);
    const { room: carolRoom, joined } = await carol.muc.joinWithReservedNick(room.jid, { fallbackNick: 'guest' });
    await bounded(joined, 'join with the reserved nick');
    expect(carolRoom.me!.nick).toBe(nick);
    await room.destroy(opts);
    expect(JID.parse(room.jid.toString()).domain).toBe(server.mucDomain);
  });
});
