import type { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { FakeConnection } from '../testing/fake-connection.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../test/support/xml.js';
import { InvalidArgumentError, PayloadError, StanzaError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { DataFormCodec } from '../forms/form.js';
import { cancelRoomConfig, destroyRoom, getRoomConfig, setRoomConfig } from './owner.js';
import { findUserExt } from './payloads/user.js';

const OWNER = 'http://jabber.org/protocol/muc#owner';
const PROBE = 'probe@conference.localhost';

function answer(conn: FakeConnection, iq: Element, name: string): boolean {
  const reply = loadFixture(name);
  reply.attrs.id = iq.attrs.id;
  reply.attrs.to = conn.jid!.toString();
  return conn.receive(reply);
}

/** The submitted field values of a sent owner IQ, by var. */
function submitted(iq: Element): Map<string, string[]> {
  const form = iq.getChild('query', OWNER)!.getChild('x', 'jabber:x:data')!;
  expect(form.attrs.type).toBe('submit');
  return new Map(form.getChildren('field').map((f) => [String(f.attrs.var), f.getChildren('value').map((v) => v.getText())]));
}

describe('getRoomConfig', () => {
  it('fetches the captured Prosody form, typed', async () => {
    const conn = new FakeConnection({ jid: 'alice@localhost/probe' });
    const p = getRoomConfig(conn, PROBE);
    const iq = conn.expectSent(`<iq type="get" to="${PROBE}" id="*"><query xmlns="${OWNER}"/></iq>`);
    expect(answer(conn, iq, 'prosody-owner-config-form')).toBe(true);
    const config = await p;
    expect(config.whois).toBe('moderators');
    expect(config.membersonly).toBe(false);
    expect(config.moderatedroom).toBe(false);
    expect(config.roomdesc).toBe('');
    expect(config.lang).toBe('en');
    expect(config.presencebroadcast).toEqual(['visitor', 'moderator', 'participant']);
    expect(config.has('passwordprotectedroom')).toBe(false);
    expect(config.passwordprotectedroom).toBeUndefined();
    expect(config.has('roomsecret')).toBe(true);
    expect(config.form.fields.some((f) => f.var === 'muc#roomconfig_historylength')).toBe(true);
  });

  it('fetches the captured ejabberd form, typed', async () => {
    const conn = new FakeConnection({ jid: 'alice@localhost/probe' });
    const p = getRoomConfig(conn, JID.parse(PROBE));
    answer(conn, conn.nextSent(), 'ejabberd-owner-config-form');
    const config = await p;
    expect(config.maxusers).toBe('5000');
    expect(config.passwordprotectedroom).toBe(false);
    expect(config.moderatedroom).toBe(true);
    expect(config.publicroom).toBe(true);
    expect(config.allowinvites).toBe(false);
    expect(config.pubsub).toBe('');
    expect(config.has('roomadmins')).toBe(false);
    expect(() => (config.roomadmins = ['x@localhost'])).toThrow(InvalidArgumentError);
  });

  it('passes forbidden through (captured, both servers)', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection({ jid: 'bob@localhost/x' });
      const p = getRoomConfig(conn, 'capadm@conference.localhost');
      answer(conn, conn.nextSent(), `${server}-owner-forbidden`);
      const error = await p.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StanzaError);
      expect(error).toMatchObject({ condition: 'forbidden', type: 'auth' });
    }
  });

  it('rejects a reply without a form, or with a form of another type, with PayloadError', async () => {
    const conn = new FakeConnection();
    const p = getRoomConfig(conn, PROBE);
    conn.replyTo(conn.nextSent(), `<query xmlns="${OWNER}"/>`);
    await expect(p).rejects.toBeInstanceOf(PayloadError);
    const q = getRoomConfig(conn, PROBE);
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="${OWNER}"><x xmlns="jabber:x:data" type="form"><field var="FORM_TYPE" type="hidden"><value>urn:other</value></field></x></query>`,
    );
    await expect(q).rejects.toBeInstanceOf(PayloadError);
    const r = getRoomConfig(conn, PROBE);
    conn.replyTo(conn.nextSent(), `<query xmlns="${OWNER}"><x xmlns="jabber:x:data"/></query>`);
    await expect(r).rejects.toBeInstanceOf(PayloadError);
    await expect(getRoomConfig(conn, 'conference.localhost')).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });
});

describe('setRoomConfig', () => {
  it('submits a changed form with every field the server sent, unknown ones kept (ejabberd)', async () => {
    const conn = new FakeConnection({ jid: 'alice@localhost/probe' });
    const p = getRoomConfig(conn, PROBE);
    answer(conn, conn.nextSent(), 'ejabberd-owner-config-form');
    const config = await p;
    config.moderatedroom = true;
    config.membersonly = true;
    config.passwordprotectedroom = true;
    config.roomsecret = 'sesame';
    const q = setRoomConfig(conn, PROBE, config);
    const iq = conn.nextSent();
    expect(iq.attrs).toMatchObject({ type: 'set', to: PROBE });
    const values = submitted(iq);
    expect(values.get('FORM_TYPE')).toEqual(['http://jabber.org/protocol/muc#roomconfig']);
    expect(values.get('muc#roomconfig_membersonly')).toEqual(['1']);
    expect(values.get('muc#roomconfig_passwordprotectedroom')).toEqual(['1']);
    expect(values.get('muc#roomconfig_roomsecret')).toEqual(['sesame']);
    expect(values.get('muc#roomconfig_maxusers')).toEqual(['5000']);
    expect(values.get('allow_voice_requests')).toEqual(['1']);
    expect(values.get('mam')).toEqual(['1']);
    expect([...values.keys()]).toEqual(config.form.fields.flatMap((f) => (f.var === undefined ? [] : [f.var])));
    conn.replyTo(iq);
    await expect(q).resolves.toBeUndefined();
  });

  it('submits exactly the given DataForm or element', async () => {
    const conn = new FakeConnection();
    const form = {
      type: 'submit' as const,
      instructions: [],
      items: [],
      fields: [
        { var: 'FORM_TYPE', required: false, values: ['http://jabber.org/protocol/muc#roomconfig'], options: [] },
        { var: 'muc#roomconfig_moderatedroom', required: false, values: ['1'], options: [] },
      ],
    };
    const p = setRoomConfig(conn, PROBE, form);
    conn.replyTo(
      conn.expectSent(
        `<iq type="set" to="${PROBE}" id="*"><query xmlns="${OWNER}"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var="muc#roomconfig_moderatedroom"><value>1</value></field></x></query></iq>`,
      ),
    );
    await p;
    const q = setRoomConfig(conn, PROBE, DataFormCodec.encode(form));
    conn.replyTo(conn.nextSent());
    await q;
  });

  it('an empty submission is exactly the instant-room stanza Room.createInstant sends (XEP-0045 §10.1.2)', async () => {
    const conn = new FakeConnection();
    const p = setRoomConfig(conn, PROBE, { type: 'submit', instructions: [], fields: [], items: [] });
    conn.replyTo(
      conn.expectSent(`<iq type="set" to="${PROBE}" id="*"><query xmlns="${OWNER}"><x xmlns="jabber:x:data" type="submit"/></query></iq>`),
    );
    await p;
  });

  it('refuses a form that is not a submission, before sending', async () => {
    const conn = new FakeConnection();
    const received = DataFormCodec.decode(loadFixture('prosody-owner-config-form').getChild('query')!.getChild('x')!);
    await expect(setRoomConfig(conn, PROBE, received)).rejects.toThrow(/type 'submit'/);
    await expect(setRoomConfig(conn, PROBE, x`<x xmlns="urn:other" type="submit"/>`)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(setRoomConfig(conn, PROBE, 'moderated' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      setRoomConfig(conn, `${PROBE}/alice`, { render: () => x`<x xmlns="jabber:x:data" type="submit"/>` }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });

  it('passes a refusal through', async () => {
    const conn = new FakeConnection();
    const p = setRoomConfig(conn, PROBE, x`<x xmlns="jabber:x:data" type="submit"/>`);
    conn.replyTo(conn.nextSent(), `<error type="modify"><not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await expect(p).rejects.toMatchObject({ name: 'StanzaError', condition: 'not-acceptable' });
  });
});

