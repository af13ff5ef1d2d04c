import { checkDuration } from '../core/abort.js';
import { type Clock, type TimerHandle, systemClock } from '../core/clock.js';
import { TypedEmitter } from '../core/emitter.js';
import { type Logger, silentLogger } from '../core/logger.js';

/** Events of an {@link AlivenessMonitor}. */
export interface AlivenessEvents {
  /** Nothing was received for `softTimeoutMs`. Emitted once per silence. */
  softTimeout: {
    /** How long nothing has been received, in milliseconds. */
    silentForMs: number;
  };
  /** Nothing was received for `hardTimeoutMs`: the source is stale. Emitted once per silence. */
  hardTimeout: {
    /** How long nothing has been received, in milliseconds. */
    silentForMs: number;
  };
  /** Something was received after `hardTimeout` fired: the stale period is over. */
  fresh: {
    /** How long the silence lasted, in milliseconds. */
    silentForMs: number;
  };
}

/** Options of an {@link AlivenessMonitor}. */
export interface AlivenessOptions {
  /** Silence after which `softTimeout` fires; `undefined` disables it. */
  softTimeoutMs?: number | undefined;
  /** Silence after which `hardTimeout` fires; `undefined` disables it. */
  hardTimeoutMs?: number | undefined;
  /** Source of time (default: the system clock). */
  clock?: Clock | undefined;
  /** Where listener failures are reported. */
  logger?: Logger | undefined;
}

interface Limit {
  ms: number | undefined;
  timer: TimerHandle | undefined;
  tripped: boolean;
}

/**
 * Watches a source of traffic for silence, on two independent limits (aioxmpp's
 * `AlivenessMonitor`): `softTimeout` fires once when nothing was received for
 * `softTimeoutMs`, `hardTimeout` once when nothing was received for `hardTimeoutMs`.
 * {@link AlivenessMonitor.notifyReceived} ends the silence: both limits are re-armed and,
 * when `hardTimeout` had fired, `fresh` is emitted. Silence is measured from construction,
 * then from the last `notifyReceived`.
 *
 * `notifyReceived` is cheap (it stores the time): a firing timer that finds traffic since it
 * was armed re-arms itself for the remaining time instead. A monitor whose limits both fired
 * holds no timer; {@link AlivenessMonitor.close} clears every timer for good.
 *
 * @example
 * ```ts
 * const monitor = new AlivenessMonitor({ softTimeoutMs: 60_000, hardTimeoutMs: 90_000 });
 * monitor.on('softTimeout', () => sendProbe());
 * monitor.on('hardTimeout', () => markStale());
 * connection.addHandler(() => { monitor.notifyReceived(); return false; });
 * ```
 */
export class AlivenessMonitor extends TypedEmitter<AlivenessEvents> {
  readonly #clock: Clock;
  readonly #soft: Limit;
  readonly #hard: Limit;
  #lastReceived: number;
  #closed = false;

  constructor(options: AlivenessOptions = {}) {
    super({ logger: options.logger ?? silentLogger, clock: options.clock ?? systemClock });
    checkDuration('softTimeoutMs', options.softTimeoutMs);
    checkDuration('hardTimeoutMs', options.hardTimeoutMs);
    this.#clock = options.clock ?? systemClock;
    this.#lastReceived = this.#clock.now();
    this.#soft = { ms: options.softTimeoutMs, timer: undefined, tripped: false };
    this.#hard = { ms: options.hardTimeoutMs, timer: undefined, tripped: false };
    this.#arm(this.#soft, 'softTimeout');
    this.#arm(this.#hard, 'hardTimeout');
  }

  /** The soft limit in milliseconds (`undefined`: disabled). Setting it re-checks at once. */
  get softTimeoutMs(): number | undefined {
    return this.#soft.ms;
  }

  set softTimeoutMs(value: number | undefined) {
    this.#setLimit(this.#soft, 'softTimeout', 'softTimeoutMs', value);
  }

  /** The hard limit in milliseconds (`undefined`: disabled). Setting it re-checks at once. */
  get hardTimeoutMs(): number | undefined {
    return this.#hard.ms;
  }

  set hardTimeoutMs(value: number | undefined) {
    this.#setLimit(this.#hard, 'hardTimeout', 'hardTimeoutMs', value);
  }

  /** Whether `softTimeout` fired during the current silence. */
  get softTripped(): boolean {
    return this.#soft.tripped;
  }

  /** Whether `hardTimeout` fired during the current silence (the source is stale). */
  get hardTripped(): boolean {
    return this.#hard.tripped;
  }

  /** When something was last received (or the monitor was created), on the clock. */
  get lastReceived(): number {
    return this.#lastReceived;
  }

  /** Whether {@link AlivenessMonitor.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Something was received: the silence ends. Re-arms both limits; emits `fresh` when
   * `hardTimeout` had fired. Ignored after `close()`.
   */
  notifyReceived(): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    const silentForMs = now - this.#lastReceived;
    this.#lastReceived = now;
    const wasStale = this.#hard.tripped;
    this.#soft.tripped = false;
    this.#hard.tripped = false;
    // A limit with a pending timer re-arms itself lazily when that timer fires.
    if (this.#soft.timer === undefined) this.#arm(this.#soft, 'softTimeout');
    if (this.#hard.timer === undefined) this.#arm(this.#hard, 'hardTimeout');
    if (wasStale) this.emit('fresh', { silentForMs });
  }

  /** Stop for good: clear every timer; later calls to `notifyReceived` do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm(this.#soft);
    this.#disarm(this.#hard);
  }

  #setLimit(limit: Limit, event: 'softTimeout' | 'hardTimeout', name: string, value: number | undefined): void {
    checkDuration(name, value);
    limit.ms = value;
    this.#disarm(limit);
    // As in aioxmpp, a limit that already fired during this silence does not fire again.
    if (!this.#closed && !limit.tripped) this.#arm(limit, event);
  }

  #arm(limit: Limit, event: 'softTimeout' | 'hardTimeout'): void {
    if (limit.ms === undefined || limit.tripped) return;
    const due = this.#lastReceived + limit.ms;
    const delay = Math.max(0, due - this.#clock.now());
    limit.timer = this.#clock.setTimeout(() => this.#fire(limit, event), delay);
  }

  #disarm(limit: Limit): void {
    if (limit.timer !== undefined) this.#clock.clearTimeout(limit.timer);
    limit.timer = undefined;
  }

  #fire(limit: Limit, event: 'softTimeout' | 'hardTimeout'): void {
    limit.timer = undefined;
    if (this.#closed || limit.ms === undefined || limit.tripped) return;
    const silentForMs = this.#clock.now() - this.#lastReceived;
    if (silentForMs < limit.ms) {
      // Traffic arrived since the timer was armed: wait for the rest of the new silence.
      this.#arm(limit, event);
      return;
    }
    limit.tripped = true;
    this.emit(event, { silentForMs });
  }
}
