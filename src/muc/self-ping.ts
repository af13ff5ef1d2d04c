/** XEP-0410 MUC self-ping: notice that a silent room has dropped us. */
import { checkDuration } from '../core/abort.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { XmppConnection } from '../core/connection.js';
import { TypedEmitter } from '../core/emitter.js';
import {
  AbortError,
  DisconnectedError,
  InvalidArgumentError,
  StanzaError,
  type StanzaErrorCondition,
  TimeoutError,
  toError,
} from '../core/errors.js';
import type { JID } from '../core/jid.js';
import type { Logger } from '../core/logger.js';
import { AlivenessMonitor } from '../ping/aliveness.js';
import { ping } from '../ping/ping.js';

/** Timing of the self-ping (all in milliseconds). */
export interface SelfPingOptions {
  /** Silence from the room after which pinging starts (default 13 minutes). */
  softTimeoutMs?: number | undefined;
  /** Silence from the room after which it is marked `stale` (default 15 minutes). */
  hardTimeoutMs?: number | undefined;
  /** Time between the sending of two pings while pinging (default 2 minutes; > 0). */
  pingIntervalMs?: number | undefined;
  /** How long one ping waits for its reply (default 8 minutes). */
  pingTimeoutMs?: number | undefined;
}

/** The defaults of {@link SelfPingOptions} (aioxmpp's: 13, 15, 2 and 8 minutes). */
export const SELF_PING_DEFAULTS: Readonly<Required<{ [K in keyof SelfPingOptions]: number }>> = Object.freeze({
  softTimeoutMs: 13 * 60_000,
  hardTimeoutMs: 15 * 60_000,
  pingIntervalMs: 2 * 60_000,
  pingTimeoutMs: 8 * 60_000,
});

/** What the pinger needs from its room. */
export interface SelfPingHost {
  /** The connection the pings are sent on. */
  readonly connection: XmppConnection;
  /** The clock every timer uses. */
  readonly clock: Clock;
  /** Where results and problems are logged. */
  readonly logger: Logger;
  /** Our occupant JID in the room (`room@service/nick`), or `undefined` when not known. */
  occupantJid(): JID | undefined;
}

/**
 * How XEP-0410 §3.2 reads a self-ping reply: `joined` (a result, or `service-unavailable` /
 * `feature-not-implemented`: the pinged client just does not answer pings), `not-joined`
 * (`not-acceptable` and any other stanza error), `inconclusive` (`item-not-found`, a
 * `remote-server-*` error, a timeout, or no stanza error at all).
 */
export type SelfPingOutcome = 'joined' | 'not-joined' | 'inconclusive';

const JOINED: ReadonlySet<StanzaErrorCondition> = new Set(['service-unavailable', 'feature-not-implemented']);
const INCONCLUSIVE: ReadonlySet<StanzaErrorCondition> = new Set(['item-not-found', 'remote-server-not-found', 'remote-server-timeout']);

/**
 * Classify how a self-ping failed ({@link SelfPingOutcome}). `item-not-found` (the XEP: our
 * nick was just changed by another client of ours) is inconclusive, as in aioxmpp: the next
 * ping decides. Errors that are not stanza errors (`TimeoutError`, `DisconnectedError`, ...)
 * are inconclusive.
 */
export function classifySelfPingError(error: unknown): SelfPingOutcome {
  if (!(error instanceof StanzaError)) return 'inconclusive';
  if (JOINED.has(error.condition)) return 'joined';
  if (INCONCLUSIVE.has(error.condition)) return 'inconclusive';
  return 'not-joined';
}

