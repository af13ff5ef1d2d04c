import { describe, expect, it } from 'vitest';
import { loadMamFixture } from '../../test/fixtures/xep0313/load.js';
import { FakeConnection } from '../testing/fake-connection.js';
import { FakeClock } from '../core/clock.js';
import { AbortError, InvalidArgumentError, PayloadError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { type ArchivedMessage, fetchArchivePage, queryRoomArchive } from './archive.js';

const ROOM = 'room@conference.localhost';
const MAM = 'urn:xmpp:mam:2';
const RSM = 'http://jabber.org/protocol/rsm';

/** Query ids q1, q2, ... */
function ids(): () => string {
  let n = 0;
  return () => `q${++n}`;
}

/** A result as Prosody sends it (archive id `s<n>`, body `message <n>`). */
function result(queryid: string, n: number, options: { from?: string; inner?: string } = {}): string {
  const inner =
    options.inner ??
    `<message xmlns="jabber:client" type="groupchat" from="${ROOM}/alice" id="m${n}"><body>message ${n}</body><origin-id xmlns="urn:xmpp:sid:0" id="o${n}"/></message>`;
  return `<message to="bob@localhost/test" from="${options.from ?? ROOM}"><result xmlns="${MAM}" queryid="${queryid}" id="s${n}"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2026-01-01T00:00:0${n % 10}Z"/>${inner}</forwarded></result></message>`;
}

function fin(first: number | undefined, last: number | undefined, complete?: boolean): string {
  const c = complete === undefined ? '' : ` complete="${complete}"`;
  const set =
    first === undefined
      ? `<set xmlns="${RSM}"><count>0</count></set>`
      : `<set xmlns="${RSM}"><first>s${first}</first><last>s${last}</last></set>`;
  return `<fin xmlns="${MAM}"${c}>${set}</fin>`;
}

/** Let the query's async steps run until it has sent its next request (bounded, no timers). */
async function nextRequest(conn: FakeConnection): Promise<void> {
  for (let i = 0; i < 100 && conn.sent.length === 0; i++) await Promise.resolve();
}

const bodies = (all: ArchivedMessage[]) => all.map((m) => m.message.body.any());

function query(queryid: string, rsm: string, form = ''): string {
  return `<iq type="set" id="*" to="${ROOM}"><query xmlns="${MAM}" queryid="${queryid}">${form}<set xmlns="${RSM}">${rsm}</set></query></iq>`;
}

function env() {
  const clock = new FakeClock();
  const logger = recordingLogger();
  const conn = new FakeConnection({ jid: 'bob@localhost/test', clock });
  const clean = () => {
    expect(conn.handlerCount).toBe(0);
    expect(conn.pendingRequests).toBe(0);
    expect(clock.pending).toBe(0);
  };
  return { clock, logger, conn, clean };
}

describe('queryRoomArchive', () => {
  it('pages with RSM after across 3 pages until complete, in order, and cleans up', async () => {
    const { conn, logger, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { max: 2, randomId: ids(), logger });
    const all = q.collect();
    let iq = conn.expectSent(query('q1', '<max>2</max>'));
    expect(conn.receive(result('q1', 1))).toBe(true);
    expect(conn.receive(result('q1', 2))).toBe(true);
    conn.replyTo(iq, fin(1, 2));
    await nextRequest(conn);
    iq = conn.expectSent(query('q2', '<max>2</max><after>s2</after>'));
    conn.receive(result('q2', 3));
    conn.receive(result('q2', 4));
    conn.replyTo(iq, fin(3, 4, false));
    await nextRequest(conn);
    iq = conn.expectSent(query('q3', '<max>2</max><after>s4</after>'));
    conn.receive(result('q3', 5));
    conn.replyTo(iq, fin(5, 5, true));
    const messages = await all;
    expect(bodies(messages)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(messages.map((m) => m.archiveId)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(messages[0]!.message.from?.toString()).toBe(`${ROOM}/alice`);
    expect(messages[0]!.message.originId).toBe('o1');
    expect(messages[0]!.delay).toStrictEqual({ stamp: new Date('2026-01-01T00:00:01Z') });
    expect(messages[0]!.stanza.attrs.from).toBe(ROOM);
    expect({ end: q.end, complete: q.complete, pages: q.pages, count: q.count, lastId: q.lastId }).toEqual({
      end: 'complete',
      complete: true,
      pages: 3,
      count: 5,
      lastId: 's5',
    });
    conn.expectNothingSent();
    expect(conn.unclaimed).toEqual([]);
    expect(logger.records.filter((r) => r.level !== 'debug')).toEqual([]);
    clean();
  });

  it('starts after a known id and from a time, with the filter form', async () => {
    const { conn, clean } = env();
    const q = queryRoomArchive(conn, JID.parse(ROOM), {
      afterId: 's7',
      since: new Date('2026-01-01T00:00:05Z'),
      until: new Date('2026-01-02T00:00:00.250Z'),
      max: 10,
      randomId: ids(),
    });
    const all = q.collect();
    const iq = conn.expectSent(
      query(
        'q1',
        '<max>10</max><after>s7</after>',
        `<x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>${MAM}</value></field><field var="start"><value>2026-01-01T00:00:05Z</value></field><field var="end"><value>2026-01-02T00:00:00.250Z</value></field></x>`,
      ),
    );
    conn.receive(result('q1', 8));
    conn.replyTo(iq, fin(8, 8, true));
    expect(bodies(await all)).toEqual(['message 8']);
    clean();
  });

  it('leaves results of our query id from another sender, and results of another query', async () => {
    const { conn, logger, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { max: 5, randomId: ids(), logger });
    const all = q.collect();
    const iq = conn.nextSent();
    const forged = [
      result('q1', 1, { from: 'mallory@localhost/x' }),
      result('q1', 2, { from: `${ROOM}/alice` }),
      result('q1', 3, { from: 'other@conference.localhost' }),
      result('q1', 4, { from: 'bob@localhost' }),
    ];
    for (const f of forged) expect(conn.receive(f)).toBe(false);
    expect(conn.receive(result('q1', 9))).toBe(true);
    expect(conn.receive(result('q0', 5))).toBe(false);
    expect(conn.receive(`<message from="${ROOM}"><result xmlns="urn:xmpp:mam:1" queryid="q1" id="x"/></message>`)).toBe(false);
    expect(conn.receive(`<presence from="${ROOM}"><result xmlns="${MAM}" queryid="q1" id="x"/></presence>`)).toBe(false);
    conn.replyTo(iq, fin(9, 9, true));
    expect(bodies(await all)).toEqual(['message 9']);
    expect(conn.unclaimed).toHaveLength(forged.length + 3);
    expect(logger.records.filter((r) => r.message === 'ignoring an archive result from another sender than the room')).toHaveLength(4);
    clean();
  });

  it('accepts the room JID in another spelling (normalised)', async () => {
    const { conn, clean } = env();
    const all = queryRoomArchive(conn, ROOM, { randomId: ids() }).collect();
    const iq = conn.nextSent();
    expect(conn.receive(result('q1', 1, { from: 'Room@Conference.Localhost' }))).toBe(true);
    conn.replyTo(iq, fin(1, 1, true));
    expect(bodies(await all)).toEqual(['message 1']);
    clean();
  });

  it('rejects with the StanzaError of an error reply and removes its handler', async () => {
    const { conn, clean } = env();
    const all = queryRoomArchive(conn, ROOM, { afterId: 'gone', randomId: ids() }).collect();
    const iq = conn.nextSent();
    conn.replyTo(iq, `<error type="modify"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    const error = await all.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StanzaError);
    expect((error as StanzaError).condition).toBe('item-not-found');
    expect(conn.receive(result('q1', 1))).toBe(false);
    clean();
  });

  it('times out a page on the fake clock, then leaves late results alone', async () => {
    const { conn, clock, clean } = env();
    const all = queryRoomArchive(conn, ROOM, { timeoutMs: 5000, randomId: ids() }).collect();
    const settled = all.catch((e: unknown) => e);
    conn.nextSent();
    conn.receive(result('q1', 1));
    clock.advance(4999);
    expect(conn.handlerCount).toBe(1);
    clock.advance(1);
    expect(await settled).toBeInstanceOf(TimeoutError);
    expect(conn.receive(result('q1', 2))).toBe(false);
    clean();
  });

  it('rejects with AbortError when aborted during a page, and sends nothing when aborted before', async () => {
    const { conn, clean } = env();
    const ac = new AbortController();
    const all = queryRoomArchive(conn, ROOM, { signal: ac.signal, randomId: ids() }).collect();
    conn.nextSent();
    conn.receive(result('q1', 1));
    ac.abort();
    await expect(all).rejects.toBeInstanceOf(AbortError);
    clean();
    await expect(queryRoomArchive(conn, ROOM, { signal: ac.signal }).collect()).rejects.toBeInstanceOf(AbortError);
    conn.expectNothingSent();
    clean();
  });

  it('stops at the limit, asking only for what is left, without a further page', async () => {
    const { conn, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { max: 2, limit: 3, randomId: ids() });
    const all = q.collect();
    let iq = conn.expectSent(query('q1', '<max>2</max>'));
    conn.receive(result('q1', 1));
    conn.receive(result('q1', 2));
    conn.replyTo(iq, fin(1, 2, false));
    await nextRequest(conn);
    iq = conn.expectSent(query('q2', '<max>1</max><after>s2</after>'));
    conn.receive(result('q2', 3));
    conn.receive(result('q2', 4)); // a server sending more than asked
    conn.replyTo(iq, fin(3, 4, true));
    expect(bodies(await all)).toEqual(['message 1', 'message 2', 'message 3']);
    expect({ end: q.end, complete: q.complete, lastId: q.lastId }).toEqual({ end: 'limit', complete: false, lastId: 's3' });
    conn.expectNothingSent();
    clean();
  });

  it('stops after maxPages pages of an incomplete archive', async () => {
    const { conn, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { max: 1, maxPages: 2, randomId: ids() });
    const all = q.collect();
    let iq = conn.nextSent();
    conn.receive(result('q1', 1));
    conn.replyTo(iq, fin(1, 1));
    await nextRequest(conn);
    iq = conn.nextSent();
    conn.receive(result('q2', 2));
    conn.replyTo(iq, fin(2, 2));
    expect(bodies(await all)).toEqual(['message 1', 'message 2']);
    expect(q.end).toBe('max-pages');
    conn.expectNothingSent();
    clean();
  });

  it('stops (logged) when an incomplete page brings nothing new', async () => {
    const { conn, logger, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { randomId: ids(), logger });
    const all = q.collect();
    conn.replyTo(conn.nextSent(), fin(undefined, undefined, false));
    expect(await all).toEqual([]);
    expect(q.end).toBe('no-progress');
    expect(logger.records.map((r) => r.message)).toContain('archive page made no progress; stopping');
    clean();
  });

  it('logs and skips malformed results of its query without breaking it', async () => {
    const { conn, logger, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { randomId: ids(), logger });
    const all = q.collect();
    const iq = conn.nextSent();
    const bad = [
      `<message from="${ROOM}"><result xmlns="${MAM}" queryid="q1"><forwarded xmlns="urn:xmpp:forward:0"/></result></message>`,
      `<message from="${ROOM}"><result xmlns="${MAM}" queryid="q1" id="s2"/></message>`,
      `<message from="${ROOM}"><result xmlns="${MAM}" queryid="q1" id="s3"><forwarded xmlns="urn:xmpp:forward:0"/></result></message>`,
      result('q1', 4, {
        inner: `<message xmlns="jabber:client" type="groupchat" from="other@conference.localhost/eve"><body>spoof</body></message>`,
      }),
      result('q1', 5, { inner: `<message xmlns="jabber:client" type="groupchat"><body>no sender</body></message>` }),
    ];
    conn.receive(result('q1', 1));
    for (const b of bad) expect(conn.receive(b)).toBe(true);
    conn.receive(
      `<message from="${ROOM}"><result xmlns="${MAM}" queryid="q1" id="s6"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="never"/><message xmlns="jabber:client" from="${ROOM}/bob"><body>message 6</body></message></forwarded></result></message>`,
    );
    conn.replyTo(iq, fin(1, 6, true));
    const messages = await all;
    expect(bodies(messages)).toEqual(['message 1', 'message 6']);
    expect(messages[1]!.delay).toBeUndefined();
    expect(q.end).toBe('complete');
    const warned = logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
    expect(warned).toEqual([
      'skipping a malformed archive result',
      'skipping a malformed archive result',
      'skipping an archive result whose message is not from the room',
      'skipping an archive result whose message is not from the room',
    ]);
    expect(logger.records.map((r) => r.message)).toContain('skipping an archive result without a message (withheld by the archive)');
    clean();
  });

  it('pages on from the last result received when the fin has no <last/>', async () => {
    const { conn, clean } = env();
    const all = queryRoomArchive(conn, ROOM, { max: 1, randomId: ids() }).collect();
    let iq = conn.nextSent();
    conn.receive(result('q1', 1));
    conn.replyTo(iq, `<fin xmlns="${MAM}"/>`);
    await nextRequest(conn);
    iq = conn.expectSent(query('q2', '<max>1</max><after>s1</after>'));
    conn.replyTo(iq, `<fin xmlns="${MAM}" complete="true"/>`);
    expect(bodies(await all)).toEqual(['message 1']);
    clean();
  });

  it('rejects with PayloadError when the reply has no <fin/>', async () => {
    const { conn, clean } = env();
    const all = queryRoomArchive(conn, ROOM, { randomId: ids() }).collect();
    conn.replyTo(conn.nextSent());
    await expect(all).rejects.toBeInstanceOf(PayloadError);
    clean();
  });

  it('requests no further page when the consumer stops early', async () => {
    const { conn, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { max: 2, randomId: ids() });
    const iterator = q[Symbol.asyncIterator]();
    const first = iterator.next();
    const iq = conn.nextSent();
    conn.receive(result('q1', 1));
    conn.receive(result('q1', 2));
    conn.replyTo(iq, fin(1, 2, false));
    expect((await first).value.archiveId).toBe('s1');
    await iterator.return!();
    conn.expectNothingSent();
    expect(q.end).toBeUndefined();
    expect(q.lastId).toBe('s1');
    expect(() => q[Symbol.asyncIterator]()).toThrow(InvalidArgumentError);
    clean();
  });

  it('throws InvalidArgumentError at once for a non-bare room and bad bounds', () => {
    const conn = new FakeConnection();
    for (const bad of ['room@conference.localhost/nick', 'conference.localhost', '@@']) {
      expect(() => queryRoomArchive(conn, bad)).toThrow(InvalidArgumentError);
    }
    expect(() => queryRoomArchive(conn, ROOM, { max: 0 })).toThrow(InvalidArgumentError);
    expect(() => queryRoomArchive(conn, ROOM, { limit: -1 })).toThrow(InvalidArgumentError);
    expect(() => queryRoomArchive(conn, ROOM, { maxPages: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => queryRoomArchive(conn, ROOM, { timeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => queryRoomArchive(conn, ROOM, { afterId: '' })).toThrow(InvalidArgumentError);
    expect(() => queryRoomArchive(conn, ROOM, { since: new Date(Number.NaN) })).toThrow(InvalidArgumentError);
    conn.expectNothingSent();
  });

  it('with limit 0 returns nothing and sends nothing', async () => {
    const { conn, clean } = env();
    const q = queryRoomArchive(conn, ROOM, { limit: 0 });
    expect(await q.collect()).toEqual([]);
    expect(q.end).toBe('limit');
    conn.expectNothingSent();
    clean();
  });
});

describe('fetchArchivePage on captured stanzas', () => {
  for (const server of ['prosody', 'ejabberd'] as const) {
    it(`reads a ${server} result and fin`, async () => {
      const conn = new FakeConnection({ jid: 'bob@localhost/cap' });
      const page = fetchArchivePage(conn, 'capmam@conference.localhost', { queryId: 'page1', rsm: { max: 2 } });
      const iq = conn.nextSent();
      expect(conn.receive(loadMamFixture(`${server}-result`))).toBe(true);
      conn.replyTo(iq, loadMamFixture(`${server}-fin-page`).getChild('fin', MAM)!);
      const { messages, fin: f, received, lastReceivedId } = await page;
      expect(received).toBe(1);
      expect(messages).toHaveLength(1);
      const m = messages[0]!;
      expect(lastReceivedId).toBe(m.archiveId);
      expect(m.message).toMatchObject({ id: 'cap-1', type: 'groupchat', originId: 'cap-origin-1' });
      expect(m.message.from?.toString()).toBe('capmam@conference.localhost/alice');
      expect(m.message.body.any()).toBe('message 1');
      expect(m.delay?.stamp.toISOString().slice(0, 19)).toBe(server === 'prosody' ? '2026-12-07T02:24:51' : '2026-12-07T02:25:26');
      expect(f.complete).toBe(server === 'prosody' ? undefined : false);
      expect(conn.handlerCount).toBe(0);
    });
  }

  it('reads the Prosody item-not-found for an unknown after id', async () => {
    const conn = new FakeConnection({ jid: 'bob@localhost/cap' });
    const page = fetchArchivePage(conn, 'capmam@conference.localhost', { rsm: { after: 'no-such-id' } });
    const iq = conn.nextSent();
    conn.replyTo(iq, loadMamFixture('prosody-error-item-not-found').getChild('error')!);
    await expect(page).rejects.toMatchObject({ name: 'StanzaError', condition: 'item-not-found', type: 'modify' });
    expect(conn.handlerCount).toBe(0);
  });
});
