import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { FakeConnection } from './fake-connection.js';
import { x } from './xml.js';

describe('FakeConnection', () => {
  it('resolves a request only for a reply with the same id from the addressee', async () => {
    const conn = new FakeConnection({ clock: new FakeClock() });
    const p = conn.request(x`<iq type="get" to="room@conference.localhost"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    const iq = conn.expectSent(
      `<iq type="get" to="room@conference.localhost" id="*"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`,
    );
    // A spoofed reply from someone else is not taken as the answer.
    expect(conn.receive(`<iq type="result" id="${iq.attrs.id}" from="evil@localhost/x"/>`)).toBe(false);
    expect(conn.pendingRequests).toBe(1);
    conn.replyTo(iq, '<query xmlns="http://jabber.org/protocol/disco#info"><feature var="x"/></query>');
    const reply = await p;
    expect(reply.getChild('query')?.getChild('feature')?.attrs.var).toBe('x');
    expect(conn.pendingRequests).toBe(0);
  });

  it('rejects with StanzaError on an error reply and with TimeoutError on the fake clock', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const p1 = conn.request(x`<iq type="get" to="a@localhost"/>`);
    conn.replyTo(conn.nextSent(), '<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>');
    await expect(p1).rejects.toMatchObject({ name: 'StanzaError', condition: 'item-not-found' });
    const p2 = conn.request(x`<iq type="get" to="a@localhost"/>`, { timeoutMs: 50 });
    clock.advance(50);
    await expect(p2).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(conn.pendingRequests).toBe(0);
  });

  it('passes stanzas to handlers in order; unclaimed ones are emitted as stanza; throwing handlers do not claim', () => {
    const conn = new FakeConnection();
    const order: string[] = [];
    conn.addHandler(() => {
      order.push('throws');
      throw new Error('bug');
    });
    const off = conn.addHandler((s) => {
      order.push('claims-presence');
      return s.name === 'presence';
    });
    const app: string[] = [];
    conn.events.on('stanza', ({ stanza }) => app.push(stanza.name));
    expect(conn.receive('<presence from="a@localhost/r"/>')).toBe(true);
    expect(conn.receive('<message from="a@localhost/r"/>')).toBe(false);
    off();
    expect(conn.receive('<presence from="a@localhost/r"/>')).toBe(false);
    expect(order).toEqual(['throws', 'claims-presence', 'throws', 'claims-presence', 'throws']);
    expect(app).toEqual(['message', 'presence']);
    expect(conn.handlerCount).toBe(1);
  });

  it('destroy rejects pending requests with DisconnectedError and emits destroyed', async () => {
    const conn = new FakeConnection();
    const events: string[] = [];
    conn.events.on('destroyed', ({ willReconnect }) => events.push(`destroyed:${willReconnect}`));
    conn.events.on('established', ({ jid }) => events.push(`established:${jid}`));
    const p = conn.request(x`<iq type="get" to="a@localhost"/>`);
    conn.destroy();
    await expect(p).rejects.toMatchObject({ name: 'DisconnectedError' });
    conn.establish('alice@localhost/new');
    expect(events).toEqual(['destroyed:true', 'established:alice@localhost/new']);
  });
});

describe('FakeConnection expectations', () => {
  it('throw AssertionError with actual and expected, without a test framework', () => {
    const conn = new FakeConnection();
    void conn.send(x`<message to="a@localhost" id="m1"><body>hi</body></message>`);
    let error: unknown;
    try {
      conn.expectSent('<message to="a@localhost" id="*"><body>bye</body></message>');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      name: 'AssertionError',
      actual: '<message id="*" to="a@localhost"><body>"hi"</body></message>',
      expected: '<message id="*" to="a@localhost"><body>"bye"</body></message>',
    });
    expect(() => conn.nextSent()).toThrow(/expected a sent stanza/);
    void conn.send(x`<presence id="p1"/>`);
    expect(() => conn.expectNothingSent()).toThrow(/got 1 stanza\(s\):\n {2}<presence id="p1"\/>/);
  });

  it('rejects a second pending request with the same id, as the real connections do', async () => {
    const conn = new FakeConnection({ clock: new FakeClock() });
    void conn.request(x`<iq type="get" id="q1" to="a@localhost"/>`);
    await expect(conn.request(x`<iq type="get" id="q1" to="a@localhost"/>`)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    expect(conn.takeSent().map((s) => s.attrs.id)).toEqual(['q1']);
  });
});
