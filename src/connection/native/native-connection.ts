import { Element } from 'ltx';
import type { TimerHandle } from '../../core/clock.js';
import { checkDuration } from '../../core/abort.js';
import {
  type ConnectionEvents,
  type ConnectionStatus,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type StanzaHandler,
  type XmppConnection,
} from '../../core/connection.js';
import { TypedEmitter } from '../../core/emitter.js';
import { AbortError, DisconnectedError, InvalidArgumentError, TimeoutError, toError } from '../../core/errors.js';
import type { JID } from '../../core/jid.js';
import { NS } from '../../core/namespaces.js';
import { AuthError, StreamError } from './errors.js';
import { IqTracker } from '../iq-tracker.js';
import { Liveness } from '../liveness.js';
import type { ResolvedOptions } from './options.js';
import { ReconnectScheduler } from '../reconnect.js';
import { HandlerList } from '../handler-list.js';
import { answerUnclaimedIq } from './unclaimed-iq.js';
import { randomId } from '../ids.js';
import { Inbox, type NegotiationResult, is, isStanza, negotiate, parseH, streamErrorFrom } from './session.js';
import { StreamManagementState } from './stream-management.js';
import { defaultTransportOpener, openAbortable } from './transport/open.js';
import type { Transport, TransportCallbacks, TransportOpener } from './transport/transport.js';

/** Events of a {@link NativeConnection}: the {@link ConnectionEvents} of the seam, plus `undelivered`. */
export interface NativeConnectionEvents extends ConnectionEvents {
  /**
   * Stanzas that the server never acknowledged (XEP-0198) on a session that is gone, plus
   * stanzas still queued when the connection closes for good. Emitted right after
   * `destroyed`. They are NOT resent on the new session (its context, e.g. room
   * occupancy, is lost); the application decides. Without XEP-0198 nothing is reported.
   */
  undelivered: {
    /** The stanzas, in the order they were sent. */
    stanzas: Element[];
    /** Why the session ended. */
    reason: Error;
  };
}

/** Stream errors after which reconnecting cannot help. */
const FATAL_STREAM_ERRORS = new Set(['conflict', 'host-unknown', 'not-authorized', 'invalid-from', 'unsupported-version']);
const CLOSE_WAIT_MS = 2000;

/**
 * xmuc's own XMPP client connection (see {@link connect}). Implements the
 * {@link XmppConnection} seam:
 * - `established` for every new session (the first, and after a failed or impossible
 *   resumption); nothing for an XEP-0198 resumption; `destroyed` when a session is gone
 *   (then `undelivered` for unacknowledged stanzas).
 * - `send()` while not online queues the stanza. On a resumption, unacknowledged stanzas are
 *   resent first, then the queue is flushed. On a new session, `established` is emitted
 *   first (listeners such as rooms rejoin; what they send goes out at once), then the queue
 *   is flushed, so room messages queued during an outage follow the rejoin presence.
 * - Nothing is sent between binding and the server's `<enabled/>`/`<failed/>`.
 * - Incoming stanzas are routed synchronously (no promise per stanza): IQ replies to pending
 *   requests (matched by id AND sender), then handlers in order, then the `stanza` event.
 *   Unclaimed IQ get/set are also answered: a result for an XEP-0199 ping (from anyone),
 *   `service-unavailable` otherwise.
 * - Keepalive timeouts and bad input drop the socket without `</stream:stream>`, so the
 *   session stays resumable; only {@link NativeConnection.close} closes the stream politely.
 */
export class NativeConnection implements XmppConnection {
  readonly #events: TypedEmitter<NativeConnectionEvents>;
  readonly #o: ResolvedOptions;
  readonly #open: TransportOpener;
  readonly #iq: IqTracker;
  readonly #handlers = new HandlerList();
  readonly #sm = new StreamManagementState();
  readonly #reconnect: ReconnectScheduler | undefined;
  readonly #liveness: Liveness | undefined;
  #status: ConnectionStatus = 'offline';
  #jid: JID | undefined;
  #transport: Transport | undefined;
  #framed = false;
  #gen = 0;
  #negotiating = false;
  #attemptAbort: AbortController | undefined;
  #stallTimer: TimerHandle | undefined;
  #ackTimer: TimerHandle | undefined;
  #queue: Element[] = [];
  #closed = false;
  #closeWaiter: (() => void) | undefined;
  #fatal: Error | undefined;
  /** Why we dropped the current transport ourselves (parse error, keepalive timeout, stream error). */
  #dropReason: Error | undefined;
  #sessionAlive = false;

