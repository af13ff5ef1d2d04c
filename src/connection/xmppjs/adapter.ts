import { Element } from 'ltx';
import { checkDuration } from '../../core/abort.js';
import { type Clock, systemClock, type TimerHandle } from '../../core/clock.js';
import {
  type ConnectionEvents,
  type ConnectionStatus,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type StanzaHandler,
  type XmppConnection,
} from '../../core/connection.js';
import { TypedEmitter } from '../../core/emitter.js';
import { DisconnectedError, InvalidArgumentError, TimeoutError, toError } from '../../core/errors.js';
import { JID } from '../../core/jid.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { NS } from '../../core/namespaces.js';
import { HandlerList } from '../handler-list.js';
import { randomId } from '../ids.js';
import { IqTracker } from '../iq-tracker.js';
import { Liveness } from '../liveness.js';
import { ReconnectScheduler } from '../reconnect.js';
import { installUtf8Decoder, isElement, reconnectOf, smOf, yieldToEventLoop } from './internals.js';
import type { XmppJsClient, XmppJsListener, XmppJsMiddleware, XmppJsStreamManagement } from './types.js';

export type {
  XmppJsClient,
  XmppJsEmitter,
  XmppJsListener,
  XmppJsMiddleware,
  XmppJsMiddlewareContext,
  XmppJsReconnect,
  XmppJsSocket,
  XmppJsStreamManagement,
} from './types.js';

/** Options of {@link fromXmppJs}. Durations are in milliseconds. */
export interface XmppJsAdapterOptions {
  /** Source of time for timeouts, the watchdogs and reconnect delays (default: the system clock). */
  clock?: Clock | undefined;
  /** Where problems are reported (default: silent). */
  logger?: Logger | undefined;
  /** Random source in [0, 1) for the reconnect jitter (default `Math.random`). */
  random?: (() => number) | undefined;
  /** First reconnect delay ceiling; doubles per failed attempt (default 1000). */
  reconnectBaseMs?: number | undefined;
  /** Cap of the reconnect delay (default 60 000). */
  reconnectMaxMs?: number | undefined;
  /** Send an XEP-0199 ping to the server after this long without inbound traffic; 0 disables (default 60 000). */
  pingIntervalMs?: number | undefined;
  /** Nothing received for this long after a ping destroys the socket, so that the session can resume (default 20 000). */
  pingTimeoutMs?: number | undefined;
  /** A connect/open/auth/resume attempt not online after this long destroys the socket (default 30 000). */
  connectTimeoutMs?: number | undefined;
}

/** An {@link XmppConnection} over an `@xmpp/client` instance, as returned by {@link fromXmppJs}. */
export interface XmppJsConnection extends XmppConnection {
  /** The wrapped client. */
  readonly client: XmppJsClient;
  /**
   * Detach from the client: listeners and timers are removed, pending requests reject with
   * `DisconnectedError`, xmpp.js's own reconnect policy is restored. The client stays up.
   */
  dispose(): void;
}

interface Queued {
  seq: number;
  stanza: Element;
  requestId: string | undefined;
}

const STANZAS = new Set(['message', 'presence', 'iq']);
const CONNECTING = new Set(['connecting', 'connect', 'opening', 'open']);
/**
 * Wrap an `@xmpp/client` 0.14 instance the application created as an {@link XmppConnection}.
 * Call it BEFORE `client.start()` (it must patch the socket reader first); it throws
 * {@link InvalidArgumentError} otherwise. The adapter fixes the xmpp.js defects documented in
 * the transport evaluation: UTF-8 split across reads (M1), IQ replies matched by id only
 * (M2), a graceful close on ack timeout that kills resumption and reconnects that hang
 * (M3), the XEP-0198 counter race (M4), throwing listeners (M5), stanzas lost while the
 * socket is dead (M6), and a constant 1 s reconnect (M10: backoff with jitter instead).
 *
 * Stanzas the library claims are consumed in one xmpp.js middleware; the others continue to
 * the application's own middleware and `iqCallee` and are emitted as `stanza`. (xmpp.js's
 * `client.on('stanza')` still sees every stanza.) A handler that claims an IQ get/set must
 * send the reply itself; xmpp.js's `iqCallee` then stays silent.
 *
 * Lifecycle: `established` after every bind (after `<enabled/>`/`<failed/>` when XEP-0198 is
 * offered), nothing for a resumption, `destroyed` when the socket drops without a resumable
 * session, when a resumption fails (just before the next `established`), or on
 * `client.stop()`. Stanzas sent while the stream is down are queued and flushed when the
 * session resumes or, after `established` listeners ran, on a new session. The adapter
 * replaces xmpp.js's reconnect while attached; `dispose()` gives it back.
 *
 * @example
 * ```ts
 * const xmpp = client({ service: 'xmpp://localhost:5222', domain: 'localhost', username, password });
 * const connection = fromXmppJs(xmpp);
 * await xmpp.start();
 * ```
 */
