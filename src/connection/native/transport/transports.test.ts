/**
 * The native connection's framing and XEP-0198 resumption over real sockets (TCP and RFC 7395
 * WebSocket), against the scripted server: exact bytes of the stream open and close, namespaced
 * stanzas on WebSocket, and a resumption on a second socket that resends unacked stanzas.
 */
import { Element } from 'ltx';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../connect.js';
import type { NativeConnection } from '../native-connection.js';
import {
  type ScriptedConnection,
  type ScriptedServer,
  type ScriptedTransport,
  bindFeatures,
  clientOpenPattern,
  saslFeatures,
  saslSuccess,
  scriptHandshake,
  startScriptedServer,
  streamClose,
  streamOpen,
} from '../../../../test/support/scripted-server.js';

for (const transport of ['tcp', 'ws'] as ScriptedTransport[]) {
  describe(`native connection framing and resumption [${transport}]`, () => {
    let server: ScriptedServer | undefined;
    const conns: NativeConnection[] = [];
    afterEach(async () => {
      for (const c of conns.splice(0)) await c.close();
      await server?.close();
      server = undefined;
    });
    const serviceOf = (s: ScriptedServer) => (transport === 'tcp' ? `xmpp://127.0.0.1:${s.port}` : s.url);

    it('opens, sends namespaced stanzas and closes the stream with the exact framing', async () => {
      let sc!: ScriptedConnection;
      server = await startScriptedServer({
        transport,
        async onConnection(c) {
          sc = c;
          await scriptHandshake(c, { jid: 'anon@localhost/r1', sm: false });
        },
      });
      const conn = await connect({ service: serviceOf(server), domain: 'localhost', allowPlaintext: true, keepalive: false });
      const firstOpen = /^[\s\S]*?(<\?xml[^>]*>)?(<stream:stream\b[^>]*>|<open\b[^>]*\/>)/.exec(sc.received)![0];
      if (transport === 'tcp') {
        expect(firstOpen).toBe(
          "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
        );
      } else {
        expect(firstOpen).toBe("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0' xml:lang='en'/>");
      }
      await conn.send(new Element('message', { to: 'bob@localhost', id: 'x1' }).c('body').t('a < b & c').up());
      const sent = await sc.readUntil(/<message\b[\s\S]*?<\/message>/);
      const expected =
        transport === 'tcp'
          ? '<message to="bob@localhost" id="x1"><body>a &lt; b &amp; c</body></message>'
          : '<message to="bob@localhost" id="x1" xmlns="jabber:client"><body>a &lt; b &amp; c</body></message>';
      expect(sent.trim()).toBe(expected);
      const closing = conn.close();
      await sc.readUntil(transport === 'tcp' ? /<\/stream:stream>/ : /<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'\/>/);
      sc.write(streamClose(transport));
      await closing;
      expect(conn.status).toBe('offline');
    });

    it('delivers stanzas written in small pieces intact, split inside tags and characters', async () => {
      // TCP reads land in one reused buffer: nothing of a read may be kept past it.
      let sc!: ScriptedConnection;
      server = await startScriptedServer({
        transport,
        async onConnection(c) {
          sc = c;
          await scriptHandshake(c, { jid: 'anon@localhost/r1', sm: false });
        },
      });
      const conn = await connect({ service: serviceOf(server), domain: 'localhost', allowPlaintext: true, keepalive: false });
      conns.push(conn);
      const bodies = Array.from({ length: 12 }, (_, i) => `Grüße ${i} — 你好 😀 &amp; ${'x'.repeat(i * 37)}`);
      const got: string[] = [];
      conn.events.on('stanza', ({ stanza }) => got.push(`${stanza.attrs.id} ${stanza.getChildText('body')}`));
      const all = Buffer.from(
        bodies.map((b, i) => `<message xmlns='jabber:client' from='bob@localhost/x' id='m${i}'><body>${b}</body></message>`).join(''),
        'utf8',
      );
      // Pieces of 1 to 23 bytes; on TCP each is its own write (and mostly its own read).
      for (let p = 0, len = 1; p < all.length; p += len, len = (len % 23) + 1) {
        if (transport === 'tcp') await sc.write(all.subarray(p, p + len));
      }
      if (transport === 'ws') await sc.write(all.toString('utf8'));
      await conn.events.waitFor('stanza', { timeoutMs: 3000, filter: ({ stanza }) => stanza.attrs.id === 'm11' });
      expect(got).toEqual(bodies.map((b, i) => `m${i} ${b.replace('&amp;', '&')}`));
    });

    it('resumes on a new socket after a network cut, resending what the server did not ack', async () => {
      const sockets: ScriptedConnection[] = [];
      const resumeSeen: string[] = [];
      server = await startScriptedServer({
        transport,
        async onConnection(c) {
          sockets.push(c);
          if (sockets.length === 1) {
            await scriptHandshake(c, { jid: 'anon@localhost/r1', sm: true });
            return;
          }
          await c.readUntil(clientOpenPattern(transport));
          c.write(streamOpen(transport) + saslFeatures(transport));
          await c.readUntil(/<\/auth>/);
          c.write(saslSuccess());
          await c.readUntil(clientOpenPattern(transport));
          c.write(streamOpen(transport, { id: 's2' }) + bindFeatures(transport));
          resumeSeen.push(await c.readUntil(/<resume\b[^>]*\/>/));
          // The server handled 1 of the 2 stanzas; it also has a stanza for us that arrives right after <resumed/>.
          c.write(
            `<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='1'/><message xmlns='jabber:client' from='bob@localhost/x' id='while-away'><body>hi</body></message>`,
          );
        },
      });
      const conn = await connect({
        service: serviceOf(server),
        domain: 'localhost',
        allowPlaintext: true,
        keepalive: false,
        reconnect: { baseMs: 20, maxMs: 40 },
        ackRequestDelayMs: 60_000,
      });
      conns.push(conn);
      const events: string[] = [];
      conn.events.on('established', () => events.push('established'));
      conn.events.on('destroyed', () => events.push('destroyed'));
      conn.events.on('acked', ({ stanza }) => events.push(`acked ${stanza.attrs.id}`));
      await conn.send(new Element('message', { to: 'bob@localhost', id: 'a1' }));
      await conn.send(new Element('message', { to: 'bob@localhost', id: 'a2' }));
      await sockets[0]!.readUntil(/id="a2"/);
      // one stanza from the server on the first session, so the client's h is 1
      sockets[0]!.write(`<message xmlns='jabber:client' from='bob@localhost/x' id='s1'/>`);
      await conn.events.waitFor('stanza', { timeoutMs: 2000, filter: ({ stanza }) => stanza.attrs.id === 's1' });
      conn.forceDisconnect();
      await conn.send(new Element('message', { to: 'bob@localhost', id: 'a3' }));
      await conn.events.waitFor('stanza', { timeoutMs: 3000, filter: ({ stanza }) => stanza.attrs.id === 'while-away' });
      expect(resumeSeen[0]).toMatch(/<resume xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'\/>/);
      const after = await sockets[1]!.readUntil(/id="a3"/);
      expect([...after.matchAll(/id="(a\d)"/g)].map((m) => m[1])).toEqual(['a2', 'a3']);
      expect(events).toEqual(['acked a1']);
      sockets[1]!.write("<r xmlns='urn:xmpp:sm:3'/>");
      await sockets[1]!.readUntil(/<a xmlns='urn:xmpp:sm:3' h='2'\/>/);
    });
  });
}
