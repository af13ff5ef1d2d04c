import { describe, expect, it } from 'vitest';
import { FakeConnection } from '../testing/fake-connection.js';
import { InvalidArgumentError } from '../core/errors.js';
import { recordingLogger } from '../core/logger.js';
import { catchUpFromArchive, catchUpPlan } from './catch-up.js';
import { RoomPosition } from './position.js';

const MAM = ['http://jabber.org/protocol/muc', 'urn:xmpp:mam:2'];
const NO_MAM = ['http://jabber.org/protocol/muc', 'urn:xmpp:mam:1'];
const at = new Date('2026-01-01T10:00:07.400Z');

describe('catchUpPlan', () => {
  it('asks the archive after the last stanza-id, with a time to bound it, and no history on join', () => {
    expect(catchUpPlan({ features: MAM, position: new RoomPosition({ stanzaId: 's1', at }) })).toStrictEqual({
      kind: 'archive-after-id',
      afterId: 's1',
      since: new Date('2026-01-01T10:00:02Z'),
      joinHistory: { maxStanzas: 0 },
    });
    expect(catchUpPlan({ features: new Set(MAM), position: new RoomPosition({ stanzaId: 's1' }) })).toStrictEqual({
      kind: 'archive-after-id',
      afterId: 's1',
      since: undefined,
      joinHistory: { maxStanzas: 0 },
    });
  });

  it('asks the archive by time when no stanza-id is known', () => {
    expect(catchUpPlan({ features: MAM, position: new RoomPosition({ at }), marginMs: 0 })).toStrictEqual({
      kind: 'archive-since',
      since: new Date('2026-01-01T10:00:07Z'),
      joinHistory: { maxStanzas: 0 },
    });
  });

  it('without urn:xmpp:mam:2 asks history since the last message received (not the disconnect), whole seconds', () => {
    for (const features of [NO_MAM, undefined]) {
      expect(catchUpPlan({ features, position: new RoomPosition({ stanzaId: 's1', at }), marginMs: 1000 })).toStrictEqual({
        kind: 'history-since',
        since: new Date('2026-01-01T10:00:06Z'),
        joinHistory: { since: new Date('2026-01-01T10:00:06Z') },
      });
    }
  });

  it("falls back to the application's history when nothing is known", () => {
    expect(catchUpPlan({ features: MAM })).toStrictEqual({ kind: 'history', joinHistory: undefined });
    expect(catchUpPlan({ features: NO_MAM, history: { maxStanzas: 5 } })).toStrictEqual({
      kind: 'history',
      joinHistory: { maxStanzas: 5 },
    });
    expect(catchUpPlan({ features: NO_MAM, position: new RoomPosition({ stanzaId: 's1' }) })).toStrictEqual({
      kind: 'history',
      joinHistory: undefined,
    });
  });

  it('rounds down before the epoch too, and rejects a bad margin', () => {
    const plan = catchUpPlan({ position: new RoomPosition({ at: new Date(-1500) }), marginMs: 0 });
    expect(plan).toMatchObject({ kind: 'history-since', since: new Date(-2000) });
    expect(() => catchUpPlan({ marginMs: -1 })).toThrow(InvalidArgumentError);
  });

  it('returns a fresh joinHistory object each time', () => {
    const a = catchUpPlan({ features: MAM, position: new RoomPosition({ at }) });
    const b = catchUpPlan({ features: MAM, position: new RoomPosition({ at }) });
    expect(a.joinHistory).not.toBe(b.joinHistory);
  });
});

