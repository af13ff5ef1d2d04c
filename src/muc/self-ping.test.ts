import type { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { DisconnectedError, InvalidArgumentError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { FakeConnection } from '../testing/fake-connection.js';
import { recordEvents } from '../../test/support/record-events.js';
import { SELF_PING_DEFAULTS, SelfPing, type SelfPingOptions, classifySelfPingError } from './self-ping.js';

const ME = 'room@conference.localhost/alice';
const PING = `<iq type="get" id="*" to="${ME}"><ping xmlns="urn:xmpp:ping"/></iq>`;
const SHORT: SelfPingOptions = { softTimeoutMs: 100, hardTimeoutMs: 150, pingIntervalMs: 20, pingTimeoutMs: 80 };

function error(condition: string, type = 'cancel'): string {
  return `<error type="${type}"><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`;
}

/** Let the reply's promise chain settle (no time passes on the clock). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(options: SelfPingOptions = SHORT) {
  const clock = new FakeClock();
  const start = clock.now();
  const connection = new FakeConnection({ clock });
  const logger = recordingLogger();
  let occupant: JID | undefined = JID.parse(ME);
  const selfPing = new SelfPing({ connection, clock, logger, occupantJid: () => occupant }, options);
  const events = recordEvents(selfPing, ['stale', 'fresh', 'gone', 'pinged']);
  /** Advance the clock to `t` ms after the start. */
  const at = (t: number) => clock.advance(start + t - clock.now());
  const setOccupant = (jid: JID | undefined) => {
    occupant = jid;
  };
  return { clock, connection, logger, selfPing, events, at, setOccupant };
}

describe('classifySelfPingError (XEP-0410 §3.2)', () => {
  it.each([
    ['service-unavailable', 'joined'],
    ['feature-not-implemented', 'joined'],
    ['item-not-found', 'inconclusive'],
    ['remote-server-not-found', 'inconclusive'],
    ['remote-server-timeout', 'inconclusive'],
    ['not-acceptable', 'not-joined'],
    ['not-allowed', 'not-joined'],
    ['bad-request', 'not-joined'],
    ['forbidden', 'not-joined'],
    ['undefined-condition', 'not-joined'],
  ] as const)('%s -> %s', (condition, outcome) => {
    expect(classifySelfPingError(new StanzaError({ type: 'cancel', condition }))).toBe(outcome);
  });

  it('non-stanza errors are inconclusive', () => {
    expect(classifySelfPingError(new TimeoutError())).toBe('inconclusive');
    expect(classifySelfPingError(new DisconnectedError())).toBe('inconclusive');
    expect(classifySelfPingError(new Error('x'))).toBe('inconclusive');
  });
});

describe('SelfPing', () => {
  it('defaults to 13, 15, 2 and 8 minutes and pings our occupant JID after the soft timeout only once started', () => {
    const { clock, connection, selfPing, events } = setup({});
    expect(selfPing.options).toEqual(SELF_PING_DEFAULTS);
    expect(SELF_PING_DEFAULTS).toEqual({ softTimeoutMs: 780_000, hardTimeoutMs: 900_000, pingIntervalMs: 120_000, pingTimeoutMs: 480_000 });
    expect(selfPing.running).toBe(false);
    clock.advance(3_600_000);
    connection.expectNothingSent();
    expect(clock.pending).toBe(0);
    selfPing.start();
    expect(selfPing.running).toBe(true);
    clock.advance(779_999);
    connection.expectNothingSent();
    clock.advance(1);
    connection.expectSent(PING);
    expect(connection.pendingRequests).toBe(1);
    expect(events).toEqual([]);
    selfPing.stop();
  });

  it('soft timeout -> ping -> result: still joined, pinging stops until the next silence', async () => {
    const { clock, connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    const iq = connection.expectSent(PING);
    at(105);
    connection.replyTo(iq);
    await flush();
    expect(events).toEqual([['pinged', { outcome: 'joined', error: undefined, elapsedMs: 5 }]]);
    expect(selfPing.pingInFlight).toBe(false);
    // The reply restarted the silence: no ping and no stale before 105 + 100.
    at(204);
    connection.expectNothingSent();
    expect(clock.pending).toBe(2);
    at(205);
    connection.expectSent(PING);
    expect(events.names()).toEqual(['pinged']);
    selfPing.stop();
    expect(clock.pending).toBe(0);
  });

  it.each(['service-unavailable', 'feature-not-implemented'])('a %s error means still joined', async (condition) => {
    const { connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    connection.replyTo(connection.expectSent(PING), error(condition));
    await flush();
    expect(events).toHaveLength(1);
    const [name, payload] = events[0]!;
    expect(name).toBe('pinged');
    expect(payload).toMatchObject({ outcome: 'joined', elapsedMs: 0 });
    expect((payload as { error: StanzaError }).error.condition).toBe(condition);
    at(199);
    connection.expectNothingSent();
    selfPing.stop();
  });

  it.each(['not-acceptable', 'not-allowed', 'bad-request'])('a %s error means gone: every timer stops', async (condition) => {
    const { clock, connection, selfPing, events, at, logger } = setup();
    selfPing.start();
    at(100);
    connection.replyTo(connection.expectSent(PING), error(condition));
    await flush();
    expect(events.names()).toEqual(['pinged', 'gone']);
    expect(events[0]![1]).toMatchObject({ outcome: 'not-joined' });
    const gone = events[1]![1] as { error: StanzaError };
    expect(gone.error).toBeInstanceOf(StanzaError);
    expect(gone.error.condition).toBe(condition);
    expect(selfPing.running).toBe(false);
    expect(clock.pending).toBe(0);
    expect(logger.records.some((r) => r.level === 'warn' && r.message === 'self-ping: no longer joined')).toBe(true);
    at(10_000);
    connection.expectNothingSent();
    // Started again (after the rejoin), it watches a new silence.
    selfPing.start();
    at(10_100);
    connection.expectSent(PING);
    selfPing.stop();
  });

  it.each(['item-not-found', 'remote-server-not-found', 'remote-server-timeout'])(
    'a %s error is inconclusive: the next ping follows at the interval',
    async (condition) => {
      const { connection, selfPing, events, at } = setup();
      selfPing.start();
      at(100);
      const iq = connection.expectSent(PING);
      at(103);
      connection.replyTo(iq, error(condition, 'wait'));
      await flush();
      expect(events.names()).toEqual(['pinged']);
      expect(events[0]![1]).toMatchObject({ outcome: 'inconclusive', elapsedMs: 3 });
      at(119);
      connection.expectNothingSent();
      at(120);
      const second = connection.expectSent(PING);
      expect(second.attrs.id).not.toBe(iq.attrs.id);
      selfPing.stop();
    },
  );

  it('one ping in flight at most; a timeout is inconclusive and the next ping goes at once; stale once, fresh on a result', async () => {
    const { clock, connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    connection.expectSent(PING);
    at(149);
    connection.expectNothingSent(); // the interval passed, but the first ping is still in flight
    expect(events).toEqual([]);
    at(150);
    expect(events).toEqual([['stale', { silentForMs: 150 }]]);
    expect(selfPing.stale).toBe(true);
    at(180); // first ping times out
    await flush();
    expect(events.names()).toEqual(['stale', 'pinged']);
    const timedOut = events[1]![1] as { outcome: string; error: Error; elapsedMs: number };
    expect(timedOut.outcome).toBe('inconclusive');
    expect(timedOut.error).toBeInstanceOf(TimeoutError);
    expect(timedOut.elapsedMs).toBe(80);
    clock.advance(0); // the next ping was due at 120: it goes now
    const second = connection.expectSent(PING);
    // More silence and more timeouts: still one stale.
    at(260);
    await flush();
    clock.advance(0);
    const third = connection.expectSent(PING);
    expect(events.names()).toEqual(['stale', 'pinged', 'pinged']);
    expect(second.attrs.id).not.toBe(third.attrs.id);
    at(270);
    connection.replyTo(third);
    await flush();
    expect(events.names()).toEqual(['stale', 'pinged', 'pinged', 'pinged', 'fresh']);
    expect(events[4]).toEqual(['fresh', { silentForMs: 270 }]);
    expect(selfPing.stale).toBe(false);
    // A new silence: a new stale.
    at(420);
    expect(events.names().filter((n) => n === 'stale')).toHaveLength(2);
    selfPing.stop();
    expect(clock.pending).toBe(0);
  });

  it('room traffic while stale: fresh, the ping in flight is aborted and its late reply ignored', async () => {
    const { clock, connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    const iq = connection.expectSent(PING);
    at(160);
    expect(events.names()).toEqual(['stale']);
    selfPing.reset();
    expect(events).toEqual([
      ['stale', { silentForMs: 150 }],
      ['fresh', { silentForMs: 160 }],
    ]);
    expect(selfPing.pingInFlight).toBe(false);
    await flush();
    expect(connection.pendingRequests).toBe(0);
    expect(connection.replyTo(iq)).toBe(false);
    await flush();
    expect(events.names()).toEqual(['stale', 'fresh']);
    expect(clock.pending).toBe(2); // the monitor's two limits only
    at(259);
    connection.expectNothingSent();
    at(260);
    connection.expectSent(PING);
    selfPing.stop();
  });

  it('room traffic before the soft timeout postpones the ping', () => {
    const { connection, selfPing, events, at } = setup();
    selfPing.start();
    at(90);
    selfPing.reset();
    at(189);
    connection.expectNothingSent();
    at(190);
    connection.expectSent(PING);
    expect(events).toEqual([]);
    selfPing.stop();
  });

  it('room traffic between two inconclusive pings stops pinging (no fresh: not stale)', async () => {
    const { clock, connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    connection.replyTo(connection.expectSent(PING), error('item-not-found'));
    await flush();
    expect(clock.pending).toBe(2); // the hard limit, the next ping (the soft limit fired)
    at(110);
    selfPing.reset();
    expect(clock.pending).toBe(2); // the two limits
    at(120);
    connection.expectNothingSent();
    at(209);
    connection.expectNothingSent();
    expect(events.names()).toEqual(['pinged']);
    selfPing.stop();
  });

  it('stop() mid-ping aborts the request and leaves no timer; a late reply changes nothing', async () => {
    const { clock, connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    const iq = connection.expectSent(PING);
    at(155);
    expect(events.names()).toEqual(['stale']);
    selfPing.stop();
    expect(selfPing.running).toBe(false);
    expect(selfPing.stale).toBe(false);
    expect(clock.pending).toBe(0);
    await flush();
    expect(connection.pendingRequests).toBe(0);
    expect(connection.replyTo(iq)).toBe(false);
    await flush();
    at(5_000);
    connection.expectNothingSent();
    expect(events.names()).toEqual(['stale']); // no fresh after stop
    selfPing.reset(); // ignored when stopped
    selfPing.stop(); // idempotent
    expect(clock.pending).toBe(0);
  });

  it('start() twice keeps one monitor', () => {
    const { clock, selfPing } = setup();
    selfPing.start();
    selfPing.start();
    expect(clock.pending).toBe(2);
    selfPing.stop();
    expect(clock.pending).toBe(0);
  });

  it('without an occupant JID no ping is sent; it is tried again at the interval', () => {
    const { connection, selfPing, at, setOccupant, logger } = setup();
    setOccupant(undefined);
    selfPing.start();
    at(100);
    connection.expectNothingSent();
    expect(logger.records.some((r) => r.message === 'self-ping skipped: occupant JID unknown')).toBe(true);
    setOccupant(JID.parse(ME));
    at(119);
    connection.expectNothingSent();
    at(120);
    connection.expectSent(PING);
    selfPing.stop();
  });

  it('a lost session (DisconnectedError) is inconclusive: pinging goes on', async () => {
    const { connection, selfPing, events, at } = setup();
    selfPing.start();
    at(100);
    connection.expectSent(PING);
    at(101);
    connection.destroy();
    await flush();
    expect(events.names()).toEqual(['pinged']);
    expect(events[0]![1]).toMatchObject({ outcome: 'inconclusive', elapsedMs: 1 });
    expect((events[0]![1] as { error: Error }).error).toBeInstanceOf(DisconnectedError);
    at(120);
    connection.expectSent(PING);
    selfPing.stop();
  });

  it('a pinged listener that stops the pinger ends it (no gone, no timer)', async () => {
    const { clock, connection, selfPing, events, at } = setup();
    selfPing.on('pinged', () => selfPing.stop());
    selfPing.start();
    at(100);
    connection.replyTo(connection.expectSent(PING), error('not-acceptable'));
    await flush();
    expect(events.names()).toEqual(['pinged']);
    expect(clock.pending).toBe(0);
  });

  it('exact ping stanzas, one per interval while the replies are inconclusive', async () => {
    const { connection, selfPing, at } = setup();
    selfPing.start();
    const sent: Element[] = [];
    for (let t = 100; t <= 160; t += 20) {
      at(t);
      const iq = connection.expectSent(PING);
      sent.push(iq);
      connection.replyTo(iq, error('remote-server-timeout', 'wait'));
      await flush();
    }
    expect(new Set(sent.map((iq) => iq.attrs.id)).size).toBe(4);
    connection.expectNothingSent();
    selfPing.stop();
  });

  it('rejects bad durations', () => {
    const connection = new FakeConnection();
    const host = { connection, clock: new FakeClock(), logger: recordingLogger(), occupantJid: () => undefined };
    expect(() => new SelfPing(host, { softTimeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new SelfPing(host, { pingTimeoutMs: Infinity })).toThrow(InvalidArgumentError);
    expect(() => new SelfPing(host, { pingIntervalMs: 0 })).toThrow(InvalidArgumentError);
  });
});
