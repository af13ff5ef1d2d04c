/**
 * Room reliability on fake time: the XEP-0410 self-ping wiring (start, reset, stale/fresh,
 * a negative result), the rejoin retries (333, a refused rejoin, never a kick), the archive
 * catch-up (order, source, de-duplication), `room.position` and the `since` join option.
 */
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { joinedRoom, ROOM, setup, type Env } from '../../test/support/muc-setup.js';
import { recordAll } from '../../test/support/record-events.js';
import { InvalidArgumentError } from '../core/errors.js';
import { LeaveMode, RoomState } from './constants.js';
import { RoomPosition } from './position.js';

const SELF_PING = { softTimeoutMs: 1000, hardTimeoutMs: 2000, pingIntervalMs: 500, pingTimeoutMs: 400 };
const REJOIN = { random: () => 1, baseDelayMs: 1000 };
const MAM = 'urn:xmpp:mam:2';
const DISCO = `<iq type="get" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`;
const PING = `<iq type="get" to="${ROOM}/bob" id="*"><ping xmlns="urn:xmpp:ping"/></iq>`;
const ERR = (condition: string, type = 'cancel') =>
  `<error type="${type}"><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`;
const said = (sid: string, body: string) =>
  `<message from="${ROOM}/alice" type="groupchat" id="${sid}-id"><body>${body}</body><stanza-id xmlns="urn:xmpp:sid:0" by="${ROOM}" id="${sid}"/></message>`;

/** Let promise callbacks run (replies, catch-up steps); no timers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** Answer the disco#info a first join resuming from a stored position sends first, with or without the archive feature. */
async function answerDisco(env: Env, mam: boolean): Promise<void> {
  const feature = mam ? `<feature var="${MAM}"/>` : '';
  env.conn.replyTo(
    env.conn.expectSent(DISCO),
    `<query xmlns="http://jabber.org/protocol/disco#info"><feature var="http://jabber.org/protocol/muc"/>${feature}</query>`,
  );
  await settle();
}

