/**
 * One test (at least) per xmpp.js defect the adapter mitigates (M1-M10 of the transport
 * evaluation). Each was checked to FAIL with its mitigation disabled.
 */
import { Element } from 'ltx';
import type net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DisconnectedError, StanzaError, TimeoutError } from '../../core/errors.js';
import { fromXmppJs } from './adapter.js';
import { createXmppJsClient } from '../../../test/support/xmppjs-client.js';
import { type Harness, handshake, setup, startAndEstablish, teardown, until, within } from '../../../test/support/xmppjs-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await teardown(h);
  h = undefined;
  vi.restoreAllMocks();
});

const discoInfo = (to?: string) =>
  new Element('iq', to === undefined ? { type: 'get' } : { type: 'get', to })
    .c('query', { xmlns: 'http://jabber.org/protocol/disco#info' })
    .up();
const idOf = (xml: string) => /id="([^"]+)"/.exec(xml)?.[1] ?? '';

describe('M1: UTF-8 sequences split across TCP reads', () => {
  it('M1: a body whose emoji is split between two socket reads arrives intact', async () => {
    h = await setup((c) => handshake(c));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    const text = 'héllo 😀 wörld 漢字 ✓';
    const bytes = Buffer.from(`<message from='bob@localhost/x' id='u1' type='chat'><body>${text}</body></message>`, 'utf8');
    const cut = bytes.indexOf(Buffer.from('😀', 'utf8')) + 2; // inside the 4-byte sequence
    const socket = h.xmpp.socket as unknown as net.Socket;
    const firstRead = new Promise((r) => socket.once('data', r));
    await c1.write(bytes.subarray(0, cut));
    await within(firstRead, 4000, 'first read');
    await c1.write(bytes.subarray(cut));
    await until(() => h!.unclaimed.length === 1);
    expect(h.unclaimed[0]!.getChildText('body')).toBe(text);
  });
});

