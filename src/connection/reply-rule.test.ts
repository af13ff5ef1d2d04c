/**
 * THE table of the IQ reply rule (`isAcceptableReplySender`), run against the pure function
 * and against every connection: the native connection (on its fake transport), the xmpp.js
 * adapter (a real `@xmpp/client` against the scripted server) and `FakeConnection`. A row is
 * (request `to`, reply `from`, own full JID, accepted?).
 */
import { Element } from 'ltx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { JID } from '../core/jid.js';
import { FakeConnection } from '../testing/fake-connection.js';
import { FakeServer, flush } from '../../test/support/fake-transport.js';
import { type Harness, handshake, setup, startAndEstablish, teardown, until, within } from '../../test/support/xmppjs-harness.js';
import { isAcceptableReplySender } from './iq-tracker.js';
import { NativeConnection } from './native/native-connection.js';
import { resolveOptions } from './native/options.js';

const OWN = 'alice@localhost/r1';

interface Row {
  /** The request's `to` (undefined: none). */
  to: string | undefined;
  /** The reply's `from` (undefined: none). */
  from: string | undefined;
  /** The account's bound full JID (undefined: not bound yet; the pure function only). */
  own: string | undefined;
  accept: boolean;
}

const row = (to: string | undefined, from: string | undefined, accept: boolean): Row => ({ to, from, own: OWN, accept });
const unbound = (to: string | undefined, from: string | undefined, accept: boolean): Row => ({ to, from, own: undefined, accept });

const ROWS: Row[] = [
  // A request to the account itself (no `to`): the server answers for the account.
  row(undefined, undefined, true),
  row(undefined, 'alice@localhost', true),
  row(undefined, 'alice@localhost/r1', true),
  row(undefined, 'ALICE@localhost/R1', true), // PRECIS: the same JID
  row(undefined, 'alice@localhost/other', false), // another resource of ours is not the server
  row(undefined, 'localhost', false),
  row(undefined, 'bob@localhost', false),
  // A request to the account's bare or full JID: the same.
  row('alice@localhost', undefined, true),
  row('alice@localhost', 'alice@localhost', true),
  row('alice@localhost', 'alice@localhost/r1', true), // the bound full JID answers for the account
  row('alice@localhost', 'alice@localhost/other', false),
  row('alice@localhost', 'localhost', false),
  row('Alice@LOCALHOST', 'alice@localhost', true),
  row('alice@localhost/r1', undefined, true),
  row('alice@localhost/r1', 'alice@localhost', true),
  // A request to anyone else: the reply must come from exactly that address.
  row('room@conference.localhost', 'room@conference.localhost', true),
  row('Room@Conference.localhost', 'room@conference.localhost', true),
  row('room@conference.localhost', undefined, false),
  row('room@conference.localhost', 'alice@localhost', false),
  row('room@conference.localhost', 'alice@localhost/r1', false),
  row('room@conference.localhost', 'evil@localhost/x', false),
  row('room@conference.localhost', 'room@conference.localhost/nick', false),
  row('room@conference.localhost/nick', 'room@conference.localhost/NICK', true), // nickname comparison
  row('room@conference.localhost/nick', 'room@conference.localhost', false),
  row('localhost', 'localhost', true),
  row('localhost', undefined, false),
  row('alice@localhost/other', 'alice@localhost/other', true),
  row('alice@localhost/other', undefined, false),
  row('alice@localhost/other', 'alice@localhost/r1', false),
  // Not bound yet: only an answer without `from` can be the server's.
  unbound(undefined, undefined, true),
  unbound(undefined, 'alice@localhost', false),
  unbound('room@conference.localhost', 'room@conference.localhost', true),
];

/** The rows a connection can be tested with: it is bound to OWN. */
const BOUND = ROWS.filter((r) => r.own === OWN);

const label = (r: Row) =>
  `to=${r.to ?? '(none)'} from=${r.from ?? '(none)'} own=${r.own ?? '(unbound)'} -> ${r.accept ? 'accept' : 'reject'}`;