export function fromXmppJs(client: XmppJsClient, options: XmppJsAdapterOptions = {}): XmppJsConnection {
  return new XmppJsAdapter(client, options);
}

class XmppJsAdapter implements XmppJsConnection {
  readonly client: XmppJsClient;
  readonly supportsAcks = true;
  readonly events: TypedEmitter<ConnectionEvents>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #pingTimeoutMs: number;
  readonly #connectTimeoutMs: number;

  #status: ConnectionStatus = 'offline';
  #jid: JID | undefined;
  /** The current session accepts direct writes. */
  #ready = false;
  /** A session was established and has not been reported destroyed. */
  #sessionLive = false;
  /** The last `<stream:features/>` offered XEP-0198. */
  #smOffered = false;
  /** Bound, waiting for `<enabled/>`/`<failed/>` before the first write (M4). */
  #gated = false;
  #stopping = false;
  #stopped = false;
  #disposed = false;
  #flushing = false;
  #seq = 0;
  #queue: Queued[] = [];
  readonly #pending: IqTracker;
  readonly #handlers = new HandlerList();
  readonly #reconnect: ReconnectScheduler;
  /** M3: pings the server after `pingIntervalMs` without inbound traffic (absent when 0). */
  readonly #liveness: Liveness | undefined;
  #stuckTimer: TimerHandle | undefined;
  #pingAbort: AbortController | undefined;
  readonly #clientListeners: [string, XmppJsListener][] = [];
  readonly #smListeners: [string, XmppJsListener][] = [];
  readonly #originalStop: XmppJsClient['stop'];

