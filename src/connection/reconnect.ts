import type { Clock, TimerHandle } from '../core/clock.js';

/**
 * Exponential backoff with jitter: a delay in `[base * 2^attempt / 2, base * 2^attempt]`,
 * capped at `maxMs`.
 * @internal
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Schedules reconnect attempts with exponential backoff, jitter and a cap
 * (`backoffDelay`), on the injected clock. One pending attempt at most.
 * @internal
 */
export class ReconnectScheduler {
  readonly #clock: Clock;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, policy: { baseMs: number; maxMs: number }, random: () => number = Math.random) {
    this.#clock = clock;
    this.#baseMs = policy.baseMs;
    this.#maxMs = policy.maxMs;
    this.#random = random;
  }

  /** How many attempts were scheduled since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** Whether an attempt is scheduled. */
  get scheduled(): boolean {
    return this.#timer !== undefined;
  }

  /** Schedule `run` after the next backoff delay. Returns the delay. */
  schedule(run: () => void): number {
    this.cancel();
    const delay = backoffDelay(this.#attempt++, this.#baseMs, this.#maxMs, this.#random);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      run();
    }, delay);
    return delay;
  }

  /** A session is online again: the next loss starts from the base delay. */
  reset(): void {
    this.#attempt = 0;
  }

  /** Cancel a scheduled attempt. */
  cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