/** Events of a {@link SelfPing}. */
export interface SelfPingEvents {
  /** The room was silent for `hardTimeoutMs`. At most once per silence. */
  stale: {
    /** How long the room has been silent, in milliseconds. */
    silentForMs: number;
  };
  /** After `stale`: room traffic or a positive self-ping confirmed that we are still joined. */
  fresh: {
    /** How long the silence lasted, in milliseconds. */
    silentForMs: number;
  };
  /**
   * A self-ping says we are no longer joined. Pinging has stopped: exit the room
   * (`LeaveMode.DISCONNECTED`) or rejoin, then `start()` again once presence sync began.
   */
  gone: {
    /** The error the room answered with. */
    error: StanzaError;
  };
  /** Informational: one self-ping finished. */
  pinged: {
    /** How XEP-0410 reads the reply. */
    outcome: SelfPingOutcome;
    /** The error, when the ping did not get a result. */
    error: Error | undefined;
    /** Time from sending to the reply, in milliseconds. */
    elapsedMs: number;
  };
}

/**
 * The XEP-0410 self-ping of one room (aioxmpp's `MUCMonitor` and `MUCPinger`). Once
 * started, an {@link AlivenessMonitor} watches the room: after `softTimeoutMs` of silence
 * our own occupant JID is pinged (an XEP-0199 `<ping/>` waiting at most `pingTimeoutMs`),
 * then again `pingIntervalMs` after the previous ping was sent, or when it finished if that
 * is later: one ping is in flight at most. After `hardTimeoutMs` of silence, `stale`.
 *
 * A reply is read with {@link classifySelfPingError}: `joined` ends the silence (as room
 * traffic does: pinging stops, `fresh` if stale); `not-joined` stops everything and emits
 * `gone`; `inconclusive` keeps pinging. {@link SelfPing.reset} is called on every presence
 * or message from the room. {@link SelfPing.stop} clears every timer and aborts the ping
 * in flight; a stale room then gets no `fresh` (the room suspends or exits instead).
 *
 * @example
 * ```ts
 * const selfPing = new SelfPing({ connection, clock, logger, occupantJid: () => room.me?.jid });
 * selfPing.on('gone', ({ error }) => rejoinOrExit(error));
 * selfPing.start(); // once presence sync began
 * ```
 */
export class SelfPing extends TypedEmitter<SelfPingEvents> {
  readonly #host: SelfPingHost;
  readonly #softTimeoutMs: number;
  readonly #hardTimeoutMs: number;
  readonly #pingIntervalMs: number;
  readonly #pingTimeoutMs: number;
  #monitor: AlivenessMonitor | undefined;
  #pinging = false;
  #timer: TimerHandle | undefined;
  #inFlight: AbortController | undefined;
  #lastSentAt = 0;

