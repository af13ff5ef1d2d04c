import { Element } from 'ltx';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { DisconnectedError, StanzaError, TimeoutError } from '../../core/errors.js';
import { recordingLogger } from '../../core/logger.js';
import { AuthError } from './errors.js';
import { NativeConnection } from './native-connection.js';
import { type ConnectOptions, resolveOptions } from './options.js';
import { FakeServer, type FakeServerOptions, flush } from '../../../test/support/fake-transport.js';

const msg = (id: string, to = 'room@conference.localhost') => new Element('message', { to, type: 'groupchat', id }).c('body').t(id).up();

interface Harness {
  conn: NativeConnection;
  server: FakeServer;
  clock: FakeClock;
  events: string[];
  logger: ReturnType<typeof recordingLogger>;
}

const open: NativeConnection[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await Promise.race([c.close(), flush()]);
});

function harness(serverOpts: FakeServerOptions = {}, opts: Partial<ConnectOptions> = {}): Harness {
  const clock = new FakeClock();
  const server = new FakeServer(serverOpts);
  const logger = recordingLogger();
  const conn = new NativeConnection(
    resolveOptions({
      domain: 'localhost',
      allowPlaintext: true,
      clock,
      logger,
      keepalive: false,
      reconnect: { baseMs: 1000, maxMs: 8000 },
      ...opts,
    }),
    server.opener,
    () => 1, // jitter at its maximum: delay = min(max, base * 2^attempt)
  );
  open.push(conn);
  const events: string[] = [];
  conn.events.on('status', ({ status }) => events.push(`status ${status}`));
  conn.events.on('established', ({ jid }) => events.push(`established ${jid.toString()}`));
  conn.events.on('destroyed', ({ reason, willReconnect }) => events.push(`destroyed ${reason?.name} ${willReconnect}`));
  conn.events.on('acked', ({ stanza }) => events.push(`acked ${stanza.attrs.id}`));
  conn.events.on('undelivered', ({ stanzas }) => events.push(`undelivered ${stanzas.map((s) => s.attrs.id).join(',')}`));
  conn.events.on('stanza', ({ stanza }) => events.push(`stanza ${stanza.name} ${stanza.attrs.id}`));
  conn.events.on('error', ({ error }) => events.push(`error ${error.name}`));
  return { conn, server, clock, events, logger };
}

describe('NativeConnection handshake', () => {
  it('authenticates ANONYMOUS, binds, enables SM, then emits established', async () => {
    const { conn, server, events } = harness();
    await conn.start();
    expect(server.log).toEqual([
      '<stream:stream>',
      "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'>=</auth>",
      '<stream:stream>',
      expect.stringMatching(
        /^<iq xmlns='jabber:client' type='set' id='[\w-]{16}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><\/bind><\/iq>$/,
      ),
      "<enable xmlns='urn:xmpp:sm:3' resume='true'/>",
    ]);
    expect(events).toEqual(['status connecting', 'status online', 'established user@localhost/r1']);
    expect(conn.jid?.toString()).toBe('user@localhost/r1');
    expect(conn.supportsAcks).toBe(true);
  });

  it('rejects with AuthError on SASL failure and leaves no timer', async () => {
    const { conn, clock, events } = harness({ saslFailure: 'not-authorized' });
    const err = await conn.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).condition).toBe('not-authorized');
    expect(conn.status).toBe('offline');
    expect(clock.pending).toBe(0);
    expect(events).toEqual(['status connecting', 'status offline']);
  });

  it('refuses PLAIN on an unencrypted stream unless allowed', async () => {
    const { conn } = harness({ mechanisms: ['PLAIN'] }, { username: 'alice', password: 'pw' });
    await expect(conn.start()).rejects.toThrow(/PLAIN refused on an unencrypted stream/);
  });

  it('a stalled connect attempt fails with TimeoutError after connectTimeoutMs', async () => {
    const { conn, clock, server } = harness({ silent: () => true }, { connectTimeoutMs: 5000 });
    const p = conn.start().catch((e: unknown) => e);
    await flush();
    clock.advance(4999);
    await flush();
    expect(server.current.closed).toBe(false);
    clock.advance(1);
    const err = await p;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(server.current.closed).toBe(true);
    expect(clock.pending).toBe(0);
  });
});

