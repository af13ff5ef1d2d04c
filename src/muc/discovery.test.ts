import { readFileSync } from 'node:fs';
import { type Element, parse } from 'ltx';
import { describe, expect, it } from 'vitest';
import { FakeConnection } from '../testing/fake-connection.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { stripWhitespace } from '../../test/support/xml.js';
import { FakeClock } from '../core/clock.js';
import { AbortError, InvalidArgumentError, PayloadError, StanzaError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { type RoomFeatures, findMucService, getRoomInfo, getUniqueRoomName, listRooms, roomFeatures } from './discovery.js';

const ROOM = 'capadm@conference.localhost';
const SERVICE = 'conference.localhost';
const j = (s: string) => JID.parse(s);

/** A captured stanza of test/fixtures/xep0030. */
function load30(name: string): Element {
  const text = readFileSync(new URL(`../../test/fixtures/xep0030/${name}.xml`, import.meta.url), 'utf8');
  return stripWhitespace(parse(text.slice(text.indexOf('\n') + 1).trim()) as Element);
}

function answerWith(conn: FakeConnection, iq: Element, reply: Element): boolean {
  reply.attrs.id = iq.attrs.id;
  reply.attrs.to = conn.jid!.toString();
  return conn.receive(reply);
}

const answer = (conn: FakeConnection, iq: Element, name: string) => answerWith(conn, iq, loadFixture(name));

/** Let pending promise continuations run (no timers involved). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const NONE: RoomFeatures = roomFeatures(new Set());

describe('getRoomInfo', () => {
  it('reads the captured Prosody room info: features as booleans, typed info form, name', async () => {
    const conn = new FakeConnection();
    const p = getRoomInfo(conn, ROOM);
    const iq = conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    expect(answer(conn, iq, 'prosody-room-info-public')).toBe(true);
    const info = await p;
    expect(info.jid).toStrictEqual(j(ROOM));
    expect(info.name).toBe('Admin capture');
    expect(info.identities).toStrictEqual([{ category: 'conference', type: 'text', name: 'Admin capture' }]);
    expect(info.features).toStrictEqual({
      ...NONE,
      open: true,
      public: true,
      semiAnonymous: true,
      unmoderated: true,
      persistent: true,
      unsecured: true,
      mam: true,
      occupantId: true,
      selfPingOptimization: true,
      stableId: true,
      stanzaIds: true,
      registration: true,
      voiceRequests: true,
      messageModeration: true,
    });
    expect(info.featureSet.has('urn:xmpp:mam:2#extended')).toBe(true);
    expect(info.info?.roomname).toBe('Admin capture');
    expect(info.info?.occupants).toBe('1');
    expect(info.info?.lang).toBe('en');
    expect(info.info?.description).toBe('');
    expect(info.info?.allowinvites).toBe(true);
    expect(info.info?.changesubject).toBe(false);
    expect(info.info?.subject).toBeUndefined();
    expect(info.forms).toHaveLength(1);
  });

  it('reads the captured ejabberd room info', async () => {
    const conn = new FakeConnection();
    const p = getRoomInfo(conn, JID.parse(ROOM));
    answer(conn, conn.nextSent(), 'ejabberd-room-info-public');
    const info = await p;
    expect(info.name).toBe('Admin capture');
    expect(info.features).toStrictEqual({
      ...NONE,
      open: true,
      public: true,
      semiAnonymous: true,
      moderated: true,
      persistent: true,
      unsecured: true,
      mam: true,
      stanzaIds: true,
      vcard: true,
    });
    expect(info.info?.occupants).toBe('1');
    expect(info.info?.description).toBeUndefined();
    expect(info.info?.has('subjectmod')).toBe(false);
    expect(info.info?.rawValues('muc#roominfo_changesubject')).toEqual(['1']);
  });

  it('sees members-only, moderated, password-protected after the config change (both servers)', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection();
      const p = getRoomInfo(conn, ROOM);
      answer(conn, conn.nextSent(), `${server}-room-info-secured`);
      const { features } = await p;
      expect(features, server).toMatchObject({
        membersOnly: true,
        moderated: true,
        passwordProtected: true,
        open: false,
        unsecured: false,
        unmoderated: false,
      });
    }
  });

  it('reads a room without name or info form (XEP-0030 fixture of a fresh Prosody room)', async () => {
    const conn = new FakeConnection({ jid: 'alice@localhost/probe' });
    const p = getRoomInfo(conn, 'probe@conference.localhost');
    const reply = load30('prosody-room-info');
    reply.getChild('query')!.children = reply
      .getChild('query')!
      .getChildElements()
      .filter((c) => c.name !== 'x');
    answerWith(conn, conn.nextSent(), reply);
    const info = await p;
    expect(info.name).toBeUndefined();
    expect(info.info).toBeUndefined();
    expect(info.features.hidden).toBe(true);
  });

  it('passes item-not-found through (captured, both servers) and refuses a non-room JID', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection();
      const p = getRoomInfo(conn, 'nosuchroom@conference.localhost');
      answer(conn, conn.nextSent(), `${server}-room-not-found`);
      const error = await p.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StanzaError);
      expect(error).toMatchObject({ condition: 'item-not-found' });
    }
    const conn = new FakeConnection();
    await expect(getRoomInfo(conn, SERVICE)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(getRoomInfo(conn, `${ROOM}/nick`)).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });

  it('leaves out a malformed info form and rejects a result without a query', async () => {
    const conn = new FakeConnection();
    const logger = recordingLogger();
    const p = getRoomInfo(conn, ROOM, { logger });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="conference" type="text"/><feature var="muc_open"/><x xmlns="jabber:x:data"/></query>`,
    );
    const info = await p;
    expect(info.info).toBeUndefined();
    expect(info.features.open).toBe(true);
    expect(logger.records.some((r) => r.message === 'dropping malformed child')).toBe(true);
    const q = getRoomInfo(conn, ROOM);
    conn.replyTo(conn.nextSent());
    await expect(q).rejects.toBeInstanceOf(PayloadError);
  });
});

describe('listRooms', () => {
  it("lists every room in the service's order when not paging (both servers)", async () => {
    const expected = {
      prosody: [
        { jid: j('caplist2@conference.localhost') },
        { jid: j('caplist3@conference.localhost') },
        { jid: j('capadm@conference.localhost'), name: 'Admin capture' },
        { jid: j('caplist1@conference.localhost') },
      ],
      ejabberd: [
        { jid: j('capadm@conference.localhost'), name: 'Admin capture (1)' },
        { jid: j('caplist1@conference.localhost'), name: 'caplist1 (1)' },
        { jid: j('caplist2@conference.localhost'), name: 'caplist2 (1)' },
        { jid: j('caplist3@conference.localhost'), name: 'caplist3 (1)' },
      ],
    };
    for (const server of ['prosody', 'ejabberd'] as const) {
      const conn = new FakeConnection();
      const p = listRooms(conn, SERVICE);
      const iq = conn.expectSent(`<iq type="get" to="${SERVICE}" id="*"><query xmlns="http://jabber.org/protocol/disco#items"/></iq>`);
      answer(conn, iq, `${server}-room-list`);
      expect(await p, server).toStrictEqual({ rooms: expected[server] });
    }
  });

  it('pages with RSM on ejabberd: next cursors until an empty page', async () => {
    const conn = new FakeConnection();
    const p1 = listRooms(conn, SERVICE, { max: 2 });
    const iq1 = conn.expectSent(
      `<iq type="get" to="${SERVICE}" id="*"><query xmlns="http://jabber.org/protocol/disco#items"><set xmlns="http://jabber.org/protocol/rsm"><max>2</max></set></query></iq>`,
    );
    answer(conn, iq1, 'ejabberd-room-list-page1');
    const page1 = await p1;
    expect(page1).toStrictEqual({
      rooms: [
        { jid: j('capadm@conference.localhost'), name: 'Admin capture (1)' },
        { jid: j('caplist1@conference.localhost'), name: 'caplist1 (1)' },
      ],
      count: 4,
      next: 'caplist1',
    });
    const p2 = listRooms(conn, SERVICE, { max: 2, after: page1.next });
    const iq2 = conn.expectSent(
      `<iq type="get" to="${SERVICE}" id="*"><query xmlns="http://jabber.org/protocol/disco#items"><set xmlns="http://jabber.org/protocol/rsm"><max>2</max><after>caplist1</after></set></query></iq>`,
    );
    answer(conn, iq2, 'ejabberd-room-list-page2');
    const page2 = await p2;
    expect(page2.rooms.map((r) => r.jid.local)).toEqual(['caplist2', 'caplist3']);
    expect(page2.next).toBe('caplist3');
    const p3 = listRooms(conn, SERVICE, { max: 2, after: page2.next });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#items"><set xmlns="http://jabber.org/protocol/rsm"><count>4</count></set></query>`,
    );
    expect(await p3).toStrictEqual({ rooms: [], count: 4 });
  });

  it('ends when the index says the set is complete, or the page is short', async () => {
    const conn = new FakeConnection();
    const p = listRooms(conn, SERVICE, { max: 2, after: 'b' });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#items"><item jid="c@${SERVICE}"/><item jid="d@${SERVICE}"/><set xmlns="http://jabber.org/protocol/rsm"><first index="2">c</first><last>d</last><count>4</count></set></query>`,
    );
    expect((await p).next).toBeUndefined();
    const q = listRooms(conn, SERVICE, { max: 5 });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#items"><item jid="c@${SERVICE}"/><set xmlns="http://jabber.org/protocol/rsm"><last>c</last></set></query>`,
    );
    expect(await q).toStrictEqual({ rooms: [{ jid: j(`c@${SERVICE}`) }] });
  });

  it('Prosody ignores RSM and returns every room: no cursor', async () => {
    const conn = new FakeConnection();
    const p = listRooms(conn, SERVICE, { max: 2 });
    answer(conn, conn.nextSent(), 'prosody-room-list-rsm-ignored');
    const page = await p;
    expect(page.rooms).toHaveLength(4);
    expect(page.next).toBeUndefined();
  });

  it('skips items that are not rooms (logged); refuses bad input', async () => {
    const conn = new FakeConnection();
    const logger = recordingLogger();
    const p = listRooms(conn, SERVICE, { logger });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#items"><item jid="${SERVICE}"/><item jid="r@${SERVICE}/nick"/><item/><item jid="ok@${SERVICE}" name="OK"/><set xmlns="http://jabber.org/protocol/rsm"><count>x</count></set></query>`,
    );
    expect(await p).toStrictEqual({ rooms: [{ jid: j(`ok@${SERVICE}`), name: 'OK' }] });
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(2);
    for (const [service, options] of [
      [ROOM, {}],
      [SERVICE, { max: 0 }],
      [SERVICE, { max: 1.5 }],
      [SERVICE, { after: 3 }],
    ] as const) {
      await expect(listRooms(conn, service, options as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    conn.expectNothingSent();
  });
});

describe('findMucService', () => {
  it('finds the MUC service among the server items (both servers)', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection({ jid: 'alice@localhost/probe' });
      const p = findMucService(conn, 'localhost');
      const items = conn.expectSent(`<iq type="get" to="localhost" id="*"><query xmlns="http://jabber.org/protocol/disco#items"/></iq>`);
      answer(conn, items, `${server}-server-items`);
      await flush();
      const infos = conn.takeSent();
      expect(infos).toHaveLength(2);
      for (const iq of infos) {
        if (iq.attrs.to === SERVICE) answerWith(conn, iq, load30(`${server}-service-info`));
        else
          conn.replyTo(
            iq,
            `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="pubsub" type="service"/><feature var="http://jabber.org/protocol/pubsub"/></query>`,
          );
      }
      const services = await p;
      expect(
        services.map((s) => s.jid.toString()),
        server,
      ).toEqual([SERVICE]);
      expect(services[0]!.name).toBe('Test Chatrooms');
      expect(services[0]!.featureSet.has('http://jabber.org/protocol/muc#unique')).toBe(true);
    }
  });

  it('skips items that fail disco#info (logged) and fails when the server items fail', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const logger = recordingLogger();
    const p = findMucService(conn, 'localhost', { timeoutMs: 1000, logger });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#items"><item jid="a.localhost"/><item jid="b.localhost"/><item jid="localhost" node="x"/></query>`,
    );
    await flush();
    const [a, b] = conn.takeSent();
    conn.replyTo(a!, `<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    expect(b!.attrs.to).toBe('b.localhost');
    clock.advance(1000);
    expect(await p).toEqual([]);
    expect(logger.records.filter((r) => r.message === 'skipping a server item that did not answer disco#info')).toHaveLength(2);
    const q = findMucService(conn, 'localhost');
    conn.replyTo(conn.nextSent(), `<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await expect(q).rejects.toBeInstanceOf(StanzaError);
    await expect(findMucService(conn, 'alice@localhost')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('rejects with AbortError when aborted while asking the items', async () => {
    const conn = new FakeConnection();
    const ac = new AbortController();
    const p = findMucService(conn, 'localhost', { signal: ac.signal });
    conn.replyTo(conn.nextSent(), `<query xmlns="http://jabber.org/protocol/disco#items"><item jid="a.localhost"/></query>`);
    await flush();
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
  });
});

describe('getUniqueRoomName', () => {
  it('returns the room JID from the captured answers (both servers)', async () => {
    const expected = { prosody: 'blnte6hagkuxsq7naxrkduhb', ejabberd: 'e5ca1e854e440e081edaaff317ceecc151ac0896' };
    for (const server of ['prosody', 'ejabberd'] as const) {
      const conn = new FakeConnection();
      const p = getUniqueRoomName(conn, SERVICE);
      const iq = conn.expectSent(`<iq type="get" to="${SERVICE}" id="*"><unique xmlns="http://jabber.org/protocol/muc#unique"/></iq>`);
      answer(conn, iq, `${server}-unique-result`);
      const jid = await p;
      if (server === 'prosody') expect(jid.local).toMatch(/^[a-z0-9]{24}$/);
      else expect(jid.local).toMatch(/^[0-9a-f]{40}$/);
      expect(jid.domain).toBe(SERVICE);
      expect(expected[server].length).toBe(jid.local!.length);
    }
  });

  it('trims the XEP example whitespace', async () => {
    const conn = new FakeConnection();
    const p = getUniqueRoomName(conn, 'chat.shakespeare.lit');
    conn.replyTo(
      conn.nextSent(),
      `<unique xmlns="http://jabber.org/protocol/muc#unique">\n    6d9423a55f499b29ad20bf7b2bdea4f4b885ead1\n  </unique>`,
    );
    expect((await p).toString()).toBe('6d9423a55f499b29ad20bf7b2bdea4f4b885ead1@chat.shakespeare.lit');
  });

  it('passes the refusal of an entity without XEP-0307 through (captured, both servers)', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection();
      const p = getUniqueRoomName(conn, 'localhost');
      answer(conn, conn.nextSent(), `${server}-unique-unavailable`);
      await expect(p).rejects.toMatchObject({ name: 'StanzaError', condition: 'service-unavailable', type: 'cancel' });
    }
  });

  it('rejects unusable answers with PayloadError and bad input before sending', async () => {
    for (const payload of [
      undefined,
      `<unique xmlns="http://jabber.org/protocol/muc#unique"/>`,
      `<unique xmlns="http://jabber.org/protocol/muc#unique">a@b</unique>`,
    ]) {
      const conn = new FakeConnection();
      const p = getUniqueRoomName(conn, SERVICE);
      conn.replyTo(conn.nextSent(), payload);
      await expect(p).rejects.toBeInstanceOf(PayloadError);
    }
    const conn = new FakeConnection();
    await expect(getUniqueRoomName(conn, ROOM)).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });
});