  /** Throws `InvalidArgumentError` for a negative or non-finite duration, or a zero interval. */
  constructor(host: SelfPingHost, options: SelfPingOptions = {}) {
    super({ logger: host.logger, clock: host.clock });
    for (const key of Object.keys(SELF_PING_DEFAULTS) as (keyof SelfPingOptions)[]) checkDuration(key, options[key]);
    this.#host = host;
    this.#softTimeoutMs = options.softTimeoutMs ?? SELF_PING_DEFAULTS.softTimeoutMs;
    this.#hardTimeoutMs = options.hardTimeoutMs ?? SELF_PING_DEFAULTS.hardTimeoutMs;
    this.#pingIntervalMs = options.pingIntervalMs ?? SELF_PING_DEFAULTS.pingIntervalMs;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? SELF_PING_DEFAULTS.pingTimeoutMs;
    if (this.#pingIntervalMs === 0) throw new InvalidArgumentError('pingIntervalMs must be > 0');
  }

  /** The timing in use (defaults filled in). */
  get options(): Readonly<Required<{ [K in keyof SelfPingOptions]: number }>> {
    return {
      softTimeoutMs: this.#softTimeoutMs,
      hardTimeoutMs: this.#hardTimeoutMs,
      pingIntervalMs: this.#pingIntervalMs,
      pingTimeoutMs: this.#pingTimeoutMs,
    };
  }

  /** Whether the pinger is started. */
  get running(): boolean {
    return this.#monitor !== undefined;
  }

  /** Whether the room is stale (`stale` emitted, no `fresh` since). */
  get stale(): boolean {
    return this.#monitor?.hardTripped ?? false;
  }

  /** Whether a self-ping is in flight. */
  get pingInFlight(): boolean {
    return this.#inFlight !== undefined;
  }

  /**
   * Start watching the room; silence is measured from now. Call only once presence sync has
   * begun. Does nothing when already started.
   */
  start(): void {
    if (this.#monitor) return;
    const monitor = new AlivenessMonitor({
      softTimeoutMs: this.#softTimeoutMs,
      hardTimeoutMs: this.#hardTimeoutMs,
      clock: this.#host.clock,
      logger: this.#host.logger,
    });
    monitor.on('softTimeout', () => this.#startPinging());
    monitor.on('hardTimeout', ({ silentForMs }) => {
      this.#host.logger.info('room stale', { silentForMs });
      this.emit('stale', { silentForMs });
    });
    monitor.on('fresh', ({ silentForMs }) => {
      this.#host.logger.info('room fresh again', { silentForMs });
      this.emit('fresh', { silentForMs });
    });
    this.#monitor = monitor;
  }

  /**
   * Traffic from the room (any presence or message): we are joined. Stops pinging, restarts
   * the silence, and emits `fresh` when stale. Does nothing when not started.
   */
  reset(): void {
    if (!this.#monitor) return;
    this.#stopPinging();
    this.#monitor.notifyReceived();
  }

  /** Stop: clear every timer, abort the ping in flight. No event is emitted. */
  stop(): void {
    this.#stopPinging();
    this.#monitor?.close();
    this.#monitor = undefined;
  }

  #startPinging(): void {
    if (this.#pinging) return;
    this.#pinging = true;
    this.#host.logger.debug('room silent: self-ping starts');
    this.#sendPing();
  }

  #stopPinging(): void {
    this.#pinging = false;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    inFlight?.abort();
  }

  #sendPing(): void {
    this.#timer = undefined;
    if (!this.#pinging || this.#inFlight) return;
    this.#lastSentAt = this.#host.clock.now();
    const to = this.#host.occupantJid();
    if (!to) {
      this.#host.logger.debug('self-ping skipped: occupant JID unknown');
      this.#scheduleNext();
      return;
    }
    const controller = new AbortController();
    this.#inFlight = controller;
    const sentAt = this.#lastSentAt;
    ping(this.#host.connection, to, { timeoutMs: this.#pingTimeoutMs, signal: controller.signal }).then(
      () => this.#onReply(controller, sentAt, undefined),
      (error: unknown) => this.#onReply(controller, sentAt, toError(error)),
    );
  }

  #onReply(controller: AbortController, sentAt: number, error: Error | undefined): void {
    if (this.#inFlight !== controller) return; // stopped or reset meanwhile
    this.#inFlight = undefined;
    if (error instanceof AbortError) return;
    const outcome = error === undefined ? 'joined' : classifySelfPingError(error);
    const elapsedMs = this.#host.clock.now() - sentAt;
    const logger = this.#host.logger;
    this.emit('pinged', { outcome, error, elapsedMs });
    if (!this.#pinging) return; // a listener reset or stopped us
    if (outcome === 'joined') {
      logger.debug('self-ping: still joined', { elapsedMs, condition: (error as StanzaError | undefined)?.condition });
      this.reset();
    } else if (outcome === 'not-joined') {
      logger.warn('self-ping: no longer joined', { error });
      this.stop();
      this.emit('gone', { error: error as StanzaError });
    } else {
      const expected = error instanceof StanzaError || error instanceof TimeoutError || error instanceof DisconnectedError;
      if (expected) logger.debug('self-ping inconclusive', { error });
      else logger.warn('self-ping failed', { error });
      this.#scheduleNext();
    }
  }

  #scheduleNext(): void {
    const delay = Math.max(0, this.#lastSentAt + this.#pingIntervalMs - this.#host.clock.now());
    this.#timer = this.#host.clock.setTimeout(() => this.#sendPing(), delay);
  }
}
