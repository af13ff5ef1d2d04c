import { describe, expect, it } from 'vitest';
import { x } from '../../test/support/xml.js';
import { FakeClock } from '../core/clock.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { RoomState } from './constants.js';
import { readMessage } from './message.js';
import { Occupant } from './occupant.js';
import { OccupantRegistry } from './occupant-registry.js';
import { HistoryReplay, historyEnd, historySender, liveSender, provablySame } from './history.js';
import type { RoomContext } from './room-context.js';

const ROOM = 'probe@conference.localhost';
const alice = () =>
  new Occupant({
    conversationJid: JID.parse(`${ROOM}/alice`),
    isSelf: false,
    directJid: JID.parse('alice@localhost/probe'),
    occupantId: 'oid-a',
  });

describe('historyEnd', () => {
  it('ends after a subject, before a live message or a presence, not on a delayed message', () => {
    expect(historyEnd({ kind: 'message', isSubject: true, delayed: true })).toBe('after');
    expect(historyEnd({ kind: 'message', isSubject: true, delayed: false })).toBe('after');
    expect(historyEnd({ kind: 'message', isSubject: false, delayed: false })).toBe('before');
    expect(historyEnd({ kind: 'message', isSubject: false, delayed: true })).toBe('no');
    expect(historyEnd({ kind: 'presence' })).toBe('before');
  });
});

describe('history senders', () => {
  it('needs nick AND (real bare JID or, when the room advertises XEP-0421, occupant id) to reuse a live occupant', () => {
    const a = alice();
    const from = JID.parse(`${ROOM}/ALICE`);
    expect(provablySame(a, { from, realJid: JID.parse('alice@localhost/other') })).toBe(true);
    expect(provablySame(a, { from, occupantId: 'oid-a' }, true)).toBe(true);
    expect(provablySame(a, { from, occupantId: 'oid-a' })).toBe(false);
    expect(provablySame(a, { from })).toBe(false);
    expect(provablySame(a, { from, realJid: JID.parse('mallory@evil/x') })).toBe(false);
    expect(provablySame(a, { from, occupantId: 'oid-m' })).toBe(false);
    expect(provablySame(a, { from: JID.parse(`${ROOM}/bob`), occupantId: 'oid-a' })).toBe(false);
  });

  it('returns the live occupant or a transitional one outside the registry', () => {
    const reg = new OccupantRegistry();
    const a = alice();
    reg.add(a);
    const from = JID.parse(`${ROOM}/alice`);
    expect(historySender(reg, { from, occupantId: 'oid-a' }, undefined, true)).toBe(a);
    expect(historySender(reg, { from, occupantId: 'oid-a' })).not.toBe(a);
    const t = historySender(reg, { from, realJid: JID.parse('mallory@evil/x') }, () => 'fixed');
    expect(t).not.toBe(a);
    expect(t.uid).toBe('jid:mallory@evil');
    expect(t.presenceState.available).toBe(false);
    expect(reg.get('alice')).toBe(a);
    expect(liveSender(reg, { from })).toBe(a);
    expect(liveSender(reg, { from, occupantId: 'oid-m' })).not.toBe(a);
    expect(liveSender(reg, { from: JID.parse(`${ROOM}/nobody`) }, () => 'r').uid).toBe('rnd:r');
  });
});

