import type { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { FakeConnection } from '../testing/fake-connection.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { FakeClock } from '../core/clock.js';
import { InvalidArgumentError, PayloadError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type RegistrationInfo, getRegistrationForm, getReservedNick, registerNick } from './registration.js';

const ROOM = 'capreg@conference.localhost';
const SERVICE = 'conference.localhost';
const REGISTER = 'jabber:iq:register';

function answer(conn: FakeConnection, iq: Element, name: string): boolean {
  const reply = loadFixture(name);
  reply.attrs.id = iq.attrs.id;
  reply.attrs.to = conn.jid!.toString();
  return conn.receive(reply);
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const SUBMIT_CARO = `<x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#register</value></field><field var="muc#register_roomnick"><value>caro</value></field></x>`;

describe('getRegistrationForm', () => {
  it('Prosody: the room answers with the muc#register form', async () => {
    const conn = new FakeConnection();
    const p = getRegistrationForm(conn, ROOM);
    answer(conn, conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${REGISTER}"/></iq>`), 'prosody-register-form');
    const info = await p;
    expect(info.target).toStrictEqual(JID.parse(ROOM));
    expect(info.registered).toBe(false);
    expect(info.nick).toBeUndefined();
    expect(info.form?.has('roomnick')).toBe(true);
    expect(info.form?.roomnick).toBeUndefined();
    expect(info.dataForm?.fields.find((f) => f.var === 'muc#register_roomnick')?.required).toBe(true);
    conn.expectNothingSent();
  });

  it('ejabberd: the room says service-unavailable, the service answers', async () => {
    const conn = new FakeConnection();
    const p = getRegistrationForm(conn, ROOM);
    answer(
      conn,
      conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${REGISTER}"/></iq>`),
      'ejabberd-register-room-unavailable',
    );
    await flush();
    answer(conn, conn.expectSent(`<iq type="get" to="${SERVICE}" id="*"><query xmlns="${REGISTER}"/></iq>`), 'ejabberd-register-form');
    const info = await p;
    expect(info.target).toStrictEqual(JID.parse(SERVICE));
    expect(info).toMatchObject({ registered: false, instructions: 'You need a client that supports x:data to register the nickname' });
    expect(info.form?.has('roomnick')).toBe(true);
  });

  it('reports an existing registration (both servers)', async () => {
    const conn = new FakeConnection();
    const p = getRegistrationForm(conn, ROOM);
    answer(conn, conn.nextSent(), 'prosody-register-registered');
    expect(await p).toStrictEqual({ target: JID.parse(ROOM), registered: true, nick: 'caro' });
    const q = getRegistrationForm(conn, ROOM);
    answer(conn, conn.nextSent(), 'ejabberd-register-room-unavailable');
    await flush();
    answer(conn, conn.nextSent(), 'ejabberd-register-registered');
    const info = await q;
    expect(info).toMatchObject({ target: JID.parse(SERVICE), registered: true, nick: 'caro' });
    expect(info.form?.roomnick).toBe('caro');
  });

  it('passes other refusals through without asking the service (Prosody non-member)', async () => {
    const conn = new FakeConnection({ jid: 'dave@localhost/x' });
    const p = getRegistrationForm(conn, 'capadm@conference.localhost');
    answer(conn, conn.nextSent(), 'prosody-register-registration-required');
    await expect(p).rejects.toMatchObject({ name: 'StanzaError', condition: 'registration-required', type: 'auth' });
    conn.expectNothingSent();
  });

  it('rejects when neither the room nor the service registers (Prosody service answers service-unavailable)', async () => {
    const conn = new FakeConnection();
    const p = getRegistrationForm(conn, ROOM);
    conn.replyTo(conn.nextSent(), `<error type="cancel"><feature-not-implemented xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await flush();
    answer(
      conn,
      conn.expectSent(`<iq type="get" to="${SERVICE}" id="*"><query xmlns="${REGISTER}"/></iq>`),
      'prosody-register-service-unavailable',
    );
    await expect(p).rejects.toMatchObject({ condition: 'service-unavailable' });
  });

  it('keeps a form of another FORM_TYPE untyped; rejects a result without the query', async () => {
    const conn = new FakeConnection();
    const p = getRegistrationForm(conn, ROOM);
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="${REGISTER}"><x xmlns="jabber:x:data" type="form"><field var="FORM_TYPE" type="hidden"><value>jabber:iq:register</value></field><field var="username"/></x></query>`,
    );
    const info = await p;
    expect(info.form).toBeUndefined();
    expect(info.dataForm?.fields).toHaveLength(2);
    await expect(registerNick(conn, ROOM, 'caro', info)).rejects.toBeInstanceOf(InvalidArgumentError);
    const q = getRegistrationForm(conn, ROOM);
    conn.replyTo(conn.nextSent());
    await expect(q).rejects.toBeInstanceOf(PayloadError);
    await expect(getRegistrationForm(conn, SERVICE)).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });
});

describe('registerNick', () => {
  it('Prosody: fetches the room form, fills the nick, submits to the room', async () => {
    const conn = new FakeConnection();
    const p = registerNick(conn, ROOM, 'caro');
    answer(conn, conn.nextSent(), 'prosody-register-form');
    await flush();
    conn.replyTo(conn.expectSent(`<iq type="set" to="${ROOM}" id="*"><query xmlns="${REGISTER}">${SUBMIT_CARO}</query></iq>`));
    await expect(p).resolves.toBeUndefined();
  });

  it('ejabberd: submits to the service the form came from', async () => {
    const conn = new FakeConnection();
    const p = registerNick(conn, ROOM, 'caro');
    answer(conn, conn.nextSent(), 'ejabberd-register-room-unavailable');
    await flush();
    answer(conn, conn.nextSent(), 'ejabberd-register-form');
    await flush();
    conn.replyTo(conn.expectSent(`<iq type="set" to="${SERVICE}" id="*"><query xmlns="${REGISTER}">${SUBMIT_CARO}</query></iq>`));
    await p;
  });

  it('uses a given form, and passes conflict through (captured, both servers)', async () => {
    for (const [server, target] of [
      ['prosody', ROOM],
      ['ejabberd', SERVICE],
    ] as const) {
      const conn = new FakeConnection({ jid: 'bob@localhost/x' });
      const f = getRegistrationForm(conn, ROOM);
      if (server === 'ejabberd') {
        answer(conn, conn.nextSent(), 'ejabberd-register-room-unavailable');
        await flush();
      }
      answer(conn, conn.nextSent(), `${server}-register-form`);
      const info: RegistrationInfo = await f;
      const p = registerNick(conn, ROOM, 'caro', info);
      answer(
        conn,
        conn.expectSent(`<iq type="set" to="${target}" id="*"><query xmlns="${REGISTER}">${SUBMIT_CARO}</query></iq>`),
        `${server}-register-conflict`,
      );
      const error = await p.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StanzaError);
      expect(error).toMatchObject({ condition: 'conflict' });
    }
  });

  it('falls back to the XEP-0077 <nick/> field when the service sends no form', async () => {
    const conn = new FakeConnection();
    const p = registerNick(conn, ROOM, 'caro', { target: JID.parse(ROOM), registered: false });
    conn.replyTo(conn.expectSent(`<iq type="set" to="${ROOM}" id="*"><query xmlns="${REGISTER}"><nick>caro</nick></query></iq>`));
    await p;
  });

  it('refuses bad input before sending', async () => {
    const conn = new FakeConnection();
    for (const nick of ['', 42, undefined]) {
      await expect(registerNick(conn, ROOM, nick as string)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(registerNick(conn, `${ROOM}/x`, 'caro')).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });
});

describe('getReservedNick', () => {
  it('Prosody: reads the x-roomuser-item identity, or nothing', async () => {
    const conn = new FakeConnection();
    const p = getReservedNick(conn, ROOM);
    answer(
      conn,
      conn.expectSent(
        `<iq type="get" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/disco#info" node="x-roomuser-item"/></iq>`,
      ),
      'prosody-reserved-nick',
    );
    expect(await p).toBe('caro');
    const q = getReservedNick(conn, ROOM);
    answer(conn, conn.nextSent(), 'prosody-reserved-nick-none');
    expect(await q).toBeUndefined();
    conn.expectNothingSent();
  });

  it('ejabberd: the node does not exist, so the service registration tells', async () => {
    const conn = new FakeConnection();
    const p = getReservedNick(conn, ROOM);
    answer(conn, conn.nextSent(), 'ejabberd-reserved-nick-invalid-node');
    await flush();
    answer(
      conn,
      conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${REGISTER}"/></iq>`),
      'ejabberd-register-room-unavailable',
    );
    await flush();
    answer(
      conn,
      conn.expectSent(`<iq type="get" to="${SERVICE}" id="*"><query xmlns="${REGISTER}"/></iq>`),
      'ejabberd-register-registered',
    );
    expect(await p).toBe('caro');
    const q = getReservedNick(conn, ROOM);
    answer(conn, conn.nextSent(), 'ejabberd-reserved-nick-invalid-node');
    await flush();
    answer(conn, conn.nextSent(), 'ejabberd-register-room-unavailable');
    await flush();
    answer(conn, conn.nextSent(), 'ejabberd-register-form');
    expect(await q).toBeUndefined();
  });

  it('rejects with the disco error when the fallback fails too; passes other errors through', async () => {
    const conn = new FakeConnection();
    const p = getReservedNick(conn, 'nosuchroom@conference.localhost');
    answer(conn, conn.nextSent(), 'prosody-room-not-found');
    await flush();
    conn.replyTo(conn.nextSent(), `<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await expect(p).rejects.toMatchObject({ condition: 'item-not-found', by: 'conference.localhost' });
    const q = getReservedNick(conn, ROOM);
    conn.replyTo(conn.nextSent(), `<error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    await expect(q).rejects.toMatchObject({ condition: 'forbidden' });
    conn.expectNothingSent();
  });

  it('times out on the fake clock', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const p = getReservedNick(conn, ROOM, { timeoutMs: 100 }).catch((e: unknown) => e);
    clock.advance(100);
    expect(await p).toBeInstanceOf(TimeoutError);
  });
});