describe('Room self-ping (XEP-0410)', () => {
  it('pings our occupant after softTimeoutMs of silence; any room traffic resets the silence', async () => {
    const env = setup(undefined, { selfPing: SELF_PING });
    const room = await joinedRoom(env);
    expect([room.softTimeoutMs, room.hardTimeoutMs, room.pingIntervalMs, room.pingTimeoutMs]).toEqual([1000, 2000, 500, 400]);
    env.clock.advance(900);
    env.conn.receive(said('s1', 'still here'));
    env.clock.advance(900);
    env.conn.receive(loadFixture('prosody-occupant-presence'));
    env.clock.advance(999);
    env.conn.expectNothingSent();
    env.clock.advance(1);
    const ping = env.conn.expectSent(PING);
    env.conn.replyTo(ping);
    await settle();
    env.clock.advance(999);
    env.conn.expectNothingSent();
    await env.muc.close();
    expect(room.isJoined).toBe(false);
    expect(env.clock.pending).toBe(0);
  });

  it('stale after hardTimeoutMs (once), fresh on the next traffic; inconclusive pings go on', async () => {
    const env = setup(undefined, { selfPing: SELF_PING });
    const room = await joinedRoom(env);
    env.conn.receive(said('s0', 'zero'));
    const rec = recordAll(room);
    env.clock.advance(1000);
    env.conn.expectSent(PING); // unanswered: times out at 1400, inconclusive
    env.clock.advance(400);
    await settle();
    env.clock.advance(100);
    const second = env.conn.expectSent(PING);
    env.conn.replyTo(second, ERR('remote-server-timeout', 'wait')); // inconclusive
    await settle();
    env.clock.advance(500);
    expect(rec.names()).toEqual(['stale']);
    expect(room.isStale).toBe(true);
    env.conn.expectSent(PING);
    env.clock.advance(5000);
    expect(rec.names().filter((n) => n === 'stale')).toHaveLength(1);
    env.conn.takeSent();
    env.conn.receive(said('s1', 'back'));
    expect(rec.names()).toEqual(['stale', 'fresh', 'message']);
    expect(rec[1]![1]).toEqual({ silentForMs: 7000 });
    expect(room.isStale).toBe(false);
    env.conn.expectSent(DISCO); // fresh after stale: the catch-up looks for an archive
  });

  it('a not-acceptable self-ping rejoins an autorejoin room: suspend, resume, the join presence, enter', async () => {
    const env = setup(undefined, { selfPing: SELF_PING, rejoin: REJOIN });
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.clock.advance(1000);
    env.conn.replyTo(env.conn.expectSent(PING), ERR('not-acceptable', 'modify'));
    await settle();
    expect(rec.names()).toEqual(['stateChanged', 'suspend']);
    expect(room.isJoined).toBe(true);
    env.clock.advance(999);
    env.conn.expectNothingSent();
    env.clock.advance(1);
    expect(rec.names()).toEqual(['stateChanged', 'suspend', 'stateChanged', 'resume']);
    expect(env.conn.nextSent().attrs).toMatchObject({ to: `${ROOM}/bob` });
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    expect(room.state).toBe(RoomState.HISTORY);
    expect(rec.names().slice(4)).toEqual(['stateChanged', 'enter']);
  });

  it('a not-acceptable self-ping exits a room without autorejoin with DISCONNECTED', async () => {
    const env = setup(undefined, { selfPing: SELF_PING });
    const room = await joinedRoom(env, { autorejoin: false });
    const rec = recordAll(room);
    env.clock.advance(1000);
    env.conn.replyTo(env.conn.expectSent(PING), ERR('not-acceptable', 'modify'));
    await settle();
    expect(rec.names()).toEqual(['exit', 'stateChanged']);
    expect(rec[0]![1]).toMatchObject({ mode: LeaveMode.DISCONNECTED });
    expect(env.muc.rooms).toEqual([]);
    expect(env.clock.pending).toBe(0);
  });

  it('does not run before presence sync began, nor while suspended; the durations are settable and checked', async () => {
    const env = setup(undefined, { selfPing: SELF_PING });
    const { room } = env.muc.join(ROOM, 'bob');
    env.conn.takeSent();
    env.clock.advance(10_000);
    env.conn.expectNothingSent();
    expect(env.clock.pending).toBe(1); // the join timeout only
    room.softTimeoutMs = 5000;
    expect(room.softTimeoutMs).toBe(5000);
    expect(() => {
      room.pingIntervalMs = 0;
    }).toThrow(InvalidArgumentError);
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    env.conn.destroy();
    env.clock.advance(60_000);
    env.conn.expectNothingSent();
  });

  it('selfPing: false turns it off', async () => {
    const env = setup(undefined, { selfPing: SELF_PING });
    await joinedRoom(env, { selfPing: false });
    expect(env.clock.pending).toBe(0);
  });
});