describe('NativeConnection outbound gating and stream management', () => {
  it('queues stanzas between bind and <enabled/>, and counts from right after <enabled/>', async () => {
    const { conn, server, events } = harness({ holdEnable: true });
    const started = conn.start();
    await flush();
    expect(conn.status).toBe('connecting');
    await conn.send(msg('early'));
    expect(server.received).toEqual([]); // gated
    // <enabled/> and a stanza in the same read: the stanza is counted (h=1), nothing before it is.
    server.answerEnable("<message from='room@conference.localhost/x' id='in1' type='groupchat'><body>hi</body></message>");
    await started;
    expect(server.sent()).toEqual([msg('early').toString()]);
    server.push("<r xmlns='urn:xmpp:sm:3'/>");
    expect(server.sent().at(-1)).toBe('<a xmlns="urn:xmpp:sm:3" h="1"/>');
    expect(events).toEqual(['status connecting', 'status online', 'established user@localhost/r1', 'stanza message in1']);
  });

  it('batches ack requests on one timer and reports acked stanzas in order', async () => {
    const { conn, server, clock, events } = harness();
    await conn.start();
    await conn.send(msg('m1'));
    await conn.send(msg('m2'));
    await conn.send(msg('m3'));
    expect(clock.pending).toBe(1);
    clock.advance(249);
    expect(server.sent().filter((s) => s.startsWith('<r '))).toEqual([]);
    clock.advance(1);
    expect(server.sent().filter((s) => s.startsWith('<r '))).toEqual(['<r xmlns="urn:xmpp:sm:3"/>']);
    server.push("<a xmlns='urn:xmpp:sm:3' h='2'/>");
    server.push("<a xmlns='urn:xmpp:sm:3' h='3'/>");
    expect(events.slice(3)).toEqual(['acked m1', 'acked m2', 'acked m3']);
  });

  it('answers <r/> with the inbound count', async () => {
    const { conn, server } = harness();
    await conn.start();
    for (let i = 0; i < 3; i++) server.push(`<presence from='a@localhost/x' id='p${i}'/>`);
    server.push("<r xmlns='urn:xmpp:sm:3'/>");
    expect(server.sent()).toEqual(['<a xmlns="urn:xmpp:sm:3" h="3"/>']);
  });

  it('on <resumed h>: acked stanzas dropped, the rest resent before the queue, no established', async () => {
    const { conn, server, clock, events } = harness({ resume: { result: 'resumed', h: 1 } });
    await conn.start();
    await conn.send(msg('m1'));
    await conn.send(msg('m2'));
    conn.forceDisconnect();
    await flush();
    expect(conn.status).toBe('disconnected');
    await conn.send(msg('m3')); // queued while down
    clock.advance(1000); // first backoff delay
    await flush();
    expect(conn.status).toBe('online');
    const t2 = server.log.slice(server.log.lastIndexOf('<stream:stream>') + 1);
    expect(t2[0]).toBe("<resume xmlns='urn:xmpp:sm:3' h='0' previd='sm-1'/>");
    expect(t2.slice(1).map((s) => /id="(m\d)"/.exec(s)?.[1])).toEqual(['m2', 'm3']);
    expect(events.slice(3)).toEqual(['status disconnected', 'status connecting', 'acked m1', 'status online']);
  });

  it('on <failed h>: acks by h, destroys the session, reports the rest, binds anew, then flushes the queue after established', async () => {
    const { conn, server, clock, events } = harness({ resume: { result: 'failed', h: 1 } });
    await conn.start();
    await conn.send(msg('m1'));
    await conn.send(msg('m2'));
    const pending = conn.request(new Element('iq', { type: 'get', to: 'localhost', id: 'q1' }).c('query', { xmlns: 'x' }).up());
    conn.forceDisconnect();
    await flush();
    await conn.send(msg('m3'));
    conn.events.on('established', () => void conn.send(new Element('presence', { to: 'room@conference.localhost/me', id: 'rejoin' })));
    clock.advance(1000);
    await flush();
    await expect(pending).rejects.toBeInstanceOf(DisconnectedError);
    expect(events.slice(3)).toEqual([
      'status disconnected',
      'status connecting',
      'acked m1',
      'destroyed DisconnectedError true',
      'undelivered m2,q1',
      'status online',
      'established user@localhost/r2',
    ]);
    const after = server.log.slice(server.log.indexOf("<enable xmlns='urn:xmpp:sm:3' resume='true'/>", 5) + 1);
    expect(after.map((s) => /id="([^"]+)"/.exec(s)?.[1])).toEqual(['rejoin', 'm3']);
  });

  it('without SM a loss destroys the session at once', async () => {
    const { conn, clock, events } = harness({ sm: false });
    await conn.start();
    expect(conn.supportsAcks).toBe(false);
    conn.forceDisconnect();
    await flush();
    expect(events.slice(3)).toEqual(['status disconnected', 'destroyed DisconnectedError true']);
    clock.advance(1000);
    await flush();
    expect(events.slice(5)).toEqual(['status connecting', 'status online', 'established user@localhost/r2']);
  });
});