describe('M2: own IQ tracker', () => {
  it('M2: a reply with the right id from another sender is not accepted (spoofing)', async () => {
    h = await setup((c) => handshake(c));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    const result = h.conn.request(discoInfo('room@conference.localhost'));
    const id = idOf(await c1.readUntil('</iq>'));
    await c1.write(
      `<iq type='result' id='${id}' from='evil@localhost/x'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text' name='spoofed'/></query></iq>`,
    );
    await until(() => h!.unclaimed.length === 1);
    await c1.write(
      `<iq type='result' id='${id}' from='room@conference.localhost'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text' name='real'/></query></iq>`,
    );
    const reply = await within(result);
    expect(reply.attrs.from).toBe('room@conference.localhost');
    expect(reply.getChild('query')?.getChild('identity')?.attrs.name).toBe('real');
    expect(h.unclaimed[0]!.attrs.from).toBe('evil@localhost/x');
    expect(h.logger.records.some((r) => r.level === 'warn' && r.message.includes('unexpected sender'))).toBe(true);
  });

  it('M2: a request without "to" accepts a reply without "from" or from the own bare JID only', async () => {
    h = await setup((c) => handshake(c, { jid: 'anon@localhost/r1' }));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    const a = h.conn.request(discoInfo());
    const idA = idOf(await c1.readUntil('</iq>'));
    await c1.write(`<iq type='result' id='${idA}' from='localhost'/>`); // the domain is not the account
    await c1.write(`<iq type='result' id='${idA}' from='anon@localhost'/>`);
    expect((await within(a)).attrs.from).toBe('anon@localhost');
    const b = h.conn.request(discoInfo());
    const idB = idOf(await c1.readUntil('</iq>'));
    await c1.write(`<iq type='result' id='${idB}'/>`);
    expect((await within(b)).attrs.id).toBe(idB);
    expect(h.unclaimed.map((s) => s.attrs.from)).toEqual(['localhost']);
  });

  it('M2: ids come from crypto.getRandomValues, not Math.random', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const xmpp = createXmppJsClient({ service: 'xmpp://127.0.0.1:1', domain: 'localhost' });
    const conn = fromXmppJs(xmpp);
    const a = discoInfo('localhost');
    const b = discoInfo('localhost');
    const pa = conn.request(a);
    const pb = conn.request(b);
    expect(String(a.attrs.id)).toMatch(/^[\w-]{16}$/);
    expect(String(b.attrs.id)).toMatch(/^[\w-]{16}$/);
    expect(a.attrs.id).not.toBe(b.attrs.id);
    conn.dispose();
    return Promise.all([expect(pa).rejects.toThrow(DisconnectedError), expect(pb).rejects.toThrow(DisconnectedError)]);
  });

  it('M2: error replies reject with StanzaError, also without an <error/> child; timeouts clean up', async () => {
    h = await setup((c) => handshake(c));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    const a = h.conn.request(discoInfo('nope@conference.localhost'));
    const idA = idOf(await c1.readUntil('</iq>'));
    await c1.write(
      `<iq type='error' id='${idA}' from='nope@conference.localhost'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
    );
    const ea = await within(a.catch((e: unknown) => e));
    expect(ea).toBeInstanceOf(StanzaError);
    expect((ea as StanzaError).condition).toBe('item-not-found');
    const b = h.conn.request(discoInfo('x@localhost'));
    const idB = idOf(await c1.readUntil('</iq>'));
    await c1.write(`<iq type='error' id='${idB}' from='x@localhost'/>`);
    const eb = await within(b.catch((e: unknown) => e));
    expect(eb).toBeInstanceOf(StanzaError);
    expect((eb as StanzaError).condition).toBe('undefined-condition');
    const c = h.conn.request(discoInfo('y@localhost'), { timeoutMs: 5000 });
    const idC = idOf(await c1.readUntil('</iq>'));
    h.clock.advance(5000);
    await expect(c).rejects.toBeInstanceOf(TimeoutError);
    await c1.write(`<iq type='result' id='${idC}' from='y@localhost'/>`); // late: goes to the application
    await until(() => h!.unclaimed.length === 1);
  });

  it('M2: a request sent on a session that could not be resumed rejects with DisconnectedError', async () => {
    h = await setup(async (c, i) => {
      if (i === 1) await handshake(c, { sm: true, jid: 'anon@localhost/r1' });
      else await handshake(c, { sm: true, resume: { h: 0, fail: true }, jid: 'anon@localhost/r2' });
    });
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    const pending = h.conn.request(discoInfo('room@conference.localhost'));
    await c1.readUntil('</iq>');
    c1.destroy();
    await until(() => h!.log.includes('status:disconnected'));
    expect(h.log).not.toContain('destroyed:true'); // resumable: not gone yet
    h.clock.advance(1000);
    await expect(within(pending)).rejects.toBeInstanceOf(DisconnectedError);
    await until(() => h!.log.includes('established:anon@localhost/r2'));
    expect(h.log).toEqual([
      'status:connecting',
      'status:online',
      'established:anon@localhost/r1',
      'status:disconnected',
      'status:connecting',
      'destroyed:true',
      'status:online',
      'established:anon@localhost/r2',
    ]);
  });
});

describe('M3: no graceful close on ack timeout; liveness and connect watchdogs', () => {
  it("M3: xmpp.js's SM ack timeout (which sends </stream:stream>) is disabled", () => {
    const xmpp = createXmppJsClient({ service: 'xmpp://127.0.0.1:1', domain: 'localhost' });
    expect(xmpp.streamManagement.timeout).toBe(60_000);
    const conn = fromXmppJs(xmpp);
    expect(xmpp.streamManagement.timeout).toBe(0);
    conn.dispose();
  });

  it('M3: an unanswered ping destroys the socket (no </stream:stream>) and the session resumes', async () => {
    h = await setup(
      async (c, i) => {
        if (i === 1) await handshake(c, { sm: true });
        else await handshake(c, { sm: true, resume: { h: 0 } });
      },
      { pingIntervalMs: 10_000, pingTimeoutMs: 5000 },
    );
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    h.clock.advance(10_000);
    const ping = await c1.readUntil(/<iq[^>]*><ping xmlns="urn:xmpp:ping"\/><\/iq>/);
    expect(ping).toMatch(/type="get"/);
    expect(ping).toMatch(/to="localhost"/);
    h.clock.advance(4999);
    expect(c1.ended).toBe(false);
    h.clock.advance(1);
    await within(c1.closed, 4000, 'socket drop');
    expect(c1.received).not.toContain('</stream:stream>');
    await until(() => h!.log.includes('status:disconnected'));
    h.clock.advance(1000);
    await until(() => h!.log.length === 6);
    expect(h.log).toEqual([
      'status:connecting',
      'status:online',
      'established:anon@localhost/r1',
      'status:disconnected',
      'status:connecting',
      'status:online',
    ]);
  });

  it('M3: an answered ping keeps the connection; traffic postpones the ping', async () => {
    h = await setup((c) => handshake(c), { pingIntervalMs: 10_000, pingTimeoutMs: 5000 });
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    h.clock.advance(6000);
    await c1.write(`<message from='bob@localhost/x' id='t1'><body>x</body></message>`);
    await until(() => h!.unclaimed.length === 1);
    h.clock.advance(4000); // 10 s since online but only 4 s idle: no ping yet
    h.clock.advance(5999);
    expect(c1.unread).not.toContain('urn:xmpp:ping');
    h.clock.advance(1);
    const id = idOf(await c1.readUntil(/<iq[^>]*><ping[^>]*\/><\/iq>/));
    await c1.write(
      `<iq type='error' id='${id}' from='localhost'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
    );
    await until(() => h!.clock.pending === 1); // the next ping is scheduled
    h.clock.advance(5000);
    expect(c1.isClosed).toBe(false);
    expect(h.conn.status).toBe('online');
  });

  it('M3: a reconnect stuck in opening is dropped after connectTimeoutMs and retried', async () => {
    h = await setup(
      async (c, i) => {
        if (i === 1) await handshake(c, { sm: true });
        else if (i === 2)
          await c.readUntil(/<stream:stream[^>]*>/); // never answers
        else await handshake(c, { sm: true, resume: { h: 0 } });
      },
      { connectTimeoutMs: 8000 },
    );
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    c1.destroy();
    await until(() => h!.log.includes('status:disconnected'));
    h.clock.advance(1000);
    const c2 = await h.server.connection(2);
    await until(() => c2.received.includes('<stream:stream'));
    await until(() => h!.xmpp.status === 'opening');
    h.clock.advance(7999);
    expect(c2.ended).toBe(false);
    h.clock.advance(1);
    await within(c2.closed, 4000, 'stuck socket drop');
    await until(() => h!.xmpp.status === 'disconnect');
    h.clock.advance(2000); // second attempt: backoff doubled
    await within(h.server.connection(3));
    await until(() => h!.conn.status === 'online');
    expect(h.log.filter((e) => e.startsWith('established') || e.startsWith('destroyed'))).toEqual(['established:anon@localhost/r1']);
  });
});

