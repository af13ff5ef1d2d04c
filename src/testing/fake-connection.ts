import { Element, parse } from 'ltx';
import { raceAbort } from '../core/abort.js';
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
import { DisconnectedError, StanzaError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { AssertionError, assertEqual } from './assert.js';
import { canonical, stripWhitespace, x } from './xml.js';

interface Pending {
  to: string | undefined;
  resolve(el: Element): void;
  reject(e: Error): void;
}

/**
 * A connection for unit tests that drives real XML through the real code (the xmpp.js
 * test-kit pattern): `receive(xml)` feeds an incoming stanza through the handlers exactly as
 * a transport would, `sent` records every outbound stanza, `expectSent(xml)` asserts the
 * next one, `replyTo(iq, xml)` answers a request.
 */
export class FakeConnection implements XmppConnection {
  jid: JID | undefined;
  status: ConnectionStatus = 'online';
  supportsAcks = false;
  readonly events: TypedEmitter<ConnectionEvents>;
  /** Every stanza sent, oldest first. `expectSent`/`takeSent` consume from the front. */
  readonly sent: Element[] = [];
  /** Stanzas no handler claimed (also emitted as `stanza`). */
  readonly unclaimed: Element[] = [];
  readonly #handlers: StanzaHandler[] = [];
  readonly #pending = new Map<string, Pending>();
  readonly #clock: Clock;
  readonly #logger: Logger;
  #nextId = 1;

  constructor(options: { jid?: string; clock?: Clock; logger?: Logger } = {}) {
    this.jid = JID.parse(options.jid ?? 'alice@localhost/test');
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.events = new TypedEmitter<ConnectionEvents>({ logger: this.#logger, clock: this.#clock });
  }

  send(stanza: Element): Promise<void> {
    this.sent.push(stanza);
    return Promise.resolve();
  }

  request(iq: Element, options: RequestOptions = {}): Promise<Element> {
    if (!iq.attrs.id) iq.attrs.id = `fake-${this.#nextId++}`;
    const id = String(iq.attrs.id);
    const to = iq.attrs.to as string | undefined;
    const promise = new Promise<Element>((resolve, reject) => this.#pending.set(id, { to, resolve, reject }));
    this.sent.push(iq);
    return raceAbort(promise, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clock: this.#clock,
      what: 'IQ request',
      onCancel: () => this.#pending.delete(id),
    });
  }

  addHandler(handler: StanzaHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i !== -1) this.#handlers.splice(i, 1);
    };
  }

  /** How many handlers are installed (a closed component must leave none). */
  get handlerCount(): number {
    return this.#handlers.length;
  }

  /** How many IQ requests await a reply. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /**
   * Deliver an incoming stanza (XML string or element) as the transport would. IQ replies
   * resolve a pending request only when id AND sender match. Returns whether a handler
   * claimed it.
   */
  receive(input: string | Element): boolean {
    const stanza = typeof input === 'string' ? stripWhitespace(parse(input.trim()) as Element) : input;
    if (!stanza.attrs.xmlns) stanza.attrs.xmlns = 'jabber:client';
    if (stanza.name === 'iq' && (stanza.attrs.type === 'result' || stanza.attrs.type === 'error')) {
      const id = stanza.attrs.id as string | undefined;
      const p = id === undefined ? undefined : this.#pending.get(id);
      if (p && this.#fromMatches(p.to, stanza.attrs.from as string | undefined)) {
        this.#pending.delete(id!);
        if (stanza.attrs.type === 'result') p.resolve(stanza);
        else p.reject(StanzaError.fromStanza(stanza));
        return true;
      }
    }
    for (const h of [...this.#handlers]) {
      try {
        if (h(stanza)) return true;
      } catch (error) {
        this.#logger.error('stanza handler threw', { error });
      }
    }
    this.unclaimed.push(stanza);
    this.events.emit('stanza', { stanza });
    return false;
  }

  #fromMatches(to: string | undefined, from: string | undefined): boolean {
    if (to === undefined) return from === undefined || (this.jid !== undefined && JID.tryParse(from)?.bare().equals(this.jid.bare()) === true);
    return from !== undefined && JID.tryParse(to)?.equals(from) === true;
  }

  /** Remove and return every stanza sent so far. */
  takeSent(): Element[] {
    return this.sent.splice(0);
  }

  /** Remove and return the oldest sent stanza; fails the test if none. */
  nextSent(): Element {
    const el = this.sent.shift();
    if (el === undefined) throw new AssertionError('expected a sent stanza, none was sent', undefined, 'a stanza');
    return el;
  }

  /**
   * Assert that the oldest sent stanza equals `xml` (attributes in any order, whitespace
   * ignored; an expected attribute value `*` matches anything), and return it.
   */
  expectSent(xml: string | Element): Element {
    const expected = typeof xml === 'string' ? x(xml) : xml;
    const actual = this.nextSent();
    if (!actual.attrs.xmlns && expected.attrs.xmlns === 'jabber:client') actual.attrs.xmlns = 'jabber:client';
    assertEqual(canonical(actual, expected), canonical(expected), 'the oldest sent stanza differs from the expected one');
    return actual;
  }

  /** Assert that nothing (more) was sent. */
  expectNothingSent(): void {
    if (this.sent.length > 0) {
      const sent = this.sent.map((e) => e.toString()).join('\n');
      throw new AssertionError(`expected nothing (more) sent, found ${this.sent.length} stanza(s)`, sent, '');
    }
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
    const err = new DisconnectedError('The session was destroyed', { cause: reason });
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.events.emit('status', { status: 'disconnected' });
    this.events.emit('destroyed', { reason, willReconnect });
  }
}