  constructor(client: XmppJsClient, options: XmppJsAdapterOptions) {
    if (
      typeof client !== 'object' ||
      client === null ||
      typeof client.on !== 'function' ||
      typeof client.send !== 'function' ||
      typeof client.middleware?.use !== 'function'
    ) {
      throw new InvalidArgumentError('fromXmppJs() needs an @xmpp/client instance');
    }
    if (client.status !== 'offline') {
      throw new InvalidArgumentError(`fromXmppJs() must be called before client.start() (the client is '${client.status}')`);
    }
    for (const [name, v] of [
      ['reconnectBaseMs', options.reconnectBaseMs],
      ['reconnectMaxMs', options.reconnectMaxMs],
      ['pingIntervalMs', options.pingIntervalMs],
      ['pingTimeoutMs', options.pingTimeoutMs],
      ['connectTimeoutMs', options.connectTimeoutMs],
    ] as const)
      checkDuration(name, v);
    this.client = client;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    const pingIntervalMs = options.pingIntervalMs ?? 60_000;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 20_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.events = new TypedEmitter<ConnectionEvents>({ logger: this.#logger, clock: this.#clock });
    this.#pending = new IqTracker({ clock: this.#clock, ownJid: () => this.#jid, logger: this.#logger });
    this.#reconnect = new ReconnectScheduler(
      this.#clock,
      { baseMs: options.reconnectBaseMs ?? 1000, maxMs: options.reconnectMaxMs ?? 60_000 },
      options.random,
    );
    if (pingIntervalMs > 0) {
      this.#liveness = new Liveness(
        this.#clock,
        pingIntervalMs,
        this.#pingTimeoutMs,
        () => this.#ping(),
        () => this.#dead(),
        { exact: true },
      );
    }

    installUtf8Decoder(client); // M1
    const sm = smOf(client);
    if (sm) sm.timeout = 0; // M3: never close the stream gracefully on an ack timeout
    reconnectOf(client)?.stop(); // M10: our backoff replaces the constant 1 s retry
    this.#originalStop = client.stop;
    client.stop = (...args: []) => {
      this.#stopping = true;
      return this.#originalStop.apply(client, args).finally(() => {
        if (client.status === 'offline') this.#stopping = false; // also when no 'offline' event came
      });
    };
    client.middleware.use(this.#middleware); // M5: one dispatch point, after SM counting

    this.#listen(client, this.#clientListeners, {
      status: (status: string) => this.#onXmppStatus(status),
      online: (jid: unknown) => this.#onOnline(jid),
      disconnect: (info?: { reason?: unknown }) => this.#onDisconnect(info?.reason),
      offline: () => this.#onOffline(),
      nonza: (el: Element) => this.#onNonza(el),
      error: (error: unknown) => this.#reportError('xmpp.js reported an error', error),
    });
    if (sm) {
      this.#listen(sm, this.#smListeners, {
        resumed: () => this.#becomeReady(false),
        ack: (stanza: Element) => this.events.emit('acked', { stanza }),
      });
    }
  }

  get jid(): JID | undefined {
    return this.#jid;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  send(stanza: Element): Promise<void> {
    if (!isElement(stanza)) return Promise.reject(new InvalidArgumentError('send() needs an ltx Element'));
    if (this.#stopped || this.#disposed) return Promise.reject(new DisconnectedError('The connection is stopped'));
    return this.#submit(stanza, undefined);
  }

  request(iq: Element, options: RequestOptions = {}): Promise<Element> {
    try {
      if (!isElement(iq) || iq.name !== 'iq' || (iq.attrs.type !== 'get' && iq.attrs.type !== 'set')) {
        throw new InvalidArgumentError('request() needs an <iq/> of type get or set');
      }
      checkDuration('timeoutMs', options.timeoutMs);
      if (iq.attrs.id === undefined || iq.attrs.id === '') iq.attrs.id = randomId();
      if (this.#pending.has(String(iq.attrs.id))) throw new InvalidArgumentError(`IQ id ${String(iq.attrs.id)} is already pending`);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (this.#stopped || this.#disposed) return Promise.reject(new DisconnectedError('The connection is stopped'));
    const id = String(iq.attrs.id);
    const to = iq.attrs.to === undefined ? undefined : String(iq.attrs.to);
    const reply = this.#pending.track(id, to, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, options.signal);
    if (!options.signal?.aborted) void this.#submit(iq, id);
    return reply;
  }

  addHandler(handler: StanzaHandler): () => void {
    return this.#handlers.add(handler);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#ready = false;
    this.#clearTimers();
    for (const [event, fn] of this.#clientListeners) this.client.removeListener(event, fn);
    const sm = smOf(this.client);
    if (sm) for (const [event, fn] of this.#smListeners) sm.removeListener(event, fn);
    this.client.stop = this.#originalStop;
    reconnectOf(this.client)?.start();
    this.#queue = [];
    this.#pending.rejectAll(new DisconnectedError('The connection adapter was disposed'));
    this.#setStatus('offline');
  }

  // --- outbound (M6) ---

  /** Write now when the session is ready and nothing waits before; queue otherwise. Never rejects. */
  async #submit(stanza: Element, requestId: string | undefined): Promise<void> {
    const entry: Queued = { seq: ++this.#seq, stanza, requestId };
    if (!this.#ready || this.#queue.length > 0 || this.#flushing) {
      this.#queue.push(entry);
      return;
    }
    await this.#write(entry);
  }

  /** Write one entry; on failure (dead socket) put it back in order. Returns whether written. */
  async #write(entry: Queued): Promise<boolean> {
    if (entry.requestId !== undefined) this.#pending.markSent(entry.requestId, true);
    try {
      await this.client.send(entry.stanza);
      return true;
    } catch (error) {
      if (entry.requestId !== undefined) this.#pending.markSent(entry.requestId, false);
      this.#logger.debug('write failed; the stanza is queued until the session resumes', { error });
      if (!this.#stopped && !this.#disposed) {
        const at = this.#queue.findIndex((q) => q.seq > entry.seq);
        this.#queue.splice(at === -1 ? this.#queue.length : at, 0, entry);
      }
      return false;
    }
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#ready && this.#queue.length > 0) {
        const entry = this.#queue.shift()!;
        if (entry.requestId !== undefined && !this.#pending.has(entry.requestId)) continue; // cancelled
        if (!(await this.#write(entry))) break;
      }
    } finally {
      this.#flushing = false;
    }
  }

  // --- inbound (M2, M5) ---

  readonly #middleware: XmppJsMiddleware = (context, next) => {
    if (this.#disposed) return next();
    const stanza = context.stanza;
    this.#liveness?.touch();
    if (!STANZAS.has(stanza.name)) return next();
    if (!stanza.attrs.xmlns) stanza.attrs.xmlns = NS.CLIENT;
    if (stanza.name === 'iq' && this.#pending.handleReply(stanza)) return undefined; // M2
    if (this.#handlers.dispatch(stanza, this.#logger)) {
      // xmpp.js's iqCallee (earlier in the chain) answers every get/set whose `next()`
      // settles; a claimed request is answered by its handler, so never settle it.
      const type = stanza.attrs.type;
      if (stanza.name === 'iq' && (type === 'get' || type === 'set')) return new Promise<never>(() => {});
      return undefined;
    }
    this.events.emit('stanza', { stanza });
    return next();
  };

  #onNonza(el: Element): void {
    try {
      if (el.name === 'stream:features' || (el.getName() === 'features' && el.getNS() === NS.STREAM)) {
        this.#smOffered = el.getChild('sm', NS.SM) !== undefined;
      } else if (this.#gated && el.getNS() === NS.SM && (el.name === 'enabled' || el.name === 'failed')) {
        // M4: xmpp.js resets its inbound counter a few microtasks after <enabled/>; open
        // the gate only after that has run.
        yieldToEventLoop(() => {
          if (!this.#gated) return;
          this.#gated = false;
          this.#becomeReady(true);
        });
      }
    } catch (error) {
      this.#logger.error('nonza handling failed', { error });
    }
  }

  // --- lifecycle ---

  #onXmppStatus(status: string): void {
    if (this.#disposed) return;
    if (CONNECTING.has(status)) {
      this.#stopped = false;
      this.#startStuckTimer();
      if (this.#status !== 'online') this.#setStatus('connecting');
    } else if (status === 'closing' || status === 'disconnecting' || status === 'close') {
      this.#ready = false;
      this.#clearTimer('ping');
    }
  }

  #onOnline(rawJid: unknown): void {
    if (this.#disposed) return;
    if (this.#sessionLive) {
      this.#destroySession(new DisconnectedError('The session could not be resumed'), true);
    }
    this.#pending.rejectAll(new DisconnectedError('A new session replaced the one the request was sent on'), 'sent');
    this.#jid = JID.tryParse(String(rawJid ?? this.client.jid ?? '')) ?? this.#jid;
    const sm = smOf(this.client);
    if (this.#smOffered && sm && !sm.enabled) {
      this.#gated = true; // M4: wait for <enabled/> or <failed/>
      return;
    }
    this.#becomeReady(true);
  }

  #becomeReady(newSession: boolean): void {
    if (this.#disposed) return;
    this.#clearTimer('stuck');
    this.#reconnect.reset();
    this.#ready = true;
    this.#setStatus('online');
    if (newSession && this.#jid) {
      this.#sessionLive = true;
      // What `established` listeners send (rejoins) goes before what was queued during the outage.
      const outage = this.#queue;
      this.#queue = [];
      this.events.emit('established', { jid: this.#jid });
      this.#queue.push(...outage);
    }
    this.#liveness?.start();
    void this.#flush();
  }

  #onDisconnect(reason: unknown): void {
    if (this.#disposed) return;
    this.#ready = false;
    this.#gated = false;
    this.#clearTimer('stuck');
    this.#clearTimer('ping');
    const willReconnect = !this.#stopping;
    if (this.#sessionLive && (!smOf(this.client)?.id || !willReconnect)) {
      this.#destroySession(reason === undefined ? undefined : toError(reason), willReconnect);
    }
    if (!willReconnect) return; // 'offline' follows
    this.#setStatus('disconnected');
    this.#scheduleReconnect();
  }

  #onOffline(): void {
    if (this.#disposed) return;
    this.#stopping = false;
    this.#stopped = true;
    this.#ready = false;
    this.#gated = false;
    this.#clearTimers();
    if (this.#sessionLive) this.#destroySession(new DisconnectedError('The connection was stopped'), false);
    this.#pending.rejectAll(new DisconnectedError('The connection was stopped'));
    if (this.#queue.length > 0) this.#logger.warn('connection stopped; queued stanzas dropped', { count: this.#queue.length });
    this.#queue = [];
    this.#setStatus('offline');
  }

  #destroySession(reason: Error | undefined, willReconnect: boolean): void {
    this.#sessionLive = false;
    this.#pending.rejectAll(new DisconnectedError('The session was destroyed', { cause: reason }));
    this.events.emit('destroyed', { reason, willReconnect });
  }

  // --- reconnect (M10) and watchdogs (M3) ---

  #scheduleReconnect(): void {
    if (this.#stopping || this.#stopped || this.#disposed || this.#reconnect.scheduled) return;
    const delay = this.#reconnect.schedule(() => this.#attemptReconnect());
    this.#logger.debug('reconnect scheduled', { delay, attempt: this.#reconnect.attempts });
  }

  #attemptReconnect(): void {
    const client = this.client;
    if (client.status !== 'disconnect' || this.#stopping || this.#stopped || this.#disposed) return;
    let attempt: Promise<unknown>;
    try {
      const reconnect = reconnectOf(client);
      if (reconnect) attempt = reconnect.reconnect();
      else {
        const { service, domain, lang } = client.options;
        attempt = (async () => {
          await client.connect?.(service);
          await client.open?.({ domain, lang });
        })();
      }
    } catch (e) {
      attempt = Promise.reject(e);
    }
    attempt.catch((error: unknown) => {
      this.#reportError('reconnect attempt failed', error);
      // A failed socket goes back to 'disconnect' (retried there); one stuck in 'opening'
      // is left to the connect watchdog.
      if (client.status === 'disconnect') this.#scheduleReconnect();
    });
  }

  #startStuckTimer(): void {
    if (this.#stuckTimer !== undefined || this.#connectTimeoutMs === 0) return;
    this.#stuckTimer = this.#clock.setTimeout(() => {
      this.#stuckTimer = undefined;
      this.#reportError('connection attempt stuck', new TimeoutError(`Not online after ${this.#connectTimeoutMs} ms`));
      if (!this.#killSocket() && this.client.status === 'disconnect') this.#scheduleReconnect();
    }, this.#connectTimeoutMs);
  }

  /** The liveness probe: an XEP-0199 ping to the server (any inbound traffic counts as its answer). */
  #ping(): void {
    const domain = this.#jid?.domain;
    if (!this.#ready || domain === undefined) return;
    this.#pingAbort?.abort();
    const abort = new AbortController();
    this.#pingAbort = abort;
    const iq = new Element('iq', { type: 'get', to: domain }).c('ping', { xmlns: NS.PING }).up();
    this.request(iq, { timeoutMs: this.#pingTimeoutMs, signal: abort.signal }).catch(() => {}); // judged by Liveness
  }

  /** Nothing arrived within `pingTimeoutMs` of a ping. */
  #dead(): void {
    const error = new TimeoutError(`No reply to a ping within ${this.#pingTimeoutMs} ms`);
    this.#reportError('server ping timed out; dropping the socket to resume', error);
    this.#killSocket();
  }

  /** Drop the socket abruptly (no `</stream:stream>`), so that the session stays resumable. */
  #killSocket(): boolean {
    const socket = this.client.socket;
    if (!socket) return false;
    try {
      if (typeof socket.destroy === 'function') socket.destroy();
      else if (socket.socket?.terminate) socket.socket.terminate();
      else socket.socket?.close?.();
      return true;
    } catch (error) {
      this.#reportError('destroying the socket failed', error);
      return false;
    }
  }

  #clearTimer(which: 'stuck' | 'ping' | 'reconnect'): void {
    if (which === 'stuck' && this.#stuckTimer !== undefined) {
      this.#clock.clearTimeout(this.#stuckTimer);
      this.#stuckTimer = undefined;
    } else if (which === 'ping') {
      this.#liveness?.stop();
      this.#pingAbort?.abort();
      this.#pingAbort = undefined;
    } else if (which === 'reconnect') {
      this.#reconnect.cancel();
    }
  }

  #clearTimers(): void {
    this.#clearTimer('stuck');
    this.#clearTimer('ping');
    this.#clearTimer('reconnect');
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.events.emit('status', { status });
  }

  #reportError(message: string, error: unknown): void {
    const e = toError(error);
    this.#logger.warn(message, { error: e });
    this.events.emit('error', { error: e });
  }

  #listen(target: XmppJsClient | XmppJsStreamManagement, into: [string, XmppJsListener][], map: Record<string, XmppJsListener>): void {
    for (const [event, fn] of Object.entries(map)) {
      const safe: XmppJsListener = (...args) => {
        try {
          fn(...args);
        } catch (error) {
          this.#logger.error(`handling xmpp.js '${event}' failed`, { error });
        }
      };
      target.on(event, safe);
      into.push([event, safe]);
    }
  }
}
