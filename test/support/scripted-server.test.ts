import net from 'node:net';
import type { Element } from 'ltx';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StreamParser } from '../../src/connection/native/parser/stream-parser.js';
import {
  scriptHandshake,
  startScriptedServer,
  streamClose,
  streamError,
  streamOpen,
  type ScriptedConnection,
  type ScriptedServer,
  type ScriptedTransport,
} from './scripted-server.js';

const BODY = 'héllo € 😀 𝄞';

/** A raw test client: answers the handshake from parsed elements and records every event. */
function rawClient(server: ScriptedServer): { events: string[]; done: Promise<void> } {
  const events: string[] = [];
  const t: ScriptedTransport = server.transport;
  let send: (s: string) => void = () => undefined;
  const open = (): string =>
    t === 'tcp'
      ? `<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`
      : `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>`;
  const parser: StreamParser = new StreamParser({
    mode: t === 'tcp' ? 'stream' : 'fragments',
    onStreamStart: () => events.push('stream-start'),
    onElement: (el: Element) => {
      const name = el.getName();
      events.push(name === 'message' ? `message:${el.getChildText('body')}` : `${name}`);
      if (name === 'features' && el.getChild('mechanisms') !== undefined) {
        send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldA==</auth>`);
      } else if (name === 'success') {
        if (t === 'tcp') parser.reset();
        send(open());
      } else if (name === 'features' && el.getChild('bind') !== undefined) {
        send(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r1</resource></bind></iq>`);
      } else if (name === 'iq') {
        events.push(`jid:${el.getChild('bind')?.getChildText('jid')}`);
        send(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`);
      }
    },
    onStreamEnd: () => events.push('stream-end'),
    onError: (e) => events.push(`error:${e.condition}`),
  });
  let done: Promise<void>;
  if (t === 'tcp') {
    const socket = net.connect(server.port, '127.0.0.1');
    send = (s) => socket.write(s);
    socket.on('connect', () => send(open()));
    socket.on('data', (d: Buffer) => parser.write(d));
    socket.on('error', () => events.push('socket-error'));
    done = new Promise((resolve) => socket.on('close', () => resolve()));
  } else {
    const ws = new WebSocket(server.url, 'xmpp');
    send = (s) => ws.send(s);
    ws.on('open', () => send(open()));
    ws.on('message', (d) => parser.write(String(d)));
    ws.on('error', () => events.push('socket-error'));
    done = new Promise((resolve) => ws.on('close', () => resolve()));
  }
  return {
    events,
    done: done.then(() => {
      events.push('closed');
    }),
  };
}

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(['tcp', 'ws'] as const)('scripted server over %s', (transport) => {
  it('scripts the handshake, then writes split UTF-8 and malformed XML, then drops the connection', async () => {
    const script = async (conn: ScriptedConnection): Promise<void> => {
      const hs = await scriptHandshake(conn, { jid: 'alice@localhost/r1' });
      expect(hs).toMatchObject({ mechanism: 'PLAIN', authPayload: 'AGFsaWNlAHNlY3JldA==', bindId: 'b1', resource: 'r1' });
      expect(hs.enable).toContain("resume='true'");
      const msg = Buffer.from(`<message from='room@muc/a' type='groupchat'><body>${BODY}</body></message>`);
      const inEmoji = msg.indexOf(Buffer.from('😀')) + 2;
      await conn.writeBytesSplit(msg, [5, msg.indexOf(Buffer.from('é')) + 1, inEmoji]);
      conn.write(`<message><body a=b/></message>`);
      await conn.readUntil(/never/, 200).catch((e: Error) => expect(e.message).toContain('timed out after 200 ms'));
      conn.destroy();
    };
    server = await startScriptedServer({ transport, onConnection: script });
    const client = rawClient(server);
    await client.done;
    const restart = transport === 'tcp' ? ['stream-start'] : ['open'];
    expect(client.events).toEqual([
      ...restart,
      'features',
      'success',
      ...restart,
      'features',
      'iq',
      'jid:alice@localhost/r1',
      'enabled',
      `message:${BODY}`,
      'error:not-well-formed',
      // destroy() resets the TCP connection; a WebSocket is terminated without a close frame.
      ...(transport === 'tcp' ? ['socket-error'] : []),
      'closed',
    ]);
    expect(server.errors).toEqual([]);
    expect(server.connections).toHaveLength(1);
    await server.connections[0]?.closed;
    expect(server.connections[0]?.isClosed).toBe(true);
  });

  it('sends a stream error and closes gracefully; a failing script is recorded', async () => {
    server = await startScriptedServer({
      transport,
      onConnection: async (conn) => {
        await conn.readUntil(/<(stream:stream|open)\b[^>]*>/);
        if (server?.connections.length === 2) throw new Error('script failure');
        conn.write(streamOpen(transport) + streamError(transport, 'host-unknown') + streamClose(transport));
        conn.close();
      },
    });
    const first = rawClient(server);
    await first.done;
    expect(first.events).toEqual(
      transport === 'tcp' ? ['stream-start', 'error', 'stream-end', 'closed'] : ['open', 'error', 'close', 'closed'],
    );
    const second = rawClient(server);
    await second.done;
    expect(second.events).toEqual(transport === 'tcp' ? ['socket-error', 'closed'] : ['closed']);
    expect(server.errors).toHaveLength(1);
    expect(String(server.errors[0])).toContain('script failure');
  });
});

it('readUntil rejects when the connection closes first', async () => {
  let result: Promise<string> = Promise.reject(new Error('no connection'));
  result.catch(() => undefined);
  server = await startScriptedServer({
    transport: 'tcp',
    onConnection: (conn) => {
      result = conn.readUntil(/never/, 5000);
      result.catch(() => undefined);
    },
  });
  const socket = net.connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined);
  await server.waitForConnections(1);
  socket.end('partial');
  await expect(result).rejects.toThrow(/connection closed before \/never\/; unread: partial/);
});

it('answerClose answers the client stream close; string matchers, connection(n) and the index of onConnection', async () => {
  const indexes: number[] = [];
  server = await startScriptedServer({
    answerClose: true,
    onConnection: async (conn, index) => {
      indexes.push(index);
      await conn.readUntil('<stream:stream');
      await conn.write(streamOpen('tcp'));
    },
  });
  expect(server.service).toBe(`xmpp://127.0.0.1:${server.port}`);
  const socket = net.connect(server.port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  let got = '';
  socket.on('data', (d: string) => (got += d));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
  );
  const conn = await server.connection(1);
  await new Promise<void>((resolve) => socket.once('data', () => resolve())); // the script read the header and answered
  expect(conn.ended).toBe(false);
  socket.write('</stream:stream>');
  await closed;
  await conn.closed;
  expect(got).toMatch(/^<\?xml[^>]*\?><stream:stream\b[^>]*><\/stream:stream>$/);
  expect(conn.ended).toBe(true);
  expect(indexes).toEqual([1]);
  expect(server.errors).toEqual([]);
});
