import { Element, parse } from 'ltx';
import { type Clock, systemClock } from '../core/clock.js';
import {
  type ConnectionEvents,
  type ConnectionStatus,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type StanzaHandler,
  type XmppConnection,
} from '../core/connection.js';
import { TypedEmitter } from '../core/emitter.js';
import { DisconnectedError, InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { HandlerList } from '../connection/handler-list.js';
import { IqTracker } from '../connection/iq-tracker.js';
import { AssertionError } from './assert.js';
import { canonical, stripWhitespace, x } from './xml.js';

/**
 * A connection for unit tests that drives real XML through the real code (the xmpp.js
 * test-kit pattern): `receive(xml)` feeds an incoming stanza through the handlers exactly as
 * a transport would, `sent` records every outbound stanza, `expectSent(xml)` asserts the
 * next one, `replyTo(iq, xml)` answers a request. IQ replies and handlers go through the same
 * IQ tracker (with its reply rule, `isAcceptableReplySender`) and handler list as the real
 * connections, so a test exercises the production rules.
 */
export class FakeConnection implements XmppConnection {
  /** The bound full JID (default `alice@localhost/test`); assignable. */
  jid: JID | undefined;
  /** The status reported; `establish()`/`destroy()` change it. */
  status: ConnectionStatus = 'online';
  /** Whether `acked` events are emitted (the fake emits none by itself). */
  supportsAcks = false;
  /** Lifecycle and stanza events; emit `acked` yourself to simulate XEP-0198 acks. */
  readonly events: TypedEmitter<ConnectionEvents>;
  /** Every stanza sent, oldest first. `expectSent`/`takeSent` consume from the front. */
  readonly sent: Element[] = [];
  /** Stanzas no handler claimed (also emitted as `stanza`). */
  readonly unclaimed: Element[] = [];
  readonly #handlers = new HandlerList();
  readonly #iq: IqTracker;
  readonly #logger: Logger;
  #nextId = 1;

  /** `jid`: the bound full JID; `clock`: for request timeouts (use a `FakeClock`); `logger`: where problems go. */
  constructor(options: { jid?: string; clock?: Clock; logger?: Logger } = {}) {
    this.jid = JID.parse(options.jid ?? 'alice@localhost/test');
    const clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.events = new TypedEmitter<ConnectionEvents>({ logger: this.#logger, clock });
    this.#iq = new IqTracker({ clock, ownJid: () => this.jid, logger: this.#logger });
  }

  /** Record the stanza in `sent`. */
  send(stanza: Element): Promise<void> {
    this.sent.push(stanza);
    return Promise.resolve();
  }

  /** Record the IQ in `sent` (with an id `fake-N` when it has none) and wait for its reply (see `replyTo`). */
  request(iq: Element, options: RequestOptions = {}): Promise<Element> {
    if (!iq.attrs.id) iq.attrs.id = `fake-${this.#nextId++}`;
    const id = String(iq.attrs.id);
    if (this.#iq.has(id)) return Promise.reject(new InvalidArgumentError(`An IQ with id ${id} is already pending`));
    const reply = this.#iq.track(id, iq.attrs.to as string | undefined, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, options.signal);
    this.sent.push(iq);
    return reply;
  }

  /** Add a stanza handler, as a real connection does. */
  addHandler(handler: StanzaHandler): () => void {
    return this.#handlers.add(handler);
  }

  /** How many handlers are installed (a closed component must leave none). */
  get handlerCount(): number {
    return this.#handlers.size;
  }

  /** How many IQ requests await a reply. */
  get pendingRequests(): number {
    return this.#iq.size;
  }

  /**
   * Deliver an incoming stanza (XML string or element) as the transport would. IQ replies
   * resolve a pending request only when id AND sender match. Returns whether a handler
   * claimed it.
   */
  receive(input: string | Element): boolean {
    const stanza = typeof input === 'string' ? stripWhitespace(parse(input.trim()) as Element) : input;
    if (!stanza.attrs.xmlns) stanza.attrs.xmlns = 'jabber:client';
    if (stanza.name === 'iq' && this.#iq.handleReply(stanza)) return true;
    if (this.#handlers.dispatch(stanza, this.#logger)) return true;
    this.unclaimed.push(stanza);
    this.events.emit('stanza', { stanza });
    return false;
  }

  /** Remove and return every stanza sent so far. */
  takeSent(): Element[] {
    return this.sent.splice(0);
  }

  /** Remove and return the oldest sent stanza; throws {@link AssertionError} if none. */
  nextSent(): Element {
    const el = this.sent.shift();
    if (el === undefined) throw new AssertionError('expected a sent stanza, but nothing (more) was sent', undefined, 'a stanza');
    return el;
  }

  /**
   * Assert that the oldest sent stanza equals `xml` (attributes in any order, whitespace
   * ignored; an expected attribute value `*` matches anything), and return it. Throws
   * {@link AssertionError} otherwise.
   */
  expectSent(xml: string | Element): Element {
    const expected = typeof xml === 'string' ? x(xml) : xml;
    const actual = this.nextSent();
    if (!actual.attrs.xmlns && expected.attrs.xmlns === 'jabber:client') actual.attrs.xmlns = 'jabber:client';
    const got = canonical(actual, expected);
    const want = canonical(expected);
    if (got !== want)
      throw new AssertionError(`sent stanza differs from the expected one:\n  sent:     ${got}\n  expected: ${want}`, got, want);
    return actual;
  }

  /** Assert that nothing (more) was sent; throws {@link AssertionError} otherwise. */
  expectNothingSent(): void {
    const left = this.sent.map((e) => e.toString());
    if (left.length > 0)
      throw new AssertionError(`expected nothing (more) sent, got ${left.length} stanza(s):\n  ${left.join('\n  ')}`, left, []);
  }

  /**
   * Answer a sent IQ: `<iq type="result">` with `payload` as child (or an error when
   * `payload` is an `<error/>` element or string), from the IQ's `to`.
   */
  replyTo(iq: Element, payload?: string | Element, options: { from?: string } = {}): boolean {
    const child = typeof payload === 'string' ? x(payload) : payload;
    const isError = child?.name === 'error';
    const reply = new Element('iq', {
      xmlns: 'jabber:client',
      type: isError ? 'error' : 'result',
      id: iq.attrs.id,
      from: options.from ?? iq.attrs.to,
      to: this.jid?.toString(),
    });
    if (child) reply.cnode(child);
    return this.receive(reply);
  }

  /** Simulate a new session: emit `established` (rooms must rejoin). */
  establish(jid?: string): void {
    if (jid) this.jid = JID.parse(jid);
    this.status = 'online';
    this.events.emit('status', { status: 'online' });
    this.events.emit('established', { jid: this.jid! });
  }

  /** Simulate the loss of the session: reject pending requests, emit `destroyed`. */
  destroy(reason?: Error, willReconnect = true): void {
    this.status = 'disconnected';
    this.#iq.rejectAll(new DisconnectedError('The session was destroyed', { cause: reason }));
    this.events.emit('status', { status: 'disconnected' });
    this.events.emit('destroyed', { reason, willReconnect });
  }
}
