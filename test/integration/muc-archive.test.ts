/**
 * Reading a room's archive (XEP-0313 MAM v2 with RSM paging) with `queryRoomArchive`, against
 * real Prosody and ejabberd: alice creates a room and says 60 numbered messages (n01..n60);
 * bob, who never joins, reads the archive in pages of 25 from the start, after a known
 * stanza-id and from a time, and gets exactly the right messages in order, none twice. Also:
 * what each server advertises, what it does with an unknown `after` id, and the catch-up
 * paths of `catchUpPlan` (archive after the last stanza-id; history `since` the last message
 * received) de-duplicated with `MessageKeyIndex` against what was seen live.
 */
import { Element } from 'ltx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XmppConnection } from '../../src/core/connection.js';
import { StanzaError } from '../../src/core/errors.js';
import { JID } from '../../src/core/jid.js';
import { NS } from '../../src/core/namespaces.js';
import { discoInfo } from '../../src/disco/disco.js';
import { type ArchivedMessage, queryRoomArchive } from '../../src/muc/archive.js';
import { type ArchiveCatchUpResult, catchUpFromArchive, catchUpPlan } from '../../src/muc/catch-up.js';
import { readMessage } from '../../src/muc/message.js';
import { MessageKeyIndex } from '../../src/muc/message-key-index.js';
import { messageKeys } from '../../src/muc/message-keys.js';
import { mucJoin } from '../../src/muc/payloads/muc.js';
import { RoomPosition } from '../../src/muc/position.js';
import { describeEachServer } from '../support/servers.js';
import { bounded, Harness, PeerPool, TRANSPORTS, WAIT_MS } from './muc-harness.js';

