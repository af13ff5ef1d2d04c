import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { AbortError, InvalidArgumentError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { FakeConnection } from '../testing/fake-connection.js';
import { answerPings, ping } from './ping.js';

describe('ping', () => {
  it('sends a ping and resolves on the result', async () => {
    const conn = new FakeConnection();
    const p = ping(conn, JID.parse('room@conference.localhost/bob'));
    const iq = conn.expectSent(
      `<iq xmlns="jabber:client" type="get" id="*" to="room@conference.localhost/bob"><ping xmlns="urn:xmpp:ping"/></iq>`,
    );
    conn.replyTo(iq);
    await expect(p).resolves.toBeUndefined();
    expect(conn.pendingRequests).toBe(0);
  });

  it('rejects with the StanzaError of an error reply', async () => {
    const conn = new FakeConnection();
    const p = ping(conn, 'localhost');
    const iq = conn.expectSent(`<iq type="get" id="*" to="localhost"><ping xmlns="urn:xmpp:ping"/></iq>`);
    conn.replyTo(iq, `<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`);
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StanzaError);
    expect((error as StanzaError).condition).toBe('service-unavailable');
  });

  it('ignores a reply from another address and times out', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const p = ping(conn, 'room@conference.localhost/bob', { timeoutMs: 5000 });
    const settled = p.catch((e: unknown) => e);
    const iq = conn.nextSent();
    expect(conn.replyTo(iq, undefined, { from: 'mallory@localhost/x' })).toBe(false);
    clock.advance(4999);
    expect(conn.pendingRequests).toBe(1);
    clock.advance(1);
    expect(await settled).toBeInstanceOf(TimeoutError);
    expect(conn.pendingRequests).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('rejects with AbortError when aborted', async () => {
    const conn = new FakeConnection({ clock: new FakeClock() });
    const ac = new AbortController();
    const p = ping(conn, 'localhost', { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(conn.pendingRequests).toBe(0);
  });

  it('rejects a malformed JID without sending', async () => {
    const conn = new FakeConnection();
    await expect(ping(conn, '@localhost')).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });
});

describe('answerPings', () => {
  it('answers a ping with a result to the sender and claims it', () => {
    const conn = new FakeConnection();
    const stop = answerPings(conn);
    expect(
      conn.receive(`<iq type="get" id="p1" from="room@conference.localhost" to="alice@localhost/test"><ping xmlns="urn:xmpp:ping"/></iq>`),
    ).toBe(true);
    conn.expectSent(`<iq type="result" id="p1" to="room@conference.localhost"/>`);
    expect(conn.unclaimed).toEqual([]);
    stop();
    expect(conn.handlerCount).toBe(0);
    expect(conn.receive(`<iq type="get" id="p2" from="localhost"><ping xmlns="urn:xmpp:ping"/></iq>`)).toBe(false);
    conn.expectNothingSent();
  });

  it('leaves other stanzas alone and drops a ping without id', () => {
    const logger = recordingLogger();
    const conn = new FakeConnection();
    answerPings(conn, { logger });
    expect(conn.receive(`<iq type="set" id="s1" from="localhost"><ping xmlns="urn:xmpp:ping"/></iq>`)).toBe(false);
    expect(conn.receive(`<iq type="get" id="s2" from="localhost"><query xmlns="jabber:iq:version"/></iq>`)).toBe(false);
    expect(conn.receive(`<message from="localhost"><ping xmlns="urn:xmpp:ping"/></message>`)).toBe(false);
    expect(conn.receive(`<iq type="get" from="localhost"><ping xmlns="urn:xmpp:ping"/></iq>`)).toBe(true);
    conn.expectNothingSent();
    expect(logger.records).toEqual([{ level: 'debug', message: 'dropping ping without id', context: { from: 'localhost' } }]);
  });
});