describe('HistoryReplay', () => {
  /** A replay on a minimal room context: state changes are recorded, time is a FakeClock. */
  function replay(historyTimeoutMs = 15_000) {
    const clock = new FakeClock();
    const registry = new OccupantRegistry();
    let state: RoomState = RoomState.HISTORY;
    const states: RoomState[] = [];
    const ctx = {
      jid: JID.parse(ROOM),
      host: { clock, logger: recordingLogger(), historyTimeoutMs, randomId: () => 'r' },
      registry,
      get state() {
        return state;
      },
      setState: (s: RoomState) => {
        state = s;
        states.push(s);
      },
    } as unknown as RoomContext;
    return { clock, registry, states, setState: (s: RoomState) => (state = s), replay: new HistoryReplay(ctx, { maxStanzas: 5 }) };
  }

  it('ends HISTORY after historyTimeoutMs without a history message; re-arming restarts the wait; clear() stops it', () => {
    const r = replay();
    r.replay.arm();
    r.clock.advance(10_000);
    r.replay.arm();
    r.clock.advance(14_999);
    expect(r.states).toEqual([]);
    r.clock.advance(1);
    expect(r.states).toEqual([RoomState.ACTIVE]);
    expect(r.clock.pending).toBe(0);
    r.replay.arm();
    r.replay.clear();
    expect(r.clock.pending).toBe(0);
  });

  it('does nothing when the room already left HISTORY, or with historyTimeoutMs 0', () => {
    const r = replay();
    r.replay.arm();
    r.setState(RoomState.ACTIVE);
    r.clock.advance(15_000);
    expect(r.states).toEqual([]);
    const never = replay(0);
    never.replay.arm();
    expect(never.clock.pending).toBe(0);
  });

  it('asks a rejoin for history since the last message seen, else since the stream was lost, else as first asked', () => {
    const first = replay();
    first.replay.rejoining();
    expect(first.replay.request).toEqual({ maxStanzas: 5 });

    const lost = replay();
    lost.clock.advance(1000);
    lost.replay.streamLost();
    lost.replay.rejoining();
    expect(lost.replay.request).toEqual({ since: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)) });

    const seen = replay();
    seen.replay.received(new Date('2026-11-25T11:44:30Z'));
    seen.replay.streamLost();
    seen.replay.rejoining();
    expect(seen.replay.request).toEqual({ since: new Date('2026-11-25T11:44:30Z') });

    const live = replay();
    live.clock.advance(2000);
    live.replay.received(undefined);
    live.clock.advance(5000);
    live.replay.streamLost();
    live.replay.rejoining();
    expect(live.replay.request).toEqual({ since: new Date(Date.UTC(2026, 0, 1, 0, 0, 2)) });
  });

  it('remembers messages as seen and resolves history senders by the real JID the room discloses', () => {
    const r = replay();
    const a = alice();
    r.registry.add(a);
    const from = JID.parse(`${ROOM}/alice`);
    const m = (jid: string) =>
      readMessage(
        x(
          `<message type="groupchat" id="h1" from="${ROOM}/alice"><body>b</body><x xmlns="http://jabber.org/protocol/muc#user"><item jid="${jid}"/></x></message>`,
        ),
      );
    expect(r.replay.sender(from, m('alice@localhost/elsewhere'))).toBe(a);
    const other = r.replay.sender(from, m('mallory@evil.example/x'));
    expect(other).not.toBe(a);
    expect(other.uid).toBe('jid:mallory@evil.example');
    expect(r.replay.seen.hasMessage(m('x@y/z'), 's1', 'alice')).toBe(false);
    r.replay.remember(m('x@y/z'), 's1', 'alice');
    expect(r.replay.seen.hasMessage(m('x@y/z'), 's1', 'alice')).toBe(true);
  });
});

describe('HistoryReplay.sender (issue 13)', () => {
  function ctxWith(registry: OccupantRegistry): RoomContext {
    return {
      jid: JID.parse(ROOM),
      host: { clock: new FakeClock(), logger: recordingLogger(), historyTimeoutMs: 0, randomId: () => 'r' },
      registry,
      state: RoomState.HISTORY,
    } as unknown as RoomContext;
  }
  const msg = (body: string) =>
    readMessage(
      x(
        `<message from="${ROOM}/alice" type="groupchat"><occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-a"/><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T11:00:00Z"/><body>${body}</body></message>`,
      ),
    );

  it('accepts an occupant-id match only once the room advertises urn:xmpp:occupant-id:0', () => {
    const reg = new OccupantRegistry();
    const a = alice();
    reg.add(a);
    const r = new HistoryReplay(ctxWith(reg), undefined);
    const from = JID.parse(`${ROOM}/alice`);
    expect(r.sender(from, msg('1'))).not.toBe(a);
    r.featuresKnown(['http://jabber.org/protocol/muc', 'urn:xmpp:occupant-id:0']);
    expect(r.sender(from, msg('2'))).toBe(a);
    r.featuresKnown(['http://jabber.org/protocol/muc']);
    expect(r.sender(from, msg('3'))).not.toBe(a);
  });
});