describe('NativeConnection reconnect and liveness', () => {
  it('retries with exponential backoff capped at maxMs', async () => {
    const { conn, server, clock } = harness({ sm: false, refuse: (n) => n > 1 });
    await conn.start();
    const attemptsAt: number[] = [];
    const t0 = clock.now();
    conn.events.on('status', ({ status }) => {
      if (status === 'connecting') attemptsAt.push(clock.now() - t0);
    });
    conn.forceDisconnect();
    await flush();
    for (let i = 0; i < 6; i++) {
      clock.runNext();
      await flush();
    }
    expect(attemptsAt).toEqual([1000, 3000, 7000, 15000, 23000, 31000]);
    expect(server.attempts).toBe(7);
  });

  it('a stalled reconnect attempt is dropped after connectTimeoutMs and retried', async () => {
    const { conn, server, clock, events } = harness({ sm: false, silent: (n) => n === 2 }, { connectTimeoutMs: 5000 });
    await conn.start();
    conn.forceDisconnect();
    await flush();
    clock.advance(1000); // attempt 2: the server never answers
    await flush();
    expect(server.attempts).toBe(2);
    clock.advance(5000); // stalled -> dropped, retry scheduled after 2000 ms
    await flush();
    expect(server.transports[1]!.closed).toBe(true);
    expect(events).toContain('error TimeoutError');
    clock.advance(2000);
    await flush();
    expect(server.attempts).toBe(3);
    expect(conn.status).toBe('online');
    expect(events.filter((e) => e.startsWith('established'))).toEqual(['established user@localhost/r1', 'established user@localhost/r3']);
  });

  it('drops the socket (no polite close) when a keepalive probe gets no answer, then resumes', async () => {
    const { conn, server, clock, events } = harness(
      { resume: { result: 'resumed', h: 0 } },
      { keepalive: { intervalMs: 10_000, timeoutMs: 5000 } },
    );
    await conn.start();
    clock.advance(9000);
    server.push("<message from='a@localhost/x' id='keep'/>"); // traffic: not idle
    clock.advance(1000);
    expect(server.sent().filter((s) => s.startsWith('<r '))).toEqual([]);
    clock.advance(10_000);
    expect(server.sent().filter((s) => s.startsWith('<r '))).toEqual(['<r xmlns="urn:xmpp:sm:3"/>']);
    clock.advance(4999);
    expect(server.transports[0]!.closed).toBe(false);
    clock.advance(1);
    await flush();
    expect(server.log).not.toContain('</stream:stream>');
    expect(server.transports[0]!.closed).toBe(true);
    expect(events).toContain('error TimeoutError');
    clock.advance(1000);
    await flush();
    expect(conn.status).toBe('online');
    expect(events.filter((e) => e.startsWith('established'))).toHaveLength(1);
  });

  it('without SM the keepalive probe is an XEP-0199 ping to the server; its reply keeps the stream', async () => {
    const { conn, server, clock } = harness({ sm: false }, { keepalive: { intervalMs: 10_000, timeoutMs: 5000 } });
    await conn.start();
    clock.advance(10_000);
    const ping = server.received.at(-1)!;
    expect(ping.toString()).toBe(`<iq type="get" to="localhost" id="${ping.attrs.id}"><ping xmlns="urn:xmpp:ping"/></iq>`);
    server.push(`<iq type='result' id='${ping.attrs.id}' from='localhost'/>`);
    clock.advance(5000);
    await flush();
    expect(server.current.closed).toBe(false);
    expect(conn.status).toBe('online');
  });

  it('close() sends </stream:stream>, emits destroyed, leaves no timer; send afterwards rejects', async () => {
    const { conn, server, clock, events } = harness({}, { keepalive: { intervalMs: 10_000, timeoutMs: 5000 } });
    await conn.start();
    await conn.send(msg('m1'));
    await conn.close();
    expect(server.log.at(-2)).toBe('</stream:stream>');
    expect(events.slice(3)).toEqual(['status offline', 'destroyed undefined false', 'undelivered m1']);
    expect(clock.pending).toBe(0);
    await expect(conn.send(msg('m2'))).rejects.toBeInstanceOf(DisconnectedError);
  });

  it('a fatal stream error (conflict) ends the connection without reconnecting', async () => {
    const { conn, server, clock, events } = harness();
    await conn.start();
    server.push(
      "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>replaced</text></stream:error>",
    );
    await flush();
    expect(events.slice(3)).toEqual(['error StreamError', 'status offline', 'destroyed StreamError false']);
    expect(clock.pending).toBe(0);
  });
});

