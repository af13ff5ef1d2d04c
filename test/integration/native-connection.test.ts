/**
 * xmuc's native connection against the real Prosody and ejabberd of the integration setup:
 * every SASL mechanism offered on plaintext loopback, ANONYMOUS, WebSocket, IQ errors,
 * XEP-0198 resumption after a network cut, and a 300 KB mixed-script MUC message.
 */
import { Element } from 'ltx';
import { afterEach, expect, it } from 'vitest';
import { StanzaError } from '../../src/core/errors.js';
import { AuthError } from '../../src/connection/native/errors.js';
import { connect } from '../../src/connection/native/connect.js';
import type { NativeConnection } from '../../src/connection/native/native-connection.js';
import type { ConnectOptions } from '../../src/connection/native/options.js';
import { describeEachServer } from '../support/servers.js';

const WAIT = 10_000;

describeEachServer('native connection', (server) => {
  const opened: NativeConnection[] = [];
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
  });
  const alice = server.users.find((u) => u.name === 'alice')!;
  const base = (o: Partial<ConnectOptions> = {}): ConnectOptions => ({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: server.domain,
    username: alice.name,
    password: alice.password,
    allowPlaintext: true,
    signal: AbortSignal.timeout(WAIT),
    ...o,
  });
  const open = async (o: Partial<ConnectOptions> = {}) => {
    const c = await connect(base(o));
    opened.push(c);
    return c;
  };
  const ping = () => new Element('iq', { type: 'get', to: server.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }).up();

  const offered =
    server.kind === 'ejabberd' ? ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'] : ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'];
  for (const mechanism of offered) {
    it(`authenticates with ${mechanism} on plaintext loopback`, async () => {
      const c = await open({ mechanisms: [mechanism], allowPlainMechanismWithoutTls: true });
      expect(c.status).toBe('online');
      expect(c.jid?.local).toBe('alice');
      expect(c.jid?.domain).toBe('localhost');
      expect(c.supportsAcks).toBe(true);
      const reply = await c.request(ping(), { timeoutMs: WAIT });
      expect(reply.attrs.type).toBe('result');
    });
  }

  it('rejects a wrong password with AuthError not-authorized', async () => {
    const err = await connect(base({ password: 'wrong' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).condition).toBe('not-authorized');
  });

  it('authenticates ANONYMOUS on anon.localhost', async () => {
    const c = await open({ domain: server.anonDomain, username: undefined, password: undefined });
    expect(c.jid?.domain).toBe(server.anonDomain);
    expect(c.jid?.resource).toBeTruthy();
  });

  it('connects over RFC 7395 WebSocket', async () => {
    const c = await open({ service: server.wsUrl });
    const reply = await c.request(ping(), { timeoutMs: WAIT });
    expect(reply.attrs.from).toBe(server.domain);
  });

  it('maps IQ errors to StanzaError', async () => {
    const c = await open();
    const unknown = new Element('iq', { type: 'get', to: server.domain }).c('query', { xmlns: 'urn:example:nothing' }).up();
    const err = await c.request(unknown, { timeoutMs: WAIT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StanzaError);
    expect((err as StanzaError).condition).toBe('service-unavailable');
    const room = new Element('iq', { type: 'get', to: `no-such-room-${Date.now()}@${server.mucDomain}` })
      .c('query', {
        xmlns: 'http://jabber.org/protocol/disco#info',
      })
      .up();
    const err2 = await c.request(room, { timeoutMs: WAIT }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(StanzaError);
    expect((err2 as StanzaError).condition).toBe('item-not-found');
  });

  for (const kind of ['tcp', 'ws'] as const) {
    it(`resumes the session after forceDisconnect() [${kind}]: no established, queued stanza delivered`, async () => {
      const c = await open({ service: kind === 'tcp' ? base().service : server.wsUrl, reconnect: { baseMs: 50, maxMs: 200 } });
      const events: string[] = [];
      c.events.on('established', () => events.push('established'));
      c.events.on('destroyed', () => events.push('destroyed'));
      const me = c.jid!.toString();
      c.forceDisconnect();
      await c.send(new Element('message', { to: me, id: 'queued-1', type: 'chat' }).c('body').t('while down').up());
      const got = await c.events.waitFor('stanza', { timeoutMs: WAIT, filter: ({ stanza }) => stanza.attrs.id === 'queued-1' });
      expect(got.stanza.getChildText('body')).toBe('while down');
      expect(c.status).toBe('online');
      expect(c.jid?.toString()).toBe(me);
      expect(events).toEqual([]);
    });
  }

  it('reflects a 300 KB mixed-script groupchat body byte-identical', async () => {
    const c = await open();
    const roomJid = `native-${server.kind}-${Date.now()}@${server.mucDomain}`;
    const self = await new Promise<Element>((resolve, reject) => {
      const off = c.addHandler((s) => {
        if (s.name !== 'presence' || !String(s.attrs.from).startsWith(`${roomJid}/`)) return false;
        off();
        if (s.attrs.type === 'error') reject(StanzaError.fromStanza(s));
        else resolve(s);
        return true;
      });
      void c.send(new Element('presence', { to: `${roomJid}/nick` }).c('x', { xmlns: 'http://jabber.org/protocol/muc' }).up());
    });
    const codes =
      self
        .getChild('x', 'http://jabber.org/protocol/muc#user')
        ?.getChildren('status')
        .map((s) => s.attrs.code) ?? [];
    if (codes.includes('201')) {
      const submit = new Element('iq', { type: 'set', to: roomJid })
        .c('query', { xmlns: 'http://jabber.org/protocol/muc#owner' })
        .c('x', { xmlns: 'jabber:x:data', type: 'submit' })
        .up()
        .up();
      await c.request(submit, { timeoutMs: WAIT });
    }
    const unit = 'Grüße 你好 مرحبا Привет שלום नमस्ते 😀👩‍👩‍👧🏳️‍🌈 ';
    let body = '';
    while (Buffer.byteLength(body) < 300 * 1024) body += unit;
    const reflected = new Promise<Element>((resolve) => {
      const off = c.addHandler((s) => {
        if (s.name !== 'message' || s.attrs.id !== 'big-1' || s.attrs.type !== 'groupchat') return false;
        off();
        resolve(s);
        return true;
      });
    });
    await c.send(new Element('message', { to: roomJid, type: 'groupchat', id: 'big-1' }).c('body').t(body).up());
    const echo = await Promise.race([
      reflected,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no reflection')), 3 * WAIT)),
    ]);
    const got = echo.getChildText('body') ?? '';
    expect(got.length).toBe(body.length);
    expect(Buffer.from(got, 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
  });
});
