import { describe, expect, it } from 'vitest';
import { loadMamFixture } from '../../test/fixtures/xep0313/load.js';
import { x } from '../../test/support/xml.js';
import { JID } from '../core/jid.js';
import { fetchArchivePage } from './archive.js';
import { readMessage } from './message.js';
import { MessageKeyIndex } from './message-key-index.js';
import { type MessageKeys, isSameMessage, keysWith, messageKeys } from './message-keys.js';
import { FakeConnection } from '../testing/fake-connection.js';

const ROOM = JID.parse('room@conference.localhost');

/** A groupchat message in ROOM from `nick` with the given parts. */
function msg(parts: { nick?: string; id?: string; body?: string; sid?: string; sidBy?: string; oid?: string; stamp?: string }) {
  const children = [
    parts.body === undefined ? '' : `<body>${parts.body}</body>`,
    parts.sid === undefined ? '' : `<stanza-id xmlns="urn:xmpp:sid:0" id="${parts.sid}" by="${parts.sidBy ?? ROOM.toString()}"/>`,
    parts.oid === undefined ? '' : `<origin-id xmlns="urn:xmpp:sid:0" id="${parts.oid}"/>`,
    parts.stamp === undefined ? '' : `<delay xmlns="urn:xmpp:delay" stamp="${parts.stamp}"/>`,
  ].join('');
  const id = parts.id === undefined ? '' : ` id="${parts.id}"`;
  return readMessage(x(`<message type="groupchat" from="${ROOM.toString()}/${parts.nick ?? 'alice'}"${id}>${children}</message>`));
}

const keys = (p: Parameters<typeof msg>[0], options?: Parameters<typeof messageKeys>[2]) => messageKeys(msg(p), ROOM, options);

describe('messageKeys', () => {
  it('takes the stanza-id by the room only, the origin-id and the id with the nick, the delay stamp', () => {
    const k = keys({ id: 'm1', body: 'hi', sid: 's1', oid: 'o1', stamp: '2026-01-01T00:00:01Z' });
    expect(k.stanzaId).toBe('s1');
    expect(k.originKey).toBe('alice\u0000o1');
    expect(k.idKey).toMatch(/^alice\u0000m1\u00002:[0-9a-f]{8}$/);
    expect(k.stamp).toBe(Date.parse('2026-01-01T00:00:01Z'));
    expect(keys({ sid: 's1', sidBy: 'mallory@localhost' }).stanzaId).toBeUndefined();
    expect(keys({}).idKey).toBeUndefined();
  });

  it('prefers the archive id and the archive stamp when given', () => {
    const k = keys({ sid: 'inner' }, { archiveId: 'a1', stamp: new Date(5000) });
    expect(k).toMatchObject({ stanzaId: 'a1', stamp: 5000 });
  });
});