function request(to: string | undefined, id: string): Element {
  const attrs: Record<string, string> = { type: 'get', id };
  if (to !== undefined) attrs.to = to;
  return new Element('iq', attrs).c('query', { xmlns: 'urn:example:q' }).up();
}

function replyXml(from: string | undefined, id: string): string {
  return `<iq type='result' id='${id}'${from === undefined ? '' : ` from='${from}'`}/>`;
}

describe('the IQ reply rule', () => {
  it('is decided by isAcceptableReplySender', () => {
    for (const r of ROWS)
      expect(isAcceptableReplySender(r.to, r.from, r.own === undefined ? undefined : JID.parse(r.own)), label(r)).toBe(r.accept);
  });

  it('holds in FakeConnection', async () => {
    const conn = new FakeConnection({ jid: OWN, clock: new FakeClock() });
    let n = 0;
    for (const r of ROWS) {
      conn.jid = r.own === undefined ? undefined : JID.parse(r.own);
      const id = `f${++n}`;
      const abort = new AbortController();
      const reply = conn.request(request(r.to, id), { signal: abort.signal });
      const claimed = conn.receive(replyXml(r.from, id));
      expect(claimed, label(r)).toBe(r.accept);
      if (r.accept) await expect(reply, label(r)).resolves.toMatchObject({ attrs: { id } });
      else {
        abort.abort();
        await expect(reply).rejects.toMatchObject({ name: 'AbortError' });
      }
    }
    expect(conn.pendingRequests).toBe(0);
  });

  it('holds in the native connection', async () => {
    const server = new FakeServer({ sm: false, jid: () => OWN });
    const clock = new FakeClock();
    const conn = new NativeConnection(
      resolveOptions({ domain: 'localhost', allowPlaintext: true, clock, keepalive: false, reconnect: false }),
      server.opener,
    );
    const unclaimed: string[] = [];
    conn.events.on('stanza', ({ stanza }) => unclaimed.push(String(stanza.attrs.id)));
    await conn.start();
    expect(conn.jid?.toString()).toBe(OWN);
    let n = 0;
    for (const r of BOUND) {
      const id = `n${++n}`;
      const abort = new AbortController();
      const reply = conn.request(request(r.to, id), { signal: abort.signal });
      server.push(replyXml(r.from, id));
      expect(unclaimed.includes(id), label(r)).toBe(!r.accept);
      if (r.accept) await expect(reply, label(r)).resolves.toMatchObject({ attrs: { id } });
      else {
        abort.abort();
        await expect(reply).rejects.toMatchObject({ name: 'AbortError' });
      }
    }
    await Promise.race([conn.close(), flush()]);
  });

  describe('in the xmpp.js adapter', () => {
    let h: Harness | undefined;
    beforeAll(async () => {
      h = await setup((c) => handshake(c, { jid: OWN }));
      await startAndEstablish(h);
    });
    afterAll(async () => {
      await teardown(h);
      h = undefined;
    });

    it('holds', async () => {
      const { conn, server, unclaimed } = h!;
      expect(conn.jid?.toString()).toBe(OWN);
      const c1 = await server.connection(1);
      let n = 0;
      for (const r of BOUND) {
        const id = `a${++n}`;
        const abort = new AbortController();
        let settled = false;
        const reply = conn.request(request(r.to, id), { signal: abort.signal });
        reply.then(
          () => (settled = true),
          () => undefined,
        );
        await c1.readUntil(`id="${id}"`);
        const before = unclaimed.length;
        await c1.write(replyXml(r.from, id));
        await until(() => settled || unclaimed.length > before, 4000, label(r));
        expect(settled, label(r)).toBe(r.accept);
        if (r.accept) expect((await within(reply)).attrs.id).toBe(id);
        else {
          expect(unclaimed.at(-1)?.attrs.id, label(r)).toBe(id);
          abort.abort();
          await expect(reply).rejects.toMatchObject({ name: 'AbortError' });
        }
      }
    });
  });
});