  /** @internal Use {@link connect}. */
  constructor(options: ResolvedOptions, open: TransportOpener = defaultTransportOpener, random?: () => number) {
    this.#o = options;
    this.#open = open;
    this.#events = new TypedEmitter<NativeConnectionEvents>({ logger: options.logger, clock: options.clock });
    this.#iq = new IqTracker({ clock: options.clock, ownJid: () => this.#jid, logger: options.logger });
    if (options.reconnect) this.#reconnect = new ReconnectScheduler(options.clock, options.reconnect, random);
    if (options.keepalive) {
      this.#liveness = new Liveness(
        options.clock,
        options.keepalive.intervalMs,
        options.keepalive.timeoutMs,
        () => this.#probe(),
        () => this.#dead(),
      );
    }
  }

  /** Lifecycle and stanza events. */
  get events(): Pick<TypedEmitter<NativeConnectionEvents>, 'on' | 'once' | 'waitFor'> {
    return this.#events;
  }
  /** The full JID of the current (or last) session. */
  get jid(): JID | undefined {
    return this.#jid;
  }
  /** The current status. */
  get status(): ConnectionStatus {
    return this.#status;
  }
  /** True while XEP-0198 is enabled on the session: `acked` events are emitted. */
  get supportsAcks(): boolean {
    return this.#sm.enabled;
  }
  /** The stream is encrypted. */
  get secure(): boolean {
    return this.#transport?.secure ?? false;
  }

  /** Send a stanza (see {@link XmppConnection.send}). */
  send(stanza: Element): Promise<void> {
    if (this.#closed) return Promise.reject(new DisconnectedError('The connection is closed'));
    const n = stanza?.name;
    if (n !== 'message' && n !== 'presence' && n !== 'iq') {
      return Promise.reject(new InvalidArgumentError(`send() takes a message, presence or iq, got <${String(n)}>`));
    }
    if (this.#status === 'online') this.#write(stanza);
    else this.#queue.push(stanza);
    return Promise.resolve();
  }

  /** Send an IQ get/set and wait for its reply (see {@link XmppConnection.request}). */
  request(iq: Element, options: RequestOptions = {}): Promise<Element> {
    try {
      if (this.#closed) throw new DisconnectedError('The connection is closed');
      if (iq?.name !== 'iq' || (iq.attrs.type !== 'get' && iq.attrs.type !== 'set')) {
        throw new InvalidArgumentError('request() takes an <iq type="get|set">');
      }
      checkDuration('timeoutMs', options.timeoutMs);
      let id = iq.attrs.id as string | undefined;
      if (id === undefined || id === '') iq.attrs.id = id = randomId();
      else if (this.#iq.has(id)) throw new InvalidArgumentError(`An IQ with id ${id} is already pending`);
      const reply = this.#iq.track(id, iq.attrs.to as string | undefined, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, options.signal);
      if (!options.signal?.aborted) this.send(iq).catch(() => {}); // cannot fail: checked above
      reply.catch(() => {
        const i = this.#queue.indexOf(iq);
        if (i !== -1) this.#queue.splice(i, 1);
      });
      return reply;
    } catch (e) {
      return Promise.reject(toError(e));
    }
  }

  /** Add a stanza handler (see {@link XmppConnection.addHandler}). */
  addHandler(handler: StanzaHandler): () => void {
    return this.#handlers.add(handler);
  }

  /**
   * Close for good: `</stream:stream>`, wait (bounded) for the server's close, drop the socket.
   * No reconnect. Emits `destroyed` (`willReconnect: false`) if a session existed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reconnect?.cancel();
    const t = this.#transport;
    if (t && this.#status === 'online') {
      await new Promise<void>((resolve) => {
        const timer = this.#o.clock.setTimeout(() => done(), CLOSE_WAIT_MS);
        const done = () => {
          this.#o.clock.clearTimeout(timer);
          this.#closeWaiter = undefined;
          resolve();
        };
        this.#closeWaiter = done;
        // Ask for a last ack first: the server answers before closing its side.
        if (this.#sm.enabled && this.#sm.unacked.length > 0) t.write(`<r xmlns='${NS.SM}'/>`);
        t.closeStream();
      });
    }
    this.#attemptAbort?.abort(new DisconnectedError('The connection was closed'));
    this.#gen++;
    t?.destroy();
    this.#transport = undefined;
    this.#shutdown(undefined);
  }

  /** Drop the socket without closing the stream, like a network cut (for tests). Reconnect/resume follow. */
  forceDisconnect(): void {
    this.#transport?.destroy();
  }

  /** @internal Run the first connect attempt; on failure the connection ends. */
  async start(): Promise<void> {
    const { signal } = this.#o;
    if (signal?.aborted) throw new AbortError('connect() was aborted', { cause: signal.reason });
    const onAbort = () => this.#attemptAbort?.abort(new AbortError('connect() was aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#attempt();
    } catch (e) {
      const err = toError(e);
      this.#closed = true;
      this.#shutdown(err);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#events.emit('status', { status });
  }

  #armStall(): void {
    this.#clearStall();
    const ac = this.#attemptAbort;
    this.#stallTimer = this.#o.clock.setTimeout(() => {
      this.#stallTimer = undefined;
      ac?.abort(new TimeoutError(`The connect attempt made no progress for ${this.#o.connectTimeoutMs} ms`));
    }, this.#o.connectTimeoutMs);
  }

  #clearStall(): void {
    if (this.#stallTimer !== undefined) this.#o.clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
  }

  async #attempt(): Promise<void> {
    const gen = ++this.#gen;
    this.#dropReason = undefined;
    const ac = new AbortController();
    const inbox = new Inbox();
    this.#attemptAbort = ac;
    this.#negotiating = true;
    this.#setStatus('connecting');
    ac.signal.addEventListener('abort', () => {
      inbox.fail(toError(ac.signal.reason));
      if (gen === this.#gen) this.#transport?.destroy();
    });
    this.#armStall();
    try {
      const opening = this.#open(
        this.#o.endpoint,
        { domain: this.#o.domain, tls: this.#o.tls, maxStanzaBytes: this.#o.maxStanzaBytes },
        this.#callbacks(gen, inbox),
      );
      const transport = await openAbortable(opening, ac.signal, () => gen !== this.#gen);
      this.#transport = transport;
      this.#framed = transport.framed;
      const result = await negotiate({
        transport,
        inbox,
        options: this.#o,
        sm: this.#sm,
        routeStanza: (el) => this.#route(el),
        onResumeFailed: (h, reason) => this.#resumeFailed(h, reason),
      });
      if (gen !== this.#gen || ac.signal.aborted) throw toError(ac.signal.reason ?? new DisconnectedError('The connection was closed'));
      this.#clearStall();
      this.#online(result, inbox);
    } catch (e) {
      this.#clearStall();
      if (gen === this.#gen) {
        this.#gen++; // ignore the callbacks of the transport we drop
        this.#negotiating = false;
        this.#transport?.destroy();
        this.#transport = undefined;
      }
      throw e;
    }
  }

  #callbacks(gen: number, inbox: Inbox): TransportCallbacks {
    return {
      onStreamStart: () => {
        if (gen === this.#gen && this.#negotiating) this.#armStall();
      },
      onElement: (el) => {
        if (gen !== this.#gen) return;
        if (this.#negotiating) {
          this.#armStall();
          inbox.push(el);
        } else this.#receive(el);
      },
      onStreamEnd: () => {
        if (gen !== this.#gen) return;
        if (this.#closeWaiter) {
          this.#closeWaiter();
          return;
        }
        const err = new StreamError('undefined-condition', { message: 'The server closed the stream', remote: true });
        if (this.#negotiating) inbox.fail(err);
        this.#dropReason = err;
        this.#transport?.closeStream();
        this.#transport?.destroy();
      },
      onParseError: (perr) => {
        if (gen !== this.#gen) return;
        const err = new StreamError(perr.condition, { message: `Bad XML from the server: ${perr.message}`, cause: perr });
        this.#o.logger.error('stream parse error', { condition: perr.condition, message: perr.message });
        this.#events.emit('error', { error: err });
        if (this.#negotiating) inbox.fail(err);
        this.#dropReason = err;
        this.#transport?.sendStreamError(perr.condition);
        this.#transport?.destroy();
      },
      onCallbackError: (error) => this.#o.logger.error('error while handling an incoming element', { error }),
      onClose: (error) => {
        if (gen !== this.#gen) return;
        if (this.#closeWaiter) {
          this.#closeWaiter();
          return;
        }
        if (this.#negotiating) inbox.fail(error ?? new DisconnectedError('The connection closed during stream negotiation'));
        else this.#lost(error);
      },
    };
  }

  #online(result: NegotiationResult, inbox: Inbox): void {
    this.#negotiating = false;
    this.#attemptAbort = undefined;
    const rest = inbox.drain();
    this.#reconnect?.reset();
    if (result.kind === 'resumed') {
      this.#applyAck(result.h);
      const resend = this.#sm.takeUnacked();
      this.#setStatus('online');
      this.#o.logger.info('stream resumed', { resent: resend.length });
      for (const el of resend) this.#write(el);
      this.#liveness?.start();
      for (const el of rest) if (this.#transport) this.#receive(el);
      this.#flushQueue();
      return;
    }
    this.#jid = result.jid;
    if (result.sm) this.#sm.start(result.sm.id, result.sm.maxSeconds);
    else this.#sm.reset();
    this.#sessionAlive = true;
    this.#setStatus('online');
    this.#liveness?.start();
    this.#events.emit('established', { jid: result.jid });
    for (const el of rest) if (this.#transport) this.#receive(el);
    this.#flushQueue();
  }

  #flushQueue(): void {
    while (this.#queue.length > 0 && this.#status === 'online') this.#write(this.#queue.shift()!);
  }

  #write(stanza: Element): void {
    if (this.#framed && stanza.attrs.xmlns === undefined) stanza.attrs.xmlns = NS.CLIENT;
    this.#transport?.write(stanza.toString());
    if (this.#sm.enabled) {
      this.#sm.track(stanza);
      if (this.#ackTimer === undefined) {
        this.#ackTimer = this.#o.clock.setTimeout(() => {
          this.#ackTimer = undefined;
          if (this.#status === 'online' && this.#sm.enabled && this.#sm.unacked.length > 0) {
            this.#transport?.write(`<r xmlns='${NS.SM}'/>`);
          }
        }, this.#o.ackRequestDelayMs);
      }
    }
  }

  /** The hot path: one received top-level element, synchronously. */
  #receive(el: Element): void {
    this.#liveness?.touch();
    if (isStanza(el)) {
      if (this.#sm.enabled) this.#sm.countInbound();
      this.#route(el);
      return;
    }
    if (el.attrs.xmlns === NS.SM) {
      if (el.name === 'r') {
        if (this.#sm.enabled) this.#transport?.write(`<a xmlns='${NS.SM}' h='${this.#sm.inbound}'/>`);
        return;
      }
      if (el.name === 'a') {
        const h = parseH(el.attrs.h);
        if (h === undefined) this.#o.logger.warn('malformed XEP-0198 <a/> ignored', { h: el.attrs.h });
        else this.#applyAck(h);
        return;
      }
    }
    if (is(el, 'error', NS.STREAM)) {
      const err = streamErrorFrom(el);
      this.#o.logger.error('stream error from the server', { condition: err.condition, text: err.text });
      if (FATAL_STREAM_ERRORS.has(err.condition)) this.#fatal = err;
      this.#events.emit('error', { error: err });
      this.#dropReason = err;
      this.#transport?.destroy();
      return;
    }
    this.#o.logger.debug('ignored unknown top-level element', { name: el.name, xmlns: el.attrs.xmlns });
  }

  #route(stanza: Element): void {
    const iq = stanza.name === 'iq';
    const type = stanza.attrs.type;
    if (iq && (type === 'result' || type === 'error') && this.#iq.handleReply(stanza)) return;
    if (this.#handlers.dispatch(stanza, this.#o.logger)) return;
    this.#events.emit('stanza', { stanza });
    if (iq && (type === 'get' || type === 'set')) {
      const reply = answerUnclaimedIq(stanza);
      if (reply && this.#status === 'online') this.#write(reply);
      else if (reply) this.#queue.push(reply);
    }
  }

  #applyAck(h: number): void {
    const { acked, excess } = this.#sm.ack(h);
    if (excess > 0) {
      const error = new StreamError('undefined-condition', { message: `The server acknowledged ${excess} more stanzas than were sent` });
      this.#o.logger.error(error.message, { h });
      this.#events.emit('error', { error });
    }
    for (const stanza of acked) this.#events.emit('acked', { stanza });
  }

  #resumeFailed(h: number | undefined, reason: Error): void {
    if (h !== undefined) this.#applyAck(h);
    this.#endSession(reason, true);
  }

  /** The session is gone: reject requests, report unacked stanzas, emit `destroyed`. */
  #endSession(reason: Error | undefined, willReconnect: boolean): void {
    this.#sessionAlive = false;
    const ids = this.#iq.rejectAll(new DisconnectedError('The session ended before the reply arrived', { cause: reason }));
    if (ids.size > 0) this.#queue = this.#queue.filter((el) => !(el.name === 'iq' && ids.has(el.attrs.id as string)));
    const lost = this.#sm.takeUnacked();
    this.#sm.reset();
    if (!willReconnect) lost.push(...this.#queue.splice(0));
    this.#events.emit('destroyed', { reason, willReconnect });
    if (lost.length > 0) {
      this.#events.emit('undelivered', { stanzas: lost, reason: reason ?? new DisconnectedError('The connection was closed') });
    }
  }

  #stopTimers(): void {
    this.#liveness?.stop();
    if (this.#ackTimer !== undefined) this.#o.clock.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  /** The transport went away while online. */
  #lost(error: Error | undefined): void {
    this.#transport = undefined;
    this.#stopTimers();
    const reason =
      this.#fatal ??
      this.#dropReason ??
      new DisconnectedError(error ? `The connection was lost: ${error.message}` : 'The connection was lost', { cause: error });
    this.#dropReason = undefined;
    const willReconnect = this.#reconnect !== undefined && this.#fatal === undefined && !this.#closed;
    this.#o.logger.warn('connection lost', { reason: reason.message, willReconnect, resumable: this.#sm.resumable });
    if (!willReconnect) {
      this.#closed = true;
      this.#shutdown(reason);
      return;
    }
    this.#setStatus('disconnected');
    if (!this.#sm.resumable) this.#endSession(reason, true);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = this.#reconnect!.schedule(() => void this.#reconnectAttempt());
    this.#o.logger.info('reconnect scheduled', { delayMs: delay, attempt: this.#reconnect!.attempts });
  }

  async #reconnectAttempt(): Promise<void> {
    try {
      await this.#attempt();
    } catch (e) {
      if (this.#closed) return;
      const error = toError(e);
      this.#o.logger.warn('reconnect attempt failed', { error: error.message });
      this.#events.emit('error', { error });
      if (error instanceof AuthError) {
        this.#closed = true;
        this.#shutdown(error);
        return;
      }
      this.#setStatus('disconnected');
      this.#scheduleReconnect();
    }
  }

  /** End for good: timers off, status offline, the session (if any) destroyed. Idempotent. */
  #shutdown(reason: Error | undefined): void {
    this.#stopTimers();
    this.#clearStall();
    this.#reconnect?.cancel();
    this.#setStatus('offline');
    if (this.#sessionAlive) {
      this.#endSession(reason, false);
      return;
    }
    this.#iq.rejectAll(new DisconnectedError('The connection is closed', { cause: reason }));
    const queued = this.#queue.splice(0);
    if (queued.length > 0) {
      this.#events.emit('undelivered', { stanzas: queued, reason: reason ?? new DisconnectedError('The connection was closed') });
    }
  }

  #probe(): void {
    if (this.#sm.enabled) {
      this.#transport?.write(`<r xmlns='${NS.SM}'/>`);
      return;
    }
    const ping = new Element('iq', { type: 'get', to: this.#o.domain });
    ping.c('ping', { xmlns: NS.PING });
    this.request(ping, { timeoutMs: this.#o.keepalive ? this.#o.keepalive.timeoutMs : undefined }).catch(() => {});
  }

  #dead(): void {
    const error = new TimeoutError('No data from the server after a keepalive probe: dropping the socket');
    this.#o.logger.warn(error.message);
    this.#events.emit('error', { error });
    this.#dropReason = error;
    this.#transport?.destroy();
  }
}