describe('isSameMessage', () => {
  const same = (a: MessageKeys, b: MessageKeys) => [isSameMessage(a, b), isSameMessage(b, a)];

  it('decides by the room stanza-id when both have one', () => {
    expect(same(keys({ sid: 's1', oid: 'o1' }), keys({ sid: 's1', oid: 'other' }))).toEqual([true, true]);
    expect(same(keys({ sid: 's1', oid: 'o1', id: 'm1' }), keys({ sid: 's2', oid: 'o1', id: 'm1' }))).toEqual([false, false]);
  });

  it('falls back to the origin-id with the nick', () => {
    expect(same(keys({ sid: 's1', oid: 'o1' }), keys({ oid: 'o1' }))).toEqual([true, true]);
    expect(same(keys({ oid: 'o1', nick: 'alice' }), keys({ oid: 'o1', nick: 'bob' }))).toEqual([false, false]);
    expect(same(keys({ oid: 'o1', id: 'm1' }), keys({ oid: 'o2', id: 'm1' }))).toEqual([false, false]);
  });

  it('then to id + nick + body, with stamps within a second when both have one', () => {
    const live = keys({ id: 'm1', body: 'hi' });
    expect(same(live, keys({ id: 'm1', body: 'hi', stamp: '2026-01-01T00:00:01Z' }))).toEqual([true, true]);
    expect(same(live, keys({ id: 'm1', body: 'hi there' }))).toEqual([false, false]);
    expect(same(live, keys({ id: 'm1', body: 'hi', nick: 'bob' }))).toEqual([false, false]);
    const a = keys({ id: 'm1', body: 'hi', stamp: '2026-01-01T00:00:01.100Z' });
    expect(same(a, keys({ id: 'm1', body: 'hi', stamp: '2026-01-01T00:00:02Z' }))).toEqual([true, true]);
    expect(same(a, keys({ id: 'm1', body: 'hi', stamp: '2026-01-01T00:00:03Z' }))).toEqual([false, false]);
  });

  it('never matches messages without keys', () => {
    expect(isSameMessage(keys({ body: 'hi' }), keys({ body: 'hi' }))).toBe(false);
  });

  it('matches the live, history and archive copies of one captured message on each server', async () => {
    const room = JID.parse('capmam@conference.localhost');
    for (const server of ['prosody', 'ejabberd'] as const) {
      const live = messageKeys(readMessage(loadMamFixture(`${server}-cap3-live`)), room);
      const history = messageKeys(readMessage(loadMamFixture(`${server}-cap3-history`)), room);
      const conn = new FakeConnection({ jid: 'bob@localhost/cap' });
      const page = fetchArchivePage(conn, room, { queryId: 'page2' });
      conn.receive(loadMamFixture(`${server}-cap3-result`));
      conn.replyTo(conn.nextSent(), '<fin xmlns="urn:xmpp:mam:2"/>');
      const [archived] = (await page).messages;
      const fromArchive = messageKeys(archived!.message, room, { archiveId: archived!.archiveId, stamp: archived!.delay?.stamp });
      expect(live.stanzaId, server).toBeDefined();
      expect([isSameMessage(live, history), isSameMessage(live, fromArchive), isSameMessage(history, fromArchive)], server).toEqual([
        true,
        true,
        true,
      ]);
      // Without the stanza-ids (a room that assigns none), the origin-id still matches them.
      const strip = (k: MessageKeys): MessageKeys => ({ ...k, stanzaId: undefined });
      expect([isSameMessage(strip(live), strip(history)), isSameMessage(strip(live), strip(fromArchive))], server).toEqual([true, true]);
      // Without origin-ids either, id + nick + body (+ stamps within a second) still match them.
      const bare = (k: MessageKeys): MessageKeys => ({ ...k, stanzaId: undefined, originKey: undefined });
      expect([isSameMessage(bare(live), bare(history)), isSameMessage(bare(history), bare(fromArchive))], server).toEqual([true, true]);
    }
  });
});

/** The four keys of `k`, to compare found messages by value. */
const valuesOf = (k: MessageKeys | undefined) => (k === undefined ? undefined : [k.stanzaId, k.originKey, k.idKey, k.stamp]);