describe('catchUpFromArchive', () => {
  const ROOM = 'room@conference.localhost';
  const result = (queryid: string, n: number) =>
    `<message from="${ROOM}"><result xmlns="urn:xmpp:mam:2" queryid="${queryid}" id="s${n}"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" type="groupchat" from="${ROOM}/alice"><body>m${n}</body></message></forwarded></result></message>`;
  const complete = '<fin xmlns="urn:xmpp:mam:2" complete="true"/>';
  const notFound = '<error type="modify"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>';
  const plan = (since?: Date) => ({ kind: 'archive-after-id' as const, afterId: 's1', since, joinHistory: { maxStanzas: 0 } });
  const ids = () => {
    let n = 0;
    return () => `q${++n}`;
  };

  async function run(gen: AsyncGenerator<{ message: { body: { any(): string | undefined } } }, unknown>) {
    const got: (string | undefined)[] = [];
    for (;;) {
      const step = await gen.next();
      if (step.done) return { got, result: step.value };
      got.push(step.value.message.body.any());
    }
  }

  it('asks after the id bounded by the time, and returns the new position', async () => {
    const conn = new FakeConnection();
    const done = run(catchUpFromArchive(conn, ROOM, plan(new Date('2026-01-01T00:00:00Z')), { randomId: ids() }));
    const iq = conn.expectSent(
      `<iq type="set" id="*" to="${ROOM}"><query xmlns="urn:xmpp:mam:2" queryid="q1"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field><field var="start"><value>2026-01-01T00:00:00Z</value></field></x><set xmlns="http://jabber.org/protocol/rsm"><max>50</max><after>s1</after></set></query></iq>`,
    );
    conn.receive(result('q1', 2));
    conn.replyTo(iq, complete);
    expect(await done).toEqual({ got: ['m2'], result: { end: 'complete', lastId: 's2', fellBack: false } });
    expect(conn.handlerCount).toBe(0);
  });

  it('starts again from the time when the archive does not know the id (logged)', async () => {
    const conn = new FakeConnection();
    const logger = recordingLogger();
    const done = run(catchUpFromArchive(conn, ROOM, plan(new Date('2026-01-01T00:00:00Z')), { randomId: ids(), logger }));
    conn.replyTo(conn.nextSent(), notFound);
    for (let i = 0; i < 100 && conn.sent.length === 0; i++) await Promise.resolve();
    const iq = conn.expectSent(
      `<iq type="set" id="*" to="${ROOM}"><query xmlns="urn:xmpp:mam:2" queryid="q2"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field><field var="start"><value>2026-01-01T00:00:00Z</value></field></x><set xmlns="http://jabber.org/protocol/rsm"><max>50</max></set></query></iq>`,
    );
    conn.receive(result('q2', 1));
    conn.receive(result('q2', 2));
    conn.replyTo(iq, complete);
    expect(await done).toEqual({ got: ['m1', 'm2'], result: { end: 'complete', lastId: 's2', fellBack: true } });
    expect(logger.records.map((r) => r.message)).toEqual(['the archive does not know the last stanza-id; catching up by time']);
  });

  it('checks an empty after-id walk by time (ejabberd answers an unknown id with nothing)', async () => {
    const conn = new FakeConnection();
    const done = run(catchUpFromArchive(conn, ROOM, plan(new Date('2026-01-01T00:00:00Z')), { randomId: ids() }));
    conn.replyTo(
      conn.nextSent(),
      '<fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"><count>4</count></set></fin>',
    );
    for (let i = 0; i < 100 && conn.sent.length === 0; i++) await Promise.resolve();
    const iq = conn.expectSent(
      `<iq type="set" id="*" to="${ROOM}"><query xmlns="urn:xmpp:mam:2" queryid="q2"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field><field var="start"><value>2026-01-01T00:00:00Z</value></field></x><set xmlns="http://jabber.org/protocol/rsm"><max>50</max></set></query></iq>`,
    );
    conn.receive(result('q2', 7));
    conn.replyTo(iq, complete);
    expect(await done).toEqual({ got: ['m7'], result: { end: 'complete', lastId: 's7', fellBack: true } });
    expect(conn.handlerCount).toBe(0);
  });

  it('does not check an empty walk without a time', async () => {
    const conn = new FakeConnection();
    const done = run(catchUpFromArchive(conn, ROOM, plan(), { randomId: ids() }));
    conn.replyTo(conn.nextSent(), complete);
    expect(await done).toEqual({ got: [], result: { end: 'complete', lastId: undefined, fellBack: false } });
    conn.expectNothingSent();
  });

  it('rejects with item-not-found when there is no time to fall back to', async () => {
    const conn = new FakeConnection();
    const done = run(catchUpFromArchive(conn, ROOM, plan(), { randomId: ids() }));
    conn.replyTo(conn.nextSent(), notFound);
    await expect(done).rejects.toMatchObject({ name: 'StanzaError', condition: 'item-not-found' });
    conn.expectNothingSent();
  });

  it('queries by time for an archive-since plan', async () => {
    const conn = new FakeConnection();
    const done = run(
      catchUpFromArchive(
        conn,
        ROOM,
        { kind: 'archive-since', since: new Date(0), joinHistory: { maxStanzas: 0 } },
        { randomId: ids(), max: 5 },
      ),
    );
    const iq = conn.expectSent(
      `<iq type="set" id="*" to="${ROOM}"><query xmlns="urn:xmpp:mam:2" queryid="q1"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field><field var="start"><value>1970-01-01T00:00:00Z</value></field></x><set xmlns="http://jabber.org/protocol/rsm"><max>5</max></set></query></iq>`,
    );
    conn.replyTo(iq, complete);
    expect(await done).toEqual({ got: [], result: { end: 'complete', lastId: undefined, fellBack: false } });
  });
});
