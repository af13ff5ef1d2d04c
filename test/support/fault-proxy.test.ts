import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { FakeClock } from '../../src/core/clock.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { FaultProxy, type FaultProxyOptions, type ProxiedConnection } from './fault-proxy.js';

const WAIT_MS = 5_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Poll `cond` until it holds; fail after WAIT_MS. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A loopback echo server that counts the bytes of each connection. */
async function echoServer() {
  const accepted: { socket: net.Socket; bytes: number }[] = [];
  const server = net.createServer((socket) => {
    const entry = { socket, bytes: 0 };
    accepted.push(entry);
    socket.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', { signal: AbortSignal.timeout(WAIT_MS) });
  const port = (server.address() as net.AddressInfo).port;
  cleanups.push(() => {
    for (const { socket } of accepted) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port, accepted };
}

/** A client socket that records what it receives and whether it closed. */
async function client(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  const state = { socket, data: '', closed: false };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    state.data += chunk;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    state.closed = true;
  });
  cleanups.push(() => {
    socket.destroy();
  });
  await once(socket, 'connect', { signal: AbortSignal.timeout(WAIT_MS) });
  return state;
}

/** Connect to a proxy that refuses: resolves once the socket closed. */
async function refusedClient(port: number): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  cleanups.push(() => {
    socket.destroy();
  });
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  await until(() => closed, 'the refused socket to close');
}

async function proxyTo(port: number, options: Partial<FaultProxyOptions> = {}) {
  const proxy = new FaultProxy({ target: { host: '127.0.0.1', port }, ...options });
  cleanups.push(() => proxy.close());
  await proxy.listen();
  return proxy;
}

/** Round trip through a fresh pass connection: the event loop has turned several times since. */
async function barrier(proxy: FaultProxy): Promise<void> {
  const c = await client(proxy.port);
  c.socket.write('barrier');
  await until(() => c.data === 'barrier', 'the barrier echo');
  c.socket.destroy();
}