describe('MessageKeyIndex', () => {
  it('answers by the rule and remembers each message once', () => {
    const index = new MessageKeyIndex();
    expect(index.add(keys({ sid: 's1', oid: 'o1', id: 'm1', body: 'a' }))).toBe(true);
    expect(index.add(keys({ oid: 'o2', id: 'm2', body: 'b' }))).toBe(true);
    expect(index.add(keys({ id: 'm3', body: 'c' }))).toBe(true);
    expect(index.size).toBe(3);
    expect(index.has(keys({ sid: 's1' }))).toBe(true);
    expect(index.has(keys({ sid: 's9', oid: 'o1' }))).toBe(false);
    expect(index.has(keys({ sid: 's9', oid: 'o2' }))).toBe(true);
    expect(index.has(keys({ sid: 's9', id: 'm3', body: 'c', stamp: '2026-01-01T00:00:00Z' }))).toBe(true);
    expect(index.has(keys({ sid: 's9', id: 'm1', body: 'a' }))).toBe(false);
    expect(index.add(keys({ sid: 's1' }))).toBe(false);
    expect(index.size).toBe(3);
  });

  it('remembers nothing for a message without keys', () => {
    const index = new MessageKeyIndex();
    expect(index.add(keys({ body: 'x' }))).toBe(true);
    index.remember(keys({ body: 'x' }));
    index.rememberMessage(msg({ body: 'x' }), undefined, 'alice');
    expect(index.size).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => new MessageKeyIndex(limit)).toThrow(RangeError);
  });

  it('forgets the oldest beyond its limit, keeping keys shared with newer messages', () => {
    const index = new MessageKeyIndex(2);
    index.add(keys({ sid: 's1', oid: 'shared' }));
    index.add(keys({ sid: 's2', oid: 'shared' }));
    index.add(keys({ sid: 's3' }));
    expect(index.size).toBe(2);
    expect(index.has(keys({ sid: 's1' }))).toBe(false);
    expect(index.has(keys({ sid: 's2' }))).toBe(true);
    expect(index.has(keys({ oid: 'shared' }))).toBe(true);
    index.add(keys({ sid: 's4' }));
    expect(index.has(keys({ oid: 'shared' }))).toBe(false);
  });

  it('answers exactly as the plain rule over the newest `limit` messages remembered (random streams)', () => {
    /** The rule written out plainly: the remembered messages in order, the newest per key compared. */
    class Reference {
      readonly remembered: MessageKeys[] = [];
      constructor(readonly limit: number) {}
      newest(pick: (k: MessageKeys) => string | undefined, key: string): MessageKeys | undefined {
        for (let i = this.remembered.length - 1; i >= 0; i--) if (pick(this.remembered[i]!) === key) return this.remembered[i];
        return undefined;
      }
      find(k: MessageKeys): MessageKeys | undefined {
        if (k.stanzaId !== undefined) {
          const hit = this.newest((r) => r.stanzaId, k.stanzaId);
          if (hit) return hit;
        }
        if (k.originKey !== undefined) {
          const hit = this.newest((r) => r.originKey, k.originKey);
          if (hit && isSameMessage(k, hit)) return hit;
        }
        if (k.idKey !== undefined) {
          const hit = this.newest((r) => r.idKey, k.idKey);
          if (hit && isSameMessage(k, hit)) return hit;
        }
        return undefined;
      }
      add(k: MessageKeys): boolean {
        if (this.find(k)) return false;
        this.remember(k);
        return true;
      }
      remember(k: MessageKeys): void {
        if (k.stanzaId === undefined && k.originKey === undefined && k.idKey === undefined) return;
        this.remembered.push(k);
        if (this.remembered.length > this.limit) this.remembered.shift();
      }
    }
    let seed = 42;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const some = (prefix: string, n: number) => (rand(3) === 0 ? undefined : `${prefix}${rand(n)}`);
    for (const limit of [1, 2, 3, 7, 20]) {
      const index = new MessageKeyIndex(limit);
      const reference = new Reference(limit);
      for (let i = 0; i < 3000; i++) {
        // Stretches where every message has a stanza-id, and the keys of a room's own hot path.
        const alwaysSid = Math.floor(i / 100) % 2 === 1;
        const m = msg({
          nick: ['alice', 'bob'][rand(2)],
          sid: alwaysSid ? `s${rand(40)}` : some('s', 40),
          oid: some('o', 15),
          id: some('m', 10),
          body: ['a', 'b'][rand(2)],
          stamp: rand(2) === 0 ? undefined : `2026-01-01T00:00:0${rand(4)}Z`,
        });
        // Half the keys as a room builds them on its hot path (from its stanza-id and the nick).
        const viaRoom = rand(2) === 1;
        const sid = messageKeys(m, ROOM).stanzaId;
        const k = viaRoom ? keysWith(m, sid, m.from?.resource, m.delay?.stamp) : messageKeys(m, ROOM);
        expect([k.stanzaId, k.originKey, k.idKey, k.stamp]).toEqual(Object.values(messageKeys(m, ROOM)));
        const op = rand(3);
        // The index answers with the keys of the message found (a new object), the reference with the message itself.
        if (op === 0) expect(valuesOf(index.find(k))).toEqual(valuesOf(reference.find(k)));
        else if (op === 1) expect(index.add(k)).toBe(reference.add(k));
        else {
          // Remembered without asking (a room's live messages): repeats are kept, the newest compared.
          if (viaRoom) index.rememberMessage(m, sid, m.from?.resource);
          else index.remember(k);
          reference.remember(k);
        }
        expect(index.size).toBe(reference.remembered.length);
      }
    }
  });
});