const COUNT = 60;
const PAGE = 25;
const label = (n: number) => `n${String(n).padStart(2, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => label(from + i));
const bodies = (all: readonly ArchivedMessage[]) => all.map((m) => m.message.body.any());

/** What alice saw of her own message `n` reflected live. */
interface LiveCopy {
  stanza: Element;
  stanzaId: string;
  receivedAt: Date;
}

/** Wait (bounded) for the first incoming stanza that `match` accepts; never claims it. */
function incoming(conn: XmppConnection, match: (s: Element) => boolean, what: string): Promise<Element> {
  let remove = () => {};
  const p = new Promise<Element>((resolve) => {
    remove = conn.addHandler((s) => {
      if (match(s)) resolve(s);
      return false;
    });
  });
  return bounded(p, what).finally(remove);
}

/** Create `room` as `nick` (an instant room) and stay in it. */
async function createRoom(conn: XmppConnection, room: string, nick: string): Promise<void> {
  const self = incoming(
    conn,
    (s) => s.name === 'presence' && s.attrs.from === `${room}/${nick}` && s.getChild('x', NS.MUC_USER) !== undefined,
    'self-presence',
  );
  await conn.send(new Element('presence', { to: `${room}/${nick}` }).cnode(mucJoin.encode({})).root());
  await self;
  const iq = new Element('iq', { type: 'set', to: room });
  iq.c('query', { xmlns: NS.MUC_OWNER }).c('x', { xmlns: NS.DATA_FORMS, type: 'submit' });
  await conn.request(iq, { timeoutMs: WAIT_MS });
}

/** Say n01..n{count} in `room` and collect the reflections (bounded). */
async function sayNumbered(conn: XmppConnection, room: string, nick: string, count: number): Promise<Map<number, LiveCopy>> {
  const roomJid = JID.parse(room);
  const seen = new Map<number, LiveCopy>();
  let done = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const remove = conn.addHandler((s) => {
    if (s.name !== 'message' || s.attrs.from !== `${room}/${nick}` || s.attrs.type !== 'groupchat') return false;
    const m = /^n(\d\d)$/.exec(s.getChildText('body') ?? '');
    if (!m) return false;
    const stanzaId = messageKeys(readMessage(s), roomJid).stanzaId;
    if (stanzaId !== undefined) seen.set(Number(m[1]), { stanza: s, stanzaId, receivedAt: new Date() });
    if (seen.size === count) done();
    return true;
  });
  try {
    for (let n = 1; n <= count; n++) {
      const msg = new Element('message', { to: room, type: 'groupchat', id: `id-${label(n)}` });
      msg.c('body').t(label(n));
      msg.c('origin-id', { xmlns: NS.SID, id: `origin-${label(n)}` });
      await conn.send(msg);
    }
    await bounded(all, `reflections of ${count} messages`);
  } finally {
    remove();
  }
  return seen;
}

describeEachServer('MUC archive (XEP-0313) read with queryRoomArchive', (server) => {
  const pool = new PeerPool(server);
  const setup = new Harness(server, 'native', pool);
  let room: string;
  let live: Map<number, LiveCopy>;

  beforeAll(async () => {
    const alice = await setup.client('alice');
    room = setup.room('archive');
    await createRoom(alice.connection, room, 'alice');
    live = await sayNumbered(alice.connection, room, 'alice', COUNT);
  });
  afterAll(async () => {
    await setup.closeAll();
    await pool.closeAll();
  });

  it('the room advertises urn:xmpp:mam:2 (and #extended on Prosody only); every live message has a room stanza-id', async () => {
    const h = new Harness(server, 'native', pool);
    try {
      const bob = await h.client('bob');
      const info = await discoInfo(bob.connection, room, { timeoutMs: WAIT_MS });
      expect(info.features.has(NS.MAM)).toBe(true);
      expect(info.features.has(`${NS.MAM}#extended`)).toBe(server.kind === 'prosody');
      expect(live.size).toBe(COUNT);
    } finally {
      await h.closeAll();
    }
  });

  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      const h = new Harness(server, transport, pool);
      afterAll(async () => {
        await h.closeAll();
      });

      it('reads all 60 from the start in pages of 25: in order, none twice, archive ids = live stanza-ids', async () => {
        const bob = await h.client('bob');
        const q = queryRoomArchive(bob.connection, room, { max: PAGE, timeoutMs: WAIT_MS });
        const all = await bounded(q.collect(), 'archive from the start');
        expect(bodies(all)).toEqual(range(1, COUNT));
        expect(all.map((m) => m.archiveId)).toEqual(range(1, COUNT).map((_, i) => live.get(i + 1)!.stanzaId));
        expect(new Set(all.map((m) => m.archiveId)).size).toBe(COUNT);
        expect({ end: q.end, pages: q.pages, count: q.count, lastId: q.lastId }).toEqual({
          end: 'complete',
          pages: 3,
          count: COUNT,
          lastId: live.get(COUNT)!.stanzaId,
        });
        for (const m of all) {
          expect(m.message.from?.toString()).toBe(`${room}/alice`);
          expect(m.message.type).toBe('groupchat');
          expect(m.delay?.stamp).toBeInstanceOf(Date);
        }
      });

      it('reads what came after a known stanza-id (n20): n21..n60 in 2 pages', async () => {
        const bob = await h.client('bob');
        const q = queryRoomArchive(bob.connection, room, { afterId: live.get(20)!.stanzaId, max: PAGE, timeoutMs: WAIT_MS });
        expect(bodies(await bounded(q.collect(), 'archive after n20'))).toEqual(range(21, COUNT));
        expect([q.end, q.pages]).toEqual(['complete', 2]);
      });
    });
  }

  describe('behaviour and catch-up', () => {
    const h = new Harness(server, 'native', pool);
    afterAll(async () => {
      await h.closeAll();
    });

    it('stops at a limit, and a later query picks up exactly after lastId', async () => {
      const bob = await h.client('bob');
      const first = queryRoomArchive(bob.connection, room, { max: PAGE, limit: 30, timeoutMs: WAIT_MS });
      const part1 = await bounded(first.collect(), 'first 30');
      expect([first.end, first.pages]).toEqual(['limit', 2]);
      const rest = queryRoomArchive(bob.connection, room, { afterId: first.lastId, max: PAGE, timeoutMs: WAIT_MS });
      const part2 = await bounded(rest.collect(), 'the rest');
      expect([...bodies(part1), ...bodies(part2)]).toEqual(range(1, COUNT));
    });

    it('from a time: every message stamped at or after it, in order (Prosody stamps to the second)', async () => {
      const bob = await h.client('bob');
      const whole = queryRoomArchive(bob.connection, room, { max: 100, timeoutMs: WAIT_MS });
      const everything = await bounded(whole.collect(), 'all');
      expect([everything.length, whole.pages]).toEqual([COUNT, 1]);
      const since = everything[29]!.delay!.stamp;
      const fromTime = await bounded(
        queryRoomArchive(bob.connection, room, { since, max: PAGE, timeoutMs: WAIT_MS }).collect(),
        'since n30',
      );
      const expected = everything.filter((m) => m.delay!.stamp.getTime() >= since.getTime()).map((m) => m.message.body.any());
      expect(bodies(fromTime)).toEqual(expected);
      expect(bodies(fromTime)).toEqual(expect.arrayContaining(range(30, COUNT)));
      if (server.kind === 'prosody') expect(everything.every((m) => m.delay!.stamp.getMilliseconds() === 0)).toBe(true);
    });

    it('an unknown after id: item-not-found on Prosody; on ejabberd everything or nothing, by the id length', async () => {
      const bob = await h.client('bob');
      const q = queryRoomArchive(bob.connection, room, { afterId: 'no-such-id', max: 5, limit: 5, timeoutMs: WAIT_MS });
      if (server.kind === 'prosody') {
        const error = await bounded(q.collect(), 'unknown id').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StanzaError);
        expect((error as StanzaError).condition).toBe('item-not-found');
      } else {
        expect(bodies(await bounded(q.collect(), 'unknown id'))).toEqual(range(1, 5));
        // ejabberd compares ids as strings, shorter first (its ids are 16-digit microsecond
        // times): an unknown id longer than that sorts after every id, so nothing comes back.
        const longer = queryRoomArchive(bob.connection, room, { afterId: 'not-in-this-archive', timeoutMs: WAIT_MS });
        expect(await bounded(longer.collect(), 'unknown long id')).toEqual([]);
        expect(longer.end).toBe('complete');
      }
    });

    /** As if bob had received n01..n45 live, then lost the room: what he has seen. */
    function seenUpTo45(): MessageKeyIndex {
      const seen = new MessageKeyIndex();
      for (let n = 1; n <= 45; n++) seen.add(messageKeys(readMessage(live.get(n)!.stanza), JID.parse(room)));
      return seen;
    }

    /** Run an archive catch-up to its end; the new messages (not in `seen`) and the result. */
    async function runCatchUp(conn: XmppConnection, position: RoomPosition, seen: MessageKeyIndex) {
      const info = await discoInfo(conn, room, { timeoutMs: WAIT_MS });
      const plan = catchUpPlan({ features: info.features, position: RoomPosition.parse(position.toString()) });
      if (plan.kind !== 'archive-after-id') throw new Error(`expected an archive-after-id plan, got ${plan.kind}`);
      const walk = catchUpFromArchive(conn, room, plan, { max: PAGE, timeoutMs: WAIT_MS });
      const fresh: ArchivedMessage[] = [];
      const roomJid = JID.parse(room);
      const drain = async (): Promise<ArchiveCatchUpResult> => {
        for (;;) {
          const step = await walk.next();
          if (step.done) return step.value;
          const m = step.value;
          if (seen.add(messageKeys(m.message, roomJid, { archiveId: m.archiveId, stamp: m.delay?.stamp }))) fresh.push(m);
        }
      };
      const result = await bounded(drain(), 'catch-up');
      return { fresh, result };
    }

    it('catch-up from the archive after the last stanza-id: exactly the missed messages, none twice', async () => {
      const bob = await h.client('bob');
      const last = live.get(45)!;
      const { fresh, result } = await runCatchUp(
        bob.connection,
        new RoomPosition({ stanzaId: last.stanzaId, at: last.receivedAt }),
        seenUpTo45(),
      );
      expect(bodies(fresh)).toEqual(range(46, COUNT));
      expect(result).toEqual({ end: 'complete', lastId: live.get(COUNT)!.stanzaId, fellBack: false });
    });

    it('catch-up with a stanza-id the archive does not know: by time (Prosody: item-not-found; ejabberd: an empty page)', async () => {
      const bob = await h.client('bob');
      const { fresh, result } = await runCatchUp(
        bob.connection,
        new RoomPosition({ stanzaId: 'not-in-this-archive', at: live.get(45)!.receivedAt }),
        seenUpTo45(),
      );
      expect(bodies(fresh)).toEqual(range(46, COUNT));
      expect(result).toEqual({ end: 'complete', lastId: live.get(COUNT)!.stanzaId, fellBack: true });
    });

    it('catch-up with MUC history since the last message received (no archive): the missed ones, duplicates dropped', async () => {
      const bob = await h.client('bob');
      const roomJid = JID.parse(room);
      const seen = seenUpTo45();
      const plan = catchUpPlan({ features: [], position: new RoomPosition({ at: live.get(45)!.receivedAt }) });
      expect(plan.kind).toBe('history-since');
      const history: Element[] = [];
      const remove = bob.connection.addHandler((s) => {
        if (
          s.name === 'message' &&
          s.attrs.type === 'groupchat' &&
          JID.tryParse(s.attrs.from as string)
            ?.bare()
            .equals(roomJid)
        )
          history.push(s);
        return false;
      });
      try {
        const subject = incoming(
          bob.connection,
          (s) => s.name === 'message' && s.getChild('subject') !== undefined && s.getChild('body') === undefined,
          'end of history',
        );
        const join = new Element('presence', { to: `${room}/bob` }).cnode(mucJoin.encode({ history: plan.joinHistory })).root();
        await bob.connection.send(join);
        await subject;
      } finally {
        remove();
      }
      const replayed = history.filter((s) => s.getChild('body') !== undefined).map((s) => readMessage(s));
      // Both services replay at most 20 messages by default here (ejabberd history_size 20,
      // Prosody muc_room_default_history_length 20): n41..n60, sent within the margin.
      expect(replayed.map((m) => m.body.any())).toEqual(range(41, COUNT));
      const fresh = replayed.filter((m) => seen.add(messageKeys(m, roomJid)));
      expect(fresh.map((m) => m.body.any())).toEqual(range(46, COUNT));
    });
  });
});