describe('M4: no stanza between bind and <enabled/>/<failed/>', () => {
  it('M4: a stanza sent on xmpp.js "online" is held until <enabled/> was processed; established follows <enabled/>', async () => {
    h = await setup((c) => handshake(c, { sm: true, answerEnable: false }));
    const order: string[] = [];
    const watched = new Set(['enable', 'enabled', 'message']);
    h.xmpp.on('send', (el: Element) => watched.has(el.name) && order.push(`sent:${el.name}`));
    h.xmpp.on('nonza', (el: Element) => watched.has(el.name) && order.push(`recv:${el.name}`));
    h.conn.events.on('established', () => order.push('established'));
    h.xmpp.on('online', () => void h!.conn.send(new Element('message', { to: 'bob@localhost', id: 'early' }).c('body').t('x').up()));
    await within(h.xmpp.start());
    const c1 = await h.server.connection(1);
    await until(() => order.includes('sent:enable'));
    await c1.write(`<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>`);
    await until(() => /<message[^>]*id="early"/.test(c1.received) && order.includes('sent:message'));
    expect(order).toEqual(['sent:enable', 'recv:enabled', 'established', 'sent:message']);
  });
  it('M4: the gate also opens when the server refuses SM with <failed/>', async () => {
    h = await setup((c) => handshake(c, { sm: true, answerEnable: false }));
    await within(h.xmpp.start());
    const c1 = await h.server.connection(1);
    await h.conn.send(new Element('presence', { id: 'p1' }));
    await until(() => c1.received.includes('<enable'));
    expect(h.log).toEqual(['status:connecting']);
    await c1.write(`<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`);
    await c1.readUntil(/<presence id="p1"\/>/);
    expect(h.log).toEqual(['status:connecting', 'status:online', 'established:anon@localhost/r1']);
    expect(h.xmpp.streamManagement.enabled).toBe(false);
  });
});

