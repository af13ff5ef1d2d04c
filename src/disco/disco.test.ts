import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { InvalidArgumentError, PayloadError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { FakeConnection } from '../testing/fake-connection.js';
import { ejabberdRoomInfo } from '../../test/fixtures/xep0030/cases.js';
import { discoInfoCodec, discoInfo, discoItems } from './disco.js';

/** A captured stanza without its first-line source comment. */
function fixture(name: string): string {
  return readFileSync(new URL(`../../test/fixtures/xep0030/${name}`, import.meta.url), 'utf8').replace(/^<!--.*-->\n/, '');
}

describe('discoInfo', () => {
  it('queries and decodes a captured room disco#info', async () => {
    const conn = new FakeConnection({ jid: 'alice@localhost/probe' });
    const p = discoInfo(conn, 'probe@conference.localhost');
    const iq = conn.expectSent(
      `<iq xmlns="jabber:client" type="get" id="*" to="probe@conference.localhost"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`,
    );
    expect(conn.receive(fixture('ejabberd-room-info.xml').replace('id="alice-iq5"', `id="${String(iq.attrs.id)}"`))).toBe(true);
    const info = await p;
    expect(info).toStrictEqual(ejabberdRoomInfo);
    expect(info.features.has('muc_moderated')).toBe(true);
  });

  it('sends the node and passes the reply node through', async () => {
    const conn = new FakeConnection();
    const p = discoInfo(conn, JID.parse('mim.shakespeare.lit'), { node: 'http://jabber.org/protocol/commands' });
    const iq = conn.expectSent(
      `<iq type="get" id="*" to="mim.shakespeare.lit"><query xmlns="http://jabber.org/protocol/disco#info" node="http://jabber.org/protocol/commands"/></iq>`,
    );
    conn.replyTo(
      iq,
      `<query xmlns="http://jabber.org/protocol/disco#info" node="http://jabber.org/protocol/commands"><identity category="automation" type="command-list"/></query>`,
    );
    expect(await p).toStrictEqual({
      node: 'http://jabber.org/protocol/commands',
      identities: [{ category: 'automation', type: 'command-list' }],
      features: new Set(),
      forms: [],
    });
  });

  it('drops malformed identities, features and forms, logging them', async () => {
    const logger = recordingLogger();
    const conn = new FakeConnection();
    const p = discoInfo(conn, 'localhost', { logger });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="http://jabber.org/protocol/disco#info"><identity type="text"/><identity category="server" type="im" xml:lang="en" name="S"/><feature/><feature var="a"/><x xmlns="jabber:x:data"/></query>`,
    );
    expect(await p).toStrictEqual({
      identities: [{ category: 'server', type: 'im', name: 'S', lang: 'en' }],
      features: new Set(['a']),
      forms: [],
    });
    expect(logger.records.map((r) => r.message)).toEqual([
      'dropping malformed child',
      'dropping <feature/> without var',
      'dropping malformed child',
    ]);
  });

  it('rejects with StanzaError, PayloadError, TimeoutError, InvalidArgumentError', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const notFound = discoInfo(conn, 'nope@conference.localhost');
    conn.replyTo(conn.nextSent(), `<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await expect(notFound).rejects.toMatchObject({ name: 'StanzaError', condition: 'item-not-found' });
    await expect(notFound).rejects.toBeInstanceOf(StanzaError);

    const empty = discoInfo(conn, 'localhost');
    conn.replyTo(conn.nextSent());
    await expect(empty).rejects.toBeInstanceOf(PayloadError);

    const slow = discoInfo(conn, 'localhost', { timeoutMs: 1000 });
    const settled = slow.catch((e: unknown) => e);
    conn.nextSent();
    clock.advance(1000);
    expect(await settled).toBeInstanceOf(TimeoutError);
    expect(conn.pendingRequests).toBe(0);

    await expect(discoInfo(conn, '@localhost')).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });
});

describe('discoItems', () => {
  it('lists items, dropping ones without a valid jid', async () => {
    const conn = new FakeConnection();
    const p = discoItems(conn, 'conference.localhost');
    const iq = conn.expectSent(
      `<iq type="get" id="*" to="conference.localhost"><query xmlns="http://jabber.org/protocol/disco#items"/></iq>`,
    );
    conn.replyTo(
      iq,
      `<query xmlns="http://jabber.org/protocol/disco#items">
        <item jid="lobby@conference.localhost" name="Lobby (2)"/>
        <item name="no jid"/>
        <item jid="catalog.localhost" node="books"/>
      </query>`,
    );
    expect(await p).toStrictEqual([
      { jid: JID.parse('lobby@conference.localhost'), name: 'Lobby (2)' },
      { jid: JID.parse('catalog.localhost'), node: 'books' },
    ]);
  });

  it('sends the node', async () => {
    const conn = new FakeConnection();
    const p = discoItems(conn, 'catalog.localhost', { node: 'books' });
    const iq = conn.expectSent(
      `<iq type="get" id="*" to="catalog.localhost"><query xmlns="http://jabber.org/protocol/disco#items" node="books"/></iq>`,
    );
    conn.replyTo(iq, `<query xmlns="http://jabber.org/protocol/disco#items" node="books"/>`);
    expect(await p).toStrictEqual([]);
  });
});

describe('discoInfoCodec', () => {
  it('encodes identities, features, then forms', () => {
    const el = discoInfoCodec.encode({ identities: [{ category: 'client', type: 'pc' }], features: new Set(['a', 'b']), forms: [] });
    expect(el.toString()).toBe(
      '<query xmlns="http://jabber.org/protocol/disco#info"><identity category="client" type="pc"/><feature var="a"/><feature var="b"/></query>',
    );
  });
});