describe('FaultProxy', () => {
  it('pass: forwards both ways and counts the bytes', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const c = await client(proxy.port);
    c.socket.write('hello');
    await until(() => c.data === 'hello', 'the echo');
    const [conn] = proxy.connections;
    expect(conn).toMatchObject({ id: 1, mode: 'pass', bytesUp: 5, bytesDown: 5, closed: false });
    expect(proxy.stats).toEqual({ accepted: 1, refused: 0, open: 1, bytesUp: 5, bytesDown: 5 });
    expect(echo.accepted).toHaveLength(1);
    expect(echo.accepted[0]!.bytes).toBe(5);
  });

  it('pass: carries bulk data intact through backpressure', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const c = await client(proxy.port);
    const payload = 'abcdefghij'.repeat(200_000); // 2 MB
    c.socket.write(payload);
    await until(() => c.data.length === payload.length, 'the whole echo');
    expect(c.data === payload).toBe(true);
    expect(proxy.stats).toMatchObject({ bytesUp: payload.length, bytesDown: payload.length });
  });

  it('blackhole: nothing moves either way, nothing is lost, the link heals on pass', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const c = await client(proxy.port);
    c.socket.write('one');
    await until(() => c.data === 'one', 'the first echo');
    const conn = proxy.connections[0]!;
    conn.setMode('blackhole');
    c.socket.write('two');
    await barrier(proxy);
    expect(conn.bytesUp).toBe(3);
    expect(echo.accepted[0]!.bytes).toBe(3);
    expect(c.data).toBe('one');
    // Server to client is held too.
    echo.accepted[0]!.socket.write('push');
    await barrier(proxy);
    expect(c.data).toBe('one');
    expect(conn.closed).toBe(false);
    expect(c.closed).toBe(false);
    conn.setMode('pass');
    await until(() => c.data.length === 'onepushtwo'.length, 'the held bytes');
    expect(c.data).toBe('onepushtwo');
    expect(conn).toMatchObject({ bytesUp: 6, bytesDown: 10 });
  });

  it('global blackhole: a new connection is accepted but not connected upstream until pass', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    proxy.setMode('blackhole');
    const c = await client(proxy.port);
    c.socket.write('early');
    await until(() => proxy.connections.length === 1, 'the accepted connection');
    await new Promise((resolve) => setImmediate(resolve));
    expect(echo.accepted).toHaveLength(0);
    expect(proxy.connections[0]!.mode).toBe('blackhole');
    proxy.setMode('pass');
    await until(() => c.data === 'early', 'the echo after pass');
    expect(echo.accepted).toHaveLength(1);
  });

  it('cut on one connection resets both of its sides and leaves the others alone', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const closedEvents: [number, string][] = [];
    proxy.on('connectionClosed', ({ connection, reason }) => closedEvents.push([connection.id, reason]));
    const a = await client(proxy.port);
    const b = await client(proxy.port);
    await until(() => echo.accepted.length === 2, 'both upstream connections');
    const [first] = proxy.connections;
    first!.setMode('cut');
    expect(first!.closed).toBe(true);
    expect(first!.closeReason).toBe('cut');
    await until(() => a.closed, 'the client side to close');
    await until(() => echo.accepted[0]!.socket.destroyed, 'the server side to close');
    expect(closedEvents).toEqual([[1, 'cut']]);
    b.socket.write('still');
    await until(() => b.data === 'still', 'the other connection');
    expect(proxy.stats.open).toBe(1);
  });

  it('global cut resets every connection and refuses new ones until another mode is set', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const a = await client(proxy.port);
    const b = await client(proxy.port);
    await until(() => proxy.connections.length === 2, 'two connections');
    proxy.setMode('cut');
    await until(() => a.closed && b.closed, 'both clients to close');
    expect(proxy.stats.open).toBe(0);
    await refusedClient(proxy.port);
    expect(proxy.stats.refused).toBe(1);
    proxy.setMode('pass');
    const c = await client(proxy.port);
    c.socket.write('back');
    await until(() => c.data === 'back', 'the echo after the cut');
    expect(proxy.stats).toMatchObject({ accepted: 3, refused: 1, open: 1 });
  });

  it('refuses connections beyond maxConnections', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port, { maxConnections: 1 });
    await client(proxy.port);
    await until(() => proxy.connections.length === 1, 'the first connection');
    await refusedClient(proxy.port);
    expect(proxy.stats).toMatchObject({ accepted: 1, refused: 1, open: 1 });
  });

  it('a peer closing ends the proxied connection with the peer as reason', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const c = await client(proxy.port);
    await until(() => echo.accepted.length === 1, 'the upstream connection');
    const conn = proxy.connections[0]!;
    echo.accepted[0]!.socket.end();
    await until(() => c.closed, 'the client to see the close');
    expect(conn.closeReason).toBe('server-closed');
    const d = await client(proxy.port);
    await until(() => echo.accepted.length === 2, 'the second upstream connection');
    const conn2 = proxy.connections[0]!;
    d.socket.end();
    await until(() => conn2.closed, 'the proxied connection to end');
    expect(conn2.closeReason).toBe('client-closed');
  });

  it('an unreachable target closes the client connection', async () => {
    const echo = await echoServer();
    const port = echo.port;
    await cleanups.pop()!(); // stop the echo server: nothing listens on its port now
    const proxy = await proxyTo(port);
    const c = await client(proxy.port);
    await until(() => c.closed, 'the client to close');
    expect(proxy.stats).toMatchObject({ accepted: 1, open: 0 });
  });

  it('cuts a connection idle for idleTimeoutMs (on the injected clock)', async () => {
    const clock = new FakeClock();
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port, { clock, idleTimeoutMs: 1000 });
    const c = await client(proxy.port);
    await until(() => proxy.connections.length === 1, 'the connection');
    const conn = proxy.connections[0]!;
    clock.advance(600);
    c.socket.write('x'); // activity at 600
    await until(() => c.data === 'x', 'the echo');
    clock.advance(999); // 1599: idle for 999 ms only
    expect(conn.closed).toBe(false);
    clock.advance(1);
    expect(conn.closeReason).toBe('idle');
    await until(() => c.closed, 'the client to close');
    expect(clock.pending).toBe(1); // the proxy's lifetime timer only
  });

  it('closes itself after maxLifetimeMs', async () => {
    const clock = new FakeClock();
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port, { clock, maxLifetimeMs: 5000 });
    const c = await client(proxy.port);
    await until(() => proxy.connections.length === 1, 'the connection');
    const reasons: string[] = [];
    proxy.on('closed', ({ reason }) => reasons.push(reason));
    clock.advance(5000);
    await until(() => reasons.length > 0, 'the proxy to close');
    expect(reasons).toEqual(['lifetime']);
    expect(proxy.closed).toBe(true);
    await until(() => c.closed, 'the client to close');
    expect(clock.pending).toBe(0);
    const refused = net.connect({ host: '127.0.0.1', port: proxy.port });
    const [error] = (await once(refused, 'error', { signal: AbortSignal.timeout(WAIT_MS) })) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('close() resets everything and is idempotent', async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const c = await client(proxy.port);
    await until(() => echo.accepted.length === 1, 'the upstream connection');
    const conn: ProxiedConnection = proxy.connections[0]!;
    await Promise.all([proxy.close(), proxy.close()]);
    expect(conn.closeReason).toBe('proxy-closed');
    await until(() => c.closed && echo.accepted[0]!.socket.destroyed, 'both sides to close');
    expect(proxy.connections).toEqual([]);
    await expect(proxy.listen()).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('carries a WebSocket (HTTP upgrade) and blackholes it like any TCP stream', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening', { signal: AbortSignal.timeout(WAIT_MS) });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(String(data))));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const proxy = await proxyTo((wss.address() as net.AddressInfo).port);
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/xmpp-websocket`, 'xmpp');
    cleanups.push(() => ws.terminate());
    const received: string[] = [];
    ws.on('message', (data) => received.push(String(data)));
    await once(ws, 'open', { signal: AbortSignal.timeout(WAIT_MS) });
    expect(ws.protocol).toBe('xmpp');
    ws.send('<open/>');
    await until(() => received.length === 1, 'the first frame');
    const conn = proxy.connections[0]!;
    conn.setMode('blackhole');
    ws.send('<message/>');
    // Barrier: a round trip on a second WebSocket through the proxy.
    const other = new WebSocket(`ws://127.0.0.1:${proxy.port}/xmpp-websocket`, 'xmpp');
    cleanups.push(() => other.terminate());
    await once(other, 'open', { signal: AbortSignal.timeout(WAIT_MS) });
    other.send('barrier');
    await once(other, 'message', { signal: AbortSignal.timeout(WAIT_MS) });
    other.close();
    expect(received).toEqual(['<open/>']);
    conn.setMode('pass');
    await until(() => received.length === 2, 'the held frame');
    expect(received).toEqual(['<open/>', '<message/>']);
    expect(conn.bytesUp).toBeGreaterThan(0);
    expect(conn.bytesDown).toBeGreaterThan(0);
  });

  it('rejects a target off loopback and bad limits', () => {
    expect(() => new FaultProxy({ target: { host: '192.0.2.1', port: 5222 } })).toThrow(InvalidArgumentError);
    expect(() => new FaultProxy({ target: { host: '127.0.0.1', port: 5222 }, maxConnections: 0 })).toThrow(InvalidArgumentError);
    expect(() => new FaultProxy({ target: { host: '127.0.0.1', port: 5222 }, idleTimeoutMs: Infinity })).toThrow(InvalidArgumentError);
  });
});