describe('Room rejoin retries', () => {
  const REMOVED_333 = `<presence from="${ROOM}/bob" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="none" role="none"/><status code="110"/><status code="333"/></x></presence>`;

  it('a 333 removal is retried with backoff; a refused attempt reports rejoinFailed and is retried; then joined', async () => {
    const env = setup(undefined, { rejoin: REJOIN });
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.receive(REMOVED_333);
    expect(rec.names()).toEqual(['roleChanged', 'stateChanged', 'suspend']);
    expect(room.isJoined).toBe(true);
    env.clock.advance(1000);
    const join = env.conn.nextSent();
    env.conn.receive(`<presence from="${ROOM}/bob" type="error" id="${join.attrs.id}">${ERR('service-unavailable', 'wait')}</presence>`);
    await settle();
    const failed = rec.find(([n]) => n === 'rejoinFailed');
    expect(failed?.[1]).toMatchObject({ attempt: 1, willRetry: true, error: { name: 'MucJoinError' } });
    expect(rec.names().slice(3)).toEqual(['stateChanged', 'resume', 'stateChanged', 'suspend', 'rejoinFailed']);
    env.clock.advance(1999);
    env.conn.expectNothingSent();
    env.clock.advance(1);
    env.conn.nextSent();
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    expect(rec.names().slice(8)).toEqual(['stateChanged', 'resume', 'stateChanged', 'enter']);
    expect(env.muc.rooms).toEqual([room]);
  });

  it('gives up after maxAttempts: rejoinFailed with willRetry false, then exit', async () => {
    const env = setup(undefined, { rejoin: { ...REJOIN, maxAttempts: 1 } });
    const room = await joinedRoom(env);
    const rec = recordAll(room);
    env.conn.receive(REMOVED_333);
    env.clock.advance(1000);
    const join = env.conn.nextSent();
    env.conn.receive(`<presence from="${ROOM}/bob" type="error" id="${join.attrs.id}">${ERR('service-unavailable', 'wait')}</presence>`);
    await settle();
    expect(rec.names().slice(-3)).toEqual(['suspend', 'rejoinFailed', 'exit']);
    expect(rec.find(([n]) => n === 'rejoinFailed')?.[1]).toMatchObject({ willRetry: false });
    expect(rec.find(([n]) => n === 'exit')?.[1]).toMatchObject({ mode: LeaveMode.ERROR });
    expect(env.muc.rooms).toEqual([]);
    expect(env.clock.pending).toBe(0);
  });

  it('a kick (307) or a ban (301) is never retried', async () => {
    for (const fixture of ['prosody-kick-self', 'prosody-ban-self']) {
      const env = setup(undefined, { rejoin: REJOIN });
      const room = await joinedRoom(env);
      const rec = recordAll(room);
      const removal = loadFixture(fixture);
      removal.attrs.from = `${ROOM}/bob`;
      env.conn.receive(removal);
      expect(rec.names()).toContain('exit');
      expect(rec.names()).not.toContain('suspend');
      env.clock.advance(600_000);
      env.conn.expectNothingSent();
    }
  });
});

describe('Room catch-up', () => {
  it('rejoins a room with an archive without history, pages the archive after the last stanza-id, holds live messages meanwhile', async () => {
    const env = setup();
    const room = await joinedRoom(env);
    const lines: string[] = [];
    room.on('message', ({ message, source }) => lines.push(`${source}:${message.body.any()}`));
    env.conn.receive(said('s1', 'one'));
    expect(room.position?.stanzaId).toBe('s1');
    env.conn.destroy();
    env.conn.establish();
    env.conn.expectSent(
      `<presence to="${ROOM}/bob" id="*"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="0"/></x></presence>`,
    );
    env.conn.receive(loadFixture('prosody-self-presence-join'));
    await settle();
    const query = env.conn.nextSent();
    expect(query.getChild('query', MAM)?.getChild('set')?.getChildText('after')).toBe('s1');
    const qid = query.getChild('query', MAM)!.attrs.queryid as string;
    env.conn.receive(said('s4', 'four')); // live, during the walk: held
    const result = (sid: string, body: string) =>
      `<message from="${ROOM}"><result xmlns="${MAM}" queryid="${qid}" id="${sid}"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2026-01-01T00:00:00Z"/><message xmlns="jabber:client" type="groupchat" from="${ROOM}/alice" id="${sid}-id"><body>${body}</body></message></forwarded></result></message>`;
    env.conn.receive(result('s2', 'two'));
    env.conn.receive(result('s3', 'three'));
    env.conn.receive(result('s4', 'four'));
    env.conn.replyTo(
      query,
      `<fin xmlns="${MAM}" complete="true"><set xmlns="http://jabber.org/protocol/rsm"><first>s2</first><last>s4</last></set></fin>`,
    );
    await settle();
    expect(lines).toEqual(['stream:one', 'archive:two', 'archive:three', 'archive:four']);
    expect(room.position?.stanzaId).toBe('s4');
    env.conn.receive(said('s5', 'five'));
    expect(lines.at(-1)).toBe('stream:five');
  });

  it('the since join option resumes a stored position: disco#info first, then history since its time (no archive)', async () => {
    const env = setup();
    const since = RoomPosition.parse('s9@2026-11-25T11:44:30Z');
    const { room } = env.muc.join(ROOM, 'bob', { since });
    expect(room.position?.toString()).toBe(since.toString());
    await answerDisco(env, false);
    env.conn.expectSent(
      `<presence to="${ROOM}/bob" id="*"><x xmlns="http://jabber.org/protocol/muc"><history since="2026-11-25T11:44:25Z"/></x></presence>`,
    );
  });
});
