import type { Clock, TimerHandle } from '../core/clock.js';

/**
 * Detects a dead stream on ONE timer: when nothing was received for `intervalMs`, `probe()` is
 * called (send `<r/>` or a ping); when still nothing was received `timeoutMs` later, `onDead()`.
 * Receiving anything (`touch()`, one boolean store per element) proves the stream alive.
 * @internal
 */
export class Liveness {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #probe: () => void;
  readonly #onDead: () => void;
  #timer: TimerHandle | undefined;
  #touched = false;

  constructor(clock: Clock, intervalMs: number, timeoutMs: number, probe: () => void, onDead: () => void) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
    this.#probe = probe;
    this.#onDead = onDead;
  }

  /** Something was received. */
  touch(): void {
    this.#touched = true;
  }

  /** Start watching (restarts when already running). */
  start(): void {
    this.stop();
    this.#touched = false;
    this.#timer = this.#clock.setTimeout(() => this.#idleCheck(), this.#intervalMs);
  }

  /** Stop watching; clears the timer. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #idleCheck(): void {
    this.#timer = undefined;
    if (this.#touched) {
      this.#touched = false;
      this.#timer = this.#clock.setTimeout(() => this.#idleCheck(), this.#intervalMs);
      return;
    }
    this.#timer = this.#clock.setTimeout(() => this.#deadline(), this.#timeoutMs);
    this.#probe();
  }

  #deadline(): void {
    this.#timer = undefined;
    if (this.#touched) {
      this.#touched = false;
      this.#timer = this.#clock.setTimeout(() => this.#idleCheck(), this.#intervalMs);
      return;
    }
    this.#onDead();
  }
}
