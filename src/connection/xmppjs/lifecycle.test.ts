import { Element } from 'ltx';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DisconnectedError, InvalidArgumentError } from '../../core/errors.js';
import { fromXmppJs } from './adapter.js';
import { createXmppJsClient } from '../../../test/support/xmppjs-client.js';
import { type Harness, handshake, setup, startAndEstablish, teardown, until, within } from '../../../test/support/xmppjs-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await teardown(h);
  h = undefined;
  vi.restoreAllMocks();
});

describe('fromXmppJs: construction', () => {
  it('rejects what is not an @xmpp/client instance', () => {
    expect(() => fromXmppJs({} as never)).toThrow(InvalidArgumentError);
    expect(() => fromXmppJs(null as never)).toThrow(InvalidArgumentError);
  });

  it('rejects a client that is already started (M1 needs the reader patched before start())', async () => {
    h = await setup((c) => handshake(c));
    await within(h.xmpp.start());
    expect(() => fromXmppJs(h!.xmpp)).toThrow(/before client.start\(\)/);
    expect(() => fromXmppJs(h!.xmpp)).toThrow(InvalidArgumentError);
  });

  it('rejects negative durations', () => {
    const xmpp = createXmppJsClient({ service: 'xmpp://127.0.0.1:1', domain: 'localhost' });
    expect(() => fromXmppJs(xmpp, { pingTimeoutMs: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('fromXmppJs: lifecycle', () => {
  it('emits established for the first session with the bound JID, status first', async () => {
    h = await setup((c) => handshake(c, { jid: 'anon@localhost/first' }));
    expect(h.conn.status).toBe('offline');
    await startAndEstablish(h);
    expect(h.log).toEqual(['status:connecting', 'status:online', 'established:anon@localhost/first']);
    expect(h.conn.jid?.toString()).toBe('anon@localhost/first');
    expect(h.conn.supportsAcks).toBe(true);
  });

  it('without XEP-0198 a dropped socket destroys the session and the reconnect establishes a new one', async () => {
    h = await setup(async (c, i) => {
      await handshake(c, { jid: `anon@localhost/r${i}` });
      if (i === 1) c.destroy();
    });
    await startAndEstablish(h);
    await until(() => h!.log.includes('status:disconnected'));
    h.clock.advance(1000);
    await until(() => h!.log.length >= 8, 4000, JSON.stringify(h.log));
    expect(h.log).toEqual([
      'status:connecting',
      'status:online',
      'established:anon@localhost/r1',
      'destroyed:true',
      'status:disconnected',
      'status:connecting',
      'status:online',
      'established:anon@localhost/r2',
    ]);
  });

  it('an XEP-0198 resumption emits neither destroyed nor established, and reports acks', async () => {
    h = await setup(async (c, i) => {
      if (i === 1) await handshake(c, { sm: true });
      else await handshake(c, { sm: true, resume: { h: 0 } });
    });
    const acked: string[] = [];
    h.conn.events.on('acked', ({ stanza }) => acked.push(String(stanza.attrs.id)));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    await h.conn.send(new Element('message', { to: 'bob@localhost', id: 'm1' }).c('body').t('hi').up());
    await c1.readUntil(/<r xmlns="urn:xmpp:sm:3"\/>/);
    await c1.write(`<a xmlns='urn:xmpp:sm:3' h='1'/>`);
    await until(() => acked.length === 1);
    expect(acked).toEqual(['m1']);
    c1.destroy();
    await until(() => h!.log.includes('status:disconnected'));
    h.clock.advance(1000);
    await until(() => h!.log.at(-1) === 'status:online' && h!.log.length === 6);
    expect(h.log).toEqual([
      'status:connecting',
      'status:online',
      'established:anon@localhost/r1',
      'status:disconnected',
      'status:connecting',
      'status:online',
    ]);
  });

  it('client.stop() destroys the session for good: pending requests and later sends reject', async () => {
    h = await setup((c) => handshake(c));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    const pending = h.conn.request(new Element('iq', { type: 'get', to: 'localhost' }).c('query', { xmlns: 'urn:x' }).up());
    await c1.readUntil('</iq>');
    await within(h.xmpp.stop());
    await expect(pending).rejects.toBeInstanceOf(DisconnectedError);
    expect(h.log.slice(3)).toEqual(['destroyed:false', 'status:offline']);
    await expect(h.conn.send(new Element('presence'))).rejects.toBeInstanceOf(DisconnectedError);
    expect(h.clock.pending).toBe(0);
  });

  it('dispose() leaves no timer, listener or pending request and restores xmpp.js reconnect', async () => {
    h = await setup((c) => handshake(c), { pingIntervalMs: 1000 });
    await startAndEstablish(h);
    const listenersBefore = (h.xmpp as unknown as { listenerCount(e: string): number }).listenerCount('online');
    const pending = h.conn.request(new Element('iq', { type: 'get' }).c('query', { xmlns: 'urn:x' }).up());
    expect(h.clock.pending).toBeGreaterThan(0);
    h.conn.dispose();
    await expect(pending).rejects.toBeInstanceOf(DisconnectedError);
    expect(h.clock.pending).toBe(0);
    expect((h.xmpp as unknown as { listenerCount(e: string): number }).listenerCount('online')).toBe(listenersBefore - 1);
    expect(h.conn.status).toBe('offline');
  });

  it('queues sends made before start() and flushes them on the first session', async () => {
    h = await setup((c) => handshake(c));
    await h.conn.send(new Element('presence', { id: 'early' }));
    await startAndEstablish(h);
    const c1 = await h.server.connection(1);
    expect(await c1.readUntil(/<presence[^>]*>/)).toMatch(/<presence id="early"\/>$/);
  });
});

describe('fromXmppJs: queue order on a new session', () => {
  it('sends made in established listeners (rejoins) go before stanzas queued during the outage', async () => {
    h = await setup(async (c, i) => {
      await handshake(c, { jid: `anon@localhost/r${i}` });
      if (i === 1) c.destroy();
    });
    h.conn.events.on('established', ({ jid }) => {
      if (jid.resource === 'r2') void h!.conn.send(new Element('presence', { to: 'room@conference.localhost/me', id: 'rejoin' }));
    });
    await startAndEstablish(h);
    await until(() => h!.log.includes('status:disconnected'));
    await h.conn.send(new Element('message', { to: 'room@conference.localhost', type: 'groupchat', id: 'queued' }));
    h.clock.advance(1000);
    const c2 = await h.server.connection(2);
    const sent = await c2.readUntil(/id="queued"/);
    expect(sent.indexOf('id="rejoin"')).toBeGreaterThan(-1);
    expect(sent.indexOf('id="rejoin"')).toBeLessThan(sent.indexOf('id="queued"'));
  });
});
