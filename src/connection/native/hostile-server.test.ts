/**
 * The native connection against a scripted hostile server over real TCP and WebSocket
 * sockets: bad XML, oversized stanzas, bad entities, split UTF-8, stream errors and abrupt
 * closes must end in a clear error event or rejection, never a throw or unhandled rejection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from 'ltx';
import { AuthError, StreamError } from './errors.js';
import type { NativeConnection } from './native-connection.js';
import { connect } from './connect.js';
import {
  type ScriptedConnection,
  type ScriptedServer,
  type ScriptedTransport,
  clientOpenPattern,
  saslFailure,
  saslFeatures,
  scriptHandshake,
  startScriptedServer,
  streamError,
  streamOpen,
} from '../../../test/support/scripted-server.js';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const MIXED = 'é😀ü漢 Привет مرحبا 👩‍👩‍👧 ';

for (const transport of ['tcp', 'ws'] as ScriptedTransport[]) {
  describe(`native connection vs hostile server [${transport}]`, () => {
    let server: ScriptedServer | undefined;
    const conns: NativeConnection[] = [];
    afterEach(async () => {
      for (const c of conns.splice(0)) await c.close();
      await server?.close();
      server = undefined;
    });

    /** Start a server whose connections complete the handshake (no SM) and then run `then`. */
    async function online(then: (sc: ScriptedConnection) => Promise<void> | void, maxStanzaBytes?: number) {
      let ready!: (sc: ScriptedConnection) => void;
      const scripted = new Promise<ScriptedConnection>((r) => (ready = r));
      server = await startScriptedServer({
        transport,
        async onConnection(sc) {
          await scriptHandshake(sc, { jid: 'anon@localhost/r1', sm: false });
          ready(sc);
        },
      });
      const service = transport === 'tcp' ? `xmpp://127.0.0.1:${server.port}` : server.url;
      const conn = await connect({
        service,
        domain: 'localhost',
        allowPlaintext: true,
        reconnect: false,
        keepalive: false,
        maxStanzaBytes,
      });
      conns.push(conn);
      const sc = await scripted;
      const events: string[] = [];
      conn.events.on('error', ({ error }) => events.push(`error ${(error as StreamError).condition ?? error.name}`));
      conn.events.on('destroyed', ({ reason, willReconnect }) => events.push(`destroyed ${reason?.name} ${willReconnect}`));
      conn.events.on('status', ({ status }) => events.push(`status ${status}`));
      await then(sc);
      return { conn, sc, events };
    }

    const msg = (body: string, id = 'm1') =>
      `<message xmlns='jabber:client' from='room@conference.localhost/x' id='${id}' type='groupchat'><body>${body}</body></message>`;

    it('malformed XML -> not-well-formed stream error sent, error event, connection ends', async () => {
      const { conn, sc, events } = await online(() => {});
      const ended = conn.events.waitFor('destroyed', { timeoutMs: 3000 });
      sc.write(`<message xmlns='jabber:client'><body>x</mesage>`);
      await ended;
      await sc.readUntil(/<not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/>/, 2000);
      expect(events).toEqual(['error not-well-formed', 'status offline', 'destroyed StreamError false']);
    });

    it('oversized stanza -> policy-violation', async () => {
      const { conn, sc, events } = await online(() => {}, 2000);
      const ended = conn.events.waitFor('destroyed', { timeoutMs: 3000 });
      sc.write(msg('x'.repeat(5000)));
      await ended;
      await sc.readUntil(/<policy-violation /, 2000);
      expect(events[0]).toBe('error policy-violation');
    });

    it('undefined entity -> stream error, no stanza delivered', async () => {
      const { conn, sc, events } = await online(() => {});
      const stanzas: Element[] = [];
      conn.events.on('stanza', ({ stanza }) => stanzas.push(stanza));
      const ended = conn.events.waitFor('destroyed', { timeoutMs: 3000 });
      sc.write(msg('a &foo; b'));
      await ended;
      expect(stanzas).toEqual([]);
      expect(events[0]).toMatch(/^error (not-well-formed|restricted-xml)$/);
    });

    it('UTF-8 split at every byte offset is decoded exactly', async () => {
      const { conn, sc } = await online(() => {});
      const stanza = msg(MIXED, 'split');
      const bytes = Buffer.from(stanza, 'utf8');
      const bodies: string[] = [];
      conn.events.on('stanza', ({ stanza: s }) => bodies.push(s.getChildText('body') ?? ''));
      const start = stanza.indexOf('<body>') + 3;
      const offsets: number[] = [];
      for (let k = Buffer.byteLength(stanza.slice(0, start)); k < bytes.length - 12; k++) offsets.push(k);
      for (const k of offsets) await sc.writeBytesSplit(bytes, [k]);
      await conn.events.waitFor('stanza', { timeoutMs: 2000, filter: () => bodies.length >= offsets.length }).catch(() => {});
      expect(bodies.length).toBe(offsets.length);
      expect(bodies.every((b) => b === MIXED)).toBe(true);
    });

    it('stream error from the server -> StreamError with condition and text', async () => {
      const { conn, sc } = await online(() => {});
      const errorEvent = conn.events.waitFor('error', { timeoutMs: 3000 });
      const ended = conn.events.waitFor('destroyed', { timeoutMs: 3000 });
      sc.write(streamError(transport, 'system-shutdown', 'maintenance'));
      const { error } = await errorEvent;
      expect(error).toBeInstanceOf(StreamError);
      expect((error as StreamError).condition).toBe('system-shutdown');
      expect((error as StreamError).text).toBe('maintenance');
      expect((error as StreamError).remote).toBe(true);
      expect((await ended).reason).toBe(error);
    });

    it('abrupt close while online -> destroyed, status offline', async () => {
      const { conn, sc, events } = await online(() => {});
      const ended = conn.events.waitFor('destroyed', { timeoutMs: 3000 });
      sc.destroy();
      const { willReconnect } = await ended;
      expect(willReconnect).toBe(false);
      expect(conn.status).toBe('offline');
      expect(events).toEqual(['status offline', 'destroyed DisconnectedError false']);
    });

    it('abrupt close during negotiation -> connect() rejects', async () => {
      server = await startScriptedServer({
        transport,
        async onConnection(sc) {
          await sc.readUntil(clientOpenPattern(transport), 2000);
          sc.write(streamOpen(transport) + saslFeatures(transport));
          await sc.readUntil(/<auth\b/, 2000);
          sc.destroy();
        },
      });
      const service = transport === 'tcp' ? `xmpp://127.0.0.1:${server.port}` : server.url;
      await expect(connect({ service, domain: 'localhost', allowPlaintext: true, reconnect: false })).rejects.toThrow(
        /closed during stream negotiation|WebSocket|ECONNRESET|socket hang up/,
      );
    });

    it('SASL failure -> AuthError', async () => {
      server = await startScriptedServer({
        transport,
        async onConnection(sc) {
          await sc.readUntil(clientOpenPattern(transport), 2000);
          sc.write(streamOpen(transport) + saslFeatures(transport, ['SCRAM-SHA-1']));
          await sc.readUntil(/<\/auth>/, 2000);
          sc.write(saslFailure('not-authorized'));
        },
      });
      const service = transport === 'tcp' ? `xmpp://127.0.0.1:${server.port}` : server.url;
      const err = await connect({ service, domain: 'localhost', username: 'u', password: 'p', allowPlaintext: true }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).condition).toBe('not-authorized');
    });

    it('garbage instead of a stream header -> connect() rejects with StreamError', async () => {
      server = await startScriptedServer({
        transport,
        async onConnection(sc) {
          await sc.readUntil(clientOpenPattern(transport), 2000);
          sc.write(transport === 'tcp' ? 'HTTP/1.1 400 Bad Request\r\n\r\n' : "<features xmlns='urn:example:not-xmpp'/>");
        },
      });
      const service = transport === 'tcp' ? `xmpp://127.0.0.1:${server.port}` : server.url;
      await expect(connect({ service, domain: 'localhost', allowPlaintext: true })).rejects.toBeInstanceOf(StreamError);
    });
  });
}
