/**
 * xmuc's MucClient against real Prosody and ejabberd (native connection and fromXmppJs), with
 * python3-aioxmpp (and python3-slixmpp as a third occupant) in the room: nick changes, subject
 * changes and private messages both ways, an occupant kicked and banned as we see it, being
 * kicked and banned ourselves, refusals (subject, visitor messages), a destroyed room, and our
 * own leave.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotJoinedError, StanzaError } from '../../src/core/errors.js';
import { LeaveMode, MessageState, MucJoinError, type Room, RoomState, StatusCode } from '../../src/muc/index.js';
import type { Peer } from '../support/peer.js';
import { describeEachServer } from '../support/servers.js';
import { bounded, Harness, next, PeerPool, peerEvent, rejectionOf, type TestClient, TRANSPORTS } from './muc-harness.js';

describeEachServer('MUC core: occupants, nick, subject, PMs, leave', (server) => {
  const pool = new PeerPool(server);
  afterAll(async () => {
    await pool.closeAll();
  });
  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      let h: Harness;
      beforeEach(() => {
        h = new Harness(server, transport, pool);
      });
      afterEach(async () => {
        await h.closeAll();
      });

      /** Alice (xmuc) joins a room created by the peer bob (aioxmpp). */
      async function aliceWithBob(
        tag: string,
        config: Record<string, unknown> = {},
      ): Promise<{ alice: TestClient; bob: Peer; roomJid: string; room: Room }> {
        const [alice, bob] = await Promise.all([h.client('alice'), h.peer('bob')]);
        const roomJid = await h.peerRoom(bob, tag, 'bob', config);
        const { room, joined } = alice.muc.join(roomJid, 'alice');
        await bounded(joined, 'join');
        if (room.state !== RoomState.ACTIVE) await next(room, 'stateChanged', ({ state }) => state === RoomState.ACTIVE);
        await bob.waitEvent(peerEvent('join', roomJid, { nick: 'alice' }));
        return { alice, bob, roomJid, room };
      }

      it("nick changes both ways: ours (303 round trip, conflict refused) and the peer's (same Occupant object)", async () => {
        const { bob, roomJid, room } = await aliceWithBob('nick');
        const me = room.me!;
        const mine = next(room, 'nickChanged');
        expect(await room.setNick('alice2', { timeoutMs: 10_000 })).toBe('alice2');
        const ours = await mine;
        expect(ours.member).toBe(me);
        expect({ oldNick: ours.oldNick, newNick: ours.newNick }).toEqual({ oldNick: 'alice', newNick: 'alice2' });
        expect(ours.statusCodes.has(StatusCode.NEW_NICKNAME)).toBe(true);
        expect(room.me).toBe(me);
        expect(me.nick).toBe('alice2');
        await bob.waitEvent(peerEvent('nick_changed', roomJid, { old: 'alice', new: 'alice2' }));

        const bobOccupant = room.getOccupant('bob')!;
        const theirs = next(room, 'nickChanged', ({ member }) => member !== me);
        await bob.call('nick', { room: roomJid, nick: 'robert' });
        const seen = await theirs;
        expect(seen.member).toBe(bobOccupant);
        expect({ oldNick: seen.oldNick, newNick: seen.newNick }).toEqual({ oldNick: 'bob', newNick: 'robert' });
        expect(bobOccupant.nick).toBe('robert');
        expect(room.getOccupant('robert')).toBe(bobOccupant);
        expect(room.getOccupant('bob')).toBeUndefined();
        expect(room.members.map((m) => m.nick)).toEqual(['alice2', 'robert']);

        const conflict = await rejectionOf(room.setNick('robert', { timeoutMs: 10_000 }), 'setNick to a taken nick');
        expect(conflict).toBeInstanceOf(StanzaError);
        expect((conflict as StanzaError).condition).toBe('conflict');
        expect(me.nick).toBe('alice2');
        expect(room.isActive).toBe(true);
      });

      it("an occupant's presence change (show and status) is a presenceChanged on the same Occupant", async () => {
        const { bob, roomJid, room } = await aliceWithBob('presence');
        const bobOccupant = room.getOccupant('bob')!;
        // Every available presence is a presenceChanged (as aioxmpp): wait for the one that changes show.
        const changed = next(room, 'presenceChanged', (p) => p.changed.includes('show'));
        await bob.call('presence', { room: roomJid, show: 'away', status: 'brb ☕' });
        const { member, presence, changed: what } = await changed;
        expect(what).toEqual(['show', 'status']);
        expect(member).toBe(bobOccupant);
        expect(presence.attrs.from).toBe(`${roomJid}/bob`);
        expect(bobOccupant.presenceState).toEqual({ available: true, show: 'away' });
        expect(bobOccupant.presenceStatus.any()).toBe('brb ☕');
        expect(room.members.map((m) => m.nick)).toEqual(['alice', 'bob']);
      });

      it('subject changes both ways', async () => {
        const { bob, roomJid, room } = await aliceWithBob('subject', { changesubject: true });
        const ourTopic = next(room, 'topicChanged');
        await room.setTopic('Set by xmuc — ✓', { timeoutMs: 10_000 });
        expect((await ourTopic).topic.any()).toBe('Set by xmuc — ✓');
        expect(room.subject.any()).toBe('Set by xmuc — ✓');
        expect(room.subjectSetter).toBe('alice');
        await bob.waitEvent(peerEvent('subject', roomJid, { text: 'Set by xmuc — ✓', nick: 'alice' }));

        const theirTopic = next(room, 'topicChanged');
        await bob.call('subject', { room: roomJid, text: 'Set by aioxmpp' });
        const { topic, member, nick } = await theirTopic;
        expect(topic.any()).toBe('Set by aioxmpp');
        expect(nick).toBe('bob');
        expect(member).toBe(room.getOccupant('bob'));
        expect(room.subject.any()).toBe('Set by aioxmpp');
        expect(room.subjectSetter).toBe('bob');
      });

      it('private messages both ways, never emitted as groupchat', async () => {
        const { bob, roomJid, room } = await aliceWithBob('pm');
        const groupchat: string[] = [];
        room.on('message', ({ message }) => groupchat.push(message.body.any() ?? ''));

        await room.sendPrivateMessage(room.getOccupant('bob')!, 'psst from xmuc ü');
        const atBob = await bob.waitEvent((l) => l.event === 'pm' && l.from === `${roomJid}/alice`);
        expect(atBob.body).toBe('psst from xmuc ü');

        const pm = next(room, 'privateMessage');
        await bob.call('pm', { room: roomJid, nick: 'alice', body: 'psst from aioxmpp ✓' });
        const { message, member } = await pm;
        expect(message.body.any()).toBe('psst from aioxmpp ✓');
        expect(message.type).toBe('chat');
        expect(member).toBe(room.getOccupant('bob'));
        expect(groupchat).toEqual([]);
      });

      it('an occupant kicked, as we see it; then we are kicked ourselves', async () => {
        const { alice, bob, roomJid, room } = await aliceWithBob('kick');
        const carol = await h.peer('carol', 'slixmpp');
        const carolJoined = next(room, 'join', ({ member }) => member.nick === 'carol');
        await carol.call('join', { room: roomJid, nick: 'carol' });
        await carolJoined;
        await bob.waitEvent(peerEvent('join', roomJid, { nick: 'carol' }));

        const left = next(room, 'leave');
        await bob.call('kick', { room: roomJid, nick: 'carol', reason: 'out you go' });
        const leave = await left;
        expect(leave.member.nick).toBe('carol');
        expect(leave.mode).toBe(LeaveMode.KICKED);
        expect(leave.reason).toBe('out you go');
        expect(leave.statusCodes.has(StatusCode.REMOVED_KICKED)).toBe(true);
        expect(room.getOccupant('carol')).toBeUndefined();
        expect(room.members.map((m) => m.nick)).toEqual(['alice', 'bob']);

        const exited = next(room, 'exit');
        await bob.call('kick', { room: roomJid, nick: 'alice', reason: 'you too' });
        const exit = await exited;
        expect(exit.mode).toBe(LeaveMode.KICKED);
        expect(exit.reason).toBe('you too');
        expect(exit.statusCodes.has(StatusCode.SELF)).toBe(true);
        expect(exit.statusCodes.has(StatusCode.REMOVED_KICKED)).toBe(true);
        expect(room.isJoined).toBe(false);
        expect(alice.muc.rooms).toEqual([]);
      });

      it('an occupant banned, as we see it; then we are banned and cannot rejoin', async () => {
        const { alice, bob, roomJid, room } = await aliceWithBob('ban');
        const carol = await h.peer('carol', 'slixmpp');
        const carolJoined = next(room, 'join', ({ member }) => member.nick === 'carol');
        await carol.call('join', { room: roomJid, nick: 'carol' });
        await carolJoined;
        await bob.waitEvent(peerEvent('join', roomJid, { nick: 'carol' }));

        const left = next(room, 'leave');
        await bob.call('ban', { room: roomJid, nick: 'carol', reason: 'banned!' });
        const leave = await left;
        expect(leave.member.nick).toBe('carol');
        expect(leave.mode).toBe(LeaveMode.BANNED);
        expect(leave.reason).toBe('banned!');
        expect(leave.statusCodes.has(StatusCode.REMOVED_BANNED)).toBe(true);
        expect(room.members.map((m) => m.nick)).toEqual(['alice', 'bob']);

        const exited = next(room, 'exit');
        await bob.call('ban', { room: roomJid, nick: 'alice', reason: 'you too' });
        const exit = await exited;
        expect(exit.mode).toBe(LeaveMode.BANNED);
        expect(exit.statusCodes.has(StatusCode.REMOVED_BANNED)).toBe(true);
        expect(alice.muc.rooms).toEqual([]);

        const error = await rejectionOf(alice.muc.join(roomJid, 'alice').joined, 'rejoin after ban');
        expect(error).toBeInstanceOf(MucJoinError);
        expect((error as MucJoinError).reason).toBe('banned');
        expect(((error as MucJoinError).cause as StanzaError).condition).toBe('forbidden');
      });

      it("refusals reach the caller: setTopic forbidden, a visitor's tracked message ERROR, an untracked one messageError", async () => {
        const { bob, roomJid, room } = await aliceWithBob('refused', { moderated: true, changesubject: false });
        if (room.me?.role !== 'visitor') {
          // ejabberd makes newcomers participants even in a moderated room: revoke voice.
          const changed = next(room, 'roleChanged', ({ member }) => member === room.me);
          await bob.call('set_role', { room: roomJid, nick: 'alice', role: 'visitor' });
          const { oldRole, newRole } = await changed;
          expect({ oldRole, newRole }).toEqual({ oldRole: 'participant', newRole: 'visitor' });
        }
        expect(room.me?.role).toBe('visitor');
        const subjectBefore = room.subject.any();

        const topicError = await rejectionOf(room.setTopic('not allowed', { timeoutMs: 10_000 }), 'setTopic as visitor');
        expect(topicError).toBeInstanceOf(StanzaError);
        expect((topicError as StanzaError).condition).toBe('forbidden');
        expect(room.subject.any()).toBe(subjectBefore);

        const tracker = room.sendMessageTracked('visitors cannot talk', { timeoutMs: 10_000 });
        expect(await bounded(tracker.settled, 'tracker')).toBe(MessageState.ERROR);
        expect(tracker.error).toBeInstanceOf(StanzaError);
        expect((tracker.error as StanzaError).condition).toBe('forbidden');

        const failed = next(room, 'messageError');
        await room.sendMessage('still cannot talk');
        const { error, message } = await failed;
        expect(error.condition).toBe('forbidden');
        expect(message.from?.toString()).toBe(roomJid);
        expect(room.isJoined).toBe(true);
      });

      it('the owner destroys the room: exit DESTROYED with the reason and the alternate venue', async () => {
        const { alice, bob, roomJid, room } = await aliceWithBob('destroyed');
        const venue = h.room('venue');
        const exited = next(room, 'exit');
        await bob.call('destroy', { room: roomJid, reason: 'moving on', alt: venue });
        const exit = await exited;
        expect(exit.mode).toBe(LeaveMode.DESTROYED);
        expect(exit.destroy?.reason).toBe('moving on');
        expect(exit.destroy?.jid?.toString()).toBe(venue);
        expect(room.isJoined).toBe(false);
        expect(alice.muc.rooms).toEqual([]);
      });

      it('MucClient.close() leaves every room: the peer sees us go from each', async () => {
        const [alice, bob] = await Promise.all([h.client('alice'), h.peer('bob')]);
        const rooms = await Promise.all([h.peerRoom(bob, 'close-a', 'bob'), h.peerRoom(bob, 'close-b', 'bob')]);
        const joins = rooms.map((r) => alice.muc.join(r, 'alice'));
        await bounded(Promise.all(joins.map((j) => j.joined)), 'joins');
        await Promise.all(rooms.map((r) => bob.waitEvent(peerEvent('join', r, { nick: 'alice' }))));
        await bounded(alice.muc.close(), 'close');
        expect(alice.muc.rooms).toEqual([]);
        for (const r of rooms) {
          const left = await bob.waitEvent(peerEvent('leave', r, { nick: 'alice' }));
          expect(left.mode).toBe('NORMAL');
        }
        expect(() => alice.muc.join(rooms[0]!, 'alice')).toThrow();
      });

      it('our own leave: exit NORMAL on the self-unavailable presence, the peer sees it, the room is forgotten', async () => {
        const { alice, bob, roomJid, room } = await aliceWithBob('leave');
        const me = room.me;
        const exited = next(room, 'exit');
        await room.leave({ timeoutMs: 10_000 });
        const exit = await exited;
        expect(exit.mode).toBe(LeaveMode.NORMAL);
        expect(exit.occupant).toBe(me);
        expect(exit.presence?.attrs.type).toBe('unavailable');
        expect(exit.statusCodes.has(StatusCode.SELF)).toBe(true);
        expect(room.isJoined).toBe(false);
        expect(room.state).toBe(RoomState.DISCONNECTED);
        expect(alice.muc.rooms).toEqual([]);
        await expect(room.sendMessage('too late')).rejects.toBeInstanceOf(NotJoinedError);
        const atBob = await bob.waitEvent(peerEvent('leave', roomJid, { nick: 'alice' }));
        expect(atBob.mode).toBe('NORMAL');
      });
    });
  }
});
