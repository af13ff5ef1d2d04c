import type { Clock, TimerHandle } from '../core/clock.js';

/**
 * Detects a dead stream on ONE timer: when nothing was received for `intervalMs`, `probe()` is
 * called (send `<r/>` or a ping); when still nothing was received `timeoutMs` later, `onDead()`.
 * Receiving anything (`touch()`) proves the stream alive. Shared by every connection.
 *
 * Two precisions: by default `touch()` is one boolean store per element (the native
 * connection's hot path), and the probe goes out between `intervalMs` and 2 × `intervalMs`
 * after the last element; with `exact`, `touch()` also reads the clock, and the probe goes out
 * exactly `intervalMs` after the last element (the xmpp.js adapter, where one clock read is
 * nothing next to xmpp.js's own cost per element).
 * @internal
 */
export class Liveness {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #probe: () => void;
  readonly #onDead: () => void;
  readonly #exact: boolean;
  #timer: TimerHandle | undefined;
  #touched = false;
  /** With `exact`: when the last element was received (or watching started). */
  #last = 0;

  constructor(
    clock: Clock,
    intervalMs: number,
    timeoutMs: number,
    probe: () => void,
    onDead: () => void,
    options: { exact?: boolean | undefined } = {},
  ) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
    this.#probe = probe;
    this.#onDead = onDead;
    this.#exact = options.exact ?? false;
  }

  /** Something was received. */
  touch(): void {
    this.#touched = true;
    if (this.#exact) this.#last = this.#clock.now();
  }

  /** Start watching (restarts when already running). */
  start(): void {
    this.stop();
    this.#touched = false;
    this.#last = this.#clock.now();
    this.#timer = this.#clock.setTimeout(() => this.#idleCheck(), this.#intervalMs);
  }

  /** Stop watching; clears the timer. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** How long until the stream has been idle for `intervalMs`, given that something was received. */
  #untilIdle(): number {
    return this.#exact ? Math.max(0, this.#last + this.#intervalMs - this.#clock.now()) : this.#intervalMs;
  }

  #idleCheck(): void {
    this.#timer = undefined;
    const wait = this.#exact ? this.#untilIdle() : this.#touched ? this.#intervalMs : 0;
    this.#touched = false;
    if (wait > 0) {
      this.#timer = this.#clock.setTimeout(() => this.#idleCheck(), wait);
      return;
    }
    this.#timer = this.#clock.setTimeout(() => this.#deadline(), this.#timeoutMs);
    this.#probe();
  }

  #deadline(): void {
    this.#timer = undefined;
    if (this.#touched) {
      this.#touched = false;
      this.#timer = this.#clock.setTimeout(() => this.#idleCheck(), this.#untilIdle());
      return;
    }
    this.#onDead();
  }
}