describe('NativeConnection incoming routing', () => {
  it('matches IQ replies by id AND from; spoofed replies are not accepted', async () => {
    const { conn, server, events } = harness();
    await conn.start();
    const p = conn.request(new Element('iq', { type: 'get', to: 'room@conference.localhost', id: 'q1' }).c('query', { xmlns: 'x' }).up());
    server.push("<iq type='result' id='q1' from='evil@localhost/x'/>");
    server.push("<iq type='result' id='q1' from='room@conference.localhost'><query xmlns='x'/></iq>");
    const reply = await p;
    expect(reply.attrs.from).toBe('room@conference.localhost');
    expect(events.slice(3)).toEqual(['stanza iq q1']);
    const own = conn.request(new Element('iq', { type: 'get', id: 'q2' }).c('query', { xmlns: 'jabber:iq:roster' }).up());
    server.push("<iq type='result' id='q2'/>");
    await expect(own).resolves.toBeInstanceOf(Element);
    const failing = conn.request(new Element('iq', { type: 'set', to: 'localhost', id: 'q3' }).c('x', { xmlns: 'y' }).up());
    server.push(
      "<iq type='error' id='q3' from='localhost'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    const err = await failing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StanzaError);
    expect((err as StanzaError).condition).toBe('item-not-found');
  });

  it('times out IQ requests on the clock', async () => {
    const { conn, clock } = harness();
    await conn.start();
    const p = conn.request(new Element('iq', { type: 'get', to: 'localhost' }).c('q', { xmlns: 'x' }).up(), { timeoutMs: 3000 });
    clock.advance(3000);
    await expect(p).rejects.toBeInstanceOf(TimeoutError);
  });

  it('calls handlers in order, a throwing handler is logged and does not claim; unclaimed get -> service-unavailable; pings answered', async () => {
    const { conn, server, events, logger } = harness();
    await conn.start();
    const calls: string[] = [];
    conn.addHandler((s) => {
      calls.push(`h1 ${s.attrs.id}`);
      throw new Error('boom');
    });
    const off = conn.addHandler((s) => {
      calls.push(`h2 ${s.attrs.id}`);
      return s.attrs.id === 'claimed';
    });
    server.push("<message from='a@localhost/x' id='claimed'/>");
    server.push("<iq type='get' from='b@localhost/y' id='g1'><query xmlns='urn:x'/></iq>");
    server.push("<iq type='get' from='stranger@elsewhere/z' id='ping1'><ping xmlns='urn:xmpp:ping'/></iq>");
    off();
    server.push("<message from='a@localhost/x' id='after'/>");
    expect(calls).toEqual(['h1 claimed', 'h2 claimed', 'h1 g1', 'h2 g1', 'h1 ping1', 'h2 ping1', 'h1 after']);
    expect(events.slice(3)).toEqual(['stanza iq g1', 'stanza iq ping1', 'stanza message after']);
    expect(server.sent()).toEqual([
      '<iq xmlns="jabber:client" id="g1" to="b@localhost/y" type="error"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>',
      '<iq xmlns="jabber:client" id="ping1" to="stranger@elsewhere/z" type="result"/>',
    ]);
    expect(logger.records.filter((r) => r.level === 'error')).toHaveLength(4);
  });

  it('bad XML from the server: stream error sent, error event, socket dropped, never a throw', async () => {
    const { conn, server, events } = harness({}, { reconnect: false });
    await conn.start();
    server.push('<message><body>x</mesage>');
    await flush();
    expect(server.log.slice(-2)).toEqual(['[stream-error not-well-formed]', '[closed]']);
    expect(events.slice(3)).toEqual(['error StreamError', 'status offline', 'destroyed StreamError false']);
  });
});