describe('cancelRoomConfig', () => {
  it('sends a cancel form', async () => {
    const conn = new FakeConnection();
    const p = cancelRoomConfig(conn, 'capcancel@conference.localhost');
    conn.replyTo(
      conn.expectSent(
        `<iq type="set" to="capcancel@conference.localhost" id="*"><query xmlns="${OWNER}"><x xmlns="jabber:x:data" type="cancel"/></query></iq>`,
      ),
    );
    await expect(p).resolves.toBeUndefined();
  });
});

describe('destroyRoom', () => {
  it('sends the destroy request: venue, then password before reason (XEP-0045 schema)', async () => {
    const conn = new FakeConnection();
    const p = destroyRoom(conn, 'capadm@conference.localhost', {
      reason: 'moving',
      alternateVenue: 'capinv@conference.localhost',
      password: 'pw',
    });
    conn.replyTo(
      conn.expectSent(
        `<iq type="set" to="capadm@conference.localhost" id="*"><query xmlns="${OWNER}"><destroy jid="capinv@conference.localhost"><password>pw</password><reason>moving</reason></destroy></query></iq>`,
      ),
    );
    await expect(p).resolves.toBeUndefined();
    const q = destroyRoom(conn, 'heath@chat.shakespeare.lit');
    conn.replyTo(conn.expectSent(`<iq type="set" to="heath@chat.shakespeare.lit" id="*"><query xmlns="${OWNER}"><destroy/></query></iq>`));
    await q;
  });

  it('matches XEP-0045 Example 201', async () => {
    const conn = new FakeConnection({ jid: 'crone1@shakespeare.lit/desktop' });
    const p = destroyRoom(conn, 'heath@chat.shakespeare.lit', {
      reason: 'Macbeth doth come.',
      alternateVenue: JID.parse('coven@chat.shakespeare.lit'),
    });
    const sent = conn.nextSent();
    const example = loadFixture('xep-owner-destroy-request');
    example.attrs.id = '*';
    delete example.attrs.from;
    delete example.attrs.xmlns;
    expect(canonical(sent, example)).toBe(canonical(example));
    conn.replyTo(sent);
    await p;
  });

  it('refuses a bad alternate venue before sending; passes forbidden through', async () => {
    const conn = new FakeConnection();
    for (const alternateVenue of ['capinv@conference.localhost/nick', 'conference.localhost', '@@']) {
      await expect(destroyRoom(conn, 'capadm@conference.localhost', { alternateVenue })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    conn.expectNothingSent();
    const p = destroyRoom(conn, 'capadm@conference.localhost');
    answer(conn, conn.nextSent(), 'ejabberd-owner-forbidden');
    await expect(p).rejects.toMatchObject({ condition: 'forbidden', text: 'Owner privileges required' });
  });

  it('the occupants see the venue, password and reason (captured, both servers)', () => {
    for (const server of ['prosody', 'ejabberd']) {
      const ext = findUserExt(loadFixture(`${server}-destroy-alternate-venue`));
      expect(ext?.destroy, server).toStrictEqual({ jid: JID.parse('capinv@conference.localhost'), reason: 'moving', password: 'pw' });
    }
  });
});