describe('M5: dispatch through one middleware; handlers never throw out', () => {
  it('M5: a throwing handler is logged and does not claim: later handlers, the stanza event and app middleware still see it', async () => {
    h = await setup((c) => handshake(c));
    const second: string[] = [];
    const app: string[] = [];
    h.conn.addHandler(() => {
      throw new Error('handler bug');
    });
    h.conn.addHandler((s) => {
      second.push(String(s.attrs.id));
      return false;
    });
    h.xmpp.middleware.use((ctx, next) => {
      if (ctx.stanza.name === 'message') app.push(String(ctx.stanza.attrs.id));
      return next();
    });
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    await c1.write(
      `<message from='bob@localhost/x' id='m1'><body>1</body></message><message from='bob@localhost/x' id='m2'><body>2</body></message>`,
    );
    await until(() => h!.unclaimed.length === 2 && app.length === 2);
    expect(second).toEqual(['m1', 'm2']);
    expect(h.unclaimed.map((s) => s.attrs.id)).toEqual(['m1', 'm2']);
    expect(app).toEqual(['m1', 'm2']);
    expect(h.logger.records.filter((r) => r.level === 'error').map((r) => r.message)).toEqual([
      'stanza handler threw; treated as not claiming',
      'stanza handler threw; treated as not claiming',
    ]);
  });

  it('M5: a claimed IQ get is answered only by its handler; an unclaimed one reaches iqCallee (service-unavailable)', async () => {
    h = await setup((c) => handshake(c));
    const conn = h.conn;
    conn.addHandler((s) => {
      if (s.name !== 'iq' || !s.getChild('query', 'urn:example:claimed')) return false;
      void conn.send(new Element('iq', { type: 'result', id: s.attrs.id, to: s.attrs.from }));
      return true;
    });
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    await c1.write(`<iq type='get' id='c1' from='bob@localhost/x'><query xmlns='urn:example:claimed'/></iq>`);
    await c1.write(`<iq type='get' id='u1' from='bob@localhost/x'><query xmlns='urn:example:other'/></iq>`);
    await c1.write(`<iq type='get' id='p1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await c1.readUntil(/<iq[^>]*id="p1"[^>]*\/>/);
    expect(c1.received.match(/id="c1"/g)).toHaveLength(1);
    expect(c1.received).toMatch(/<iq type="result" id="c1" to="bob@localhost\/x"\/>/);
    expect(c1.received).toMatch(/<iq [^>]*id="u1"[^>]*type="error"[\s\S]*?<service-unavailable/);
    expect(h.unclaimed.map((s) => s.attrs.id)).toEqual(['u1']);
  });
});

describe('M6: sends while the stream is down are queued, not lost', () => {
  it('M6: a send rejected by a dead socket (xmpp.js still "online") is sent after the resumption', async () => {
    h = await setup(async (c, i) => {
      if (i === 1) await handshake(c, { sm: true });
      else await handshake(c, { sm: true, resume: { h: 0 } });
    });
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    h.xmpp.socket!.destroy!();
    expect(h.xmpp.status).toBe('online');
    await within(h.conn.send(new Element('message', { to: 'bob@localhost', id: 'lost?' }).c('body').t('1').up()));
    await until(() => h!.log.includes('status:disconnected'));
    await within(h.conn.send(new Element('message', { to: 'bob@localhost', id: 'while-down' }).c('body').t('2').up()));
    expect(c1.received).not.toContain('lost?');
    h.clock.advance(1000);
    const c2 = await h.server.connection(2);
    const flushed = await c2.readUntil(/id="while-down"/);
    expect(flushed.indexOf('id="lost?"')).toBeGreaterThan(flushed.indexOf('<resume'));
    expect(flushed.indexOf('id="lost?"')).toBeLessThan(flushed.lastIndexOf('id="while-down"'));
    expect(h.log.filter((e) => e.startsWith('established') || e.startsWith('destroyed'))).toEqual(['established:anon@localhost/r1']);
  });
});

describe('M10: reconnect with exponential backoff, jitter and cap on the injected clock', () => {
  it('M10: retries after 1 s, 2 s, 4 s, 4 s (cap) with jitter 1; sooner with jitter 0', async () => {
    h = await setup(
      async (c, i) => {
        if (i === 1) await handshake(c);
        c.destroy();
      },
      { reconnectBaseMs: 1000, reconnectMaxMs: 4000 },
    );
    await startAndEstablish(h);
    for (const [n, delay] of [
      [2, 1000],
      [3, 2000],
      [4, 4000],
      [5, 4000],
    ] as const) {
      await until(() => h!.xmpp.status === 'disconnect' && h!.clock.pending === 1, 4000, `disconnect before #${n}`);
      h.clock.advance(delay - 1);
      expect(h.xmpp.status).toBe('disconnect');
      h.clock.advance(1);
      expect(h.xmpp.status).toBe('connecting');
      await within(h.server.connection(n));
    }
  });

  it('M10: the delay has jitter: with random() = 0 it is half the ceiling', async () => {
    h = await setup(
      async (c, i) => {
        if (i === 1) await handshake(c);
        c.destroy();
      },
      { reconnectBaseMs: 1000, random: () => 0 },
    );
    await startAndEstablish(h);
    await until(() => h!.xmpp.status === 'disconnect' && h!.clock.pending === 1);
    h.clock.advance(499);
    expect(h.xmpp.status).toBe('disconnect');
    h.clock.advance(1);
    expect(h.xmpp.status).toBe('connecting');
  });
});
