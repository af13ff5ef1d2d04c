import { type Clock, systemClock, type TimerHandle } from '../core/clock.js';

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
 * Keeps the process alive for about `ms` (a pending reconnect); returns the release.
 * @internal
 */
export type ProcessHold = (ms: number) => () => void;

/**
 * The {@link ProcessHold} of real time: a ref'd no-op timer a little longer than the wait, so
 * a Node process whose only activity is xmuc does not exit while a reconnect is pending
 * (every {@link systemClock} timer is unref'd). Released when the attempt runs or is cancelled.
 * @internal
 */
export const refTimerHold: ProcessHold = (ms) => {
  const t = globalThis.setTimeout(() => {}, ms + 1000);
  return () => globalThis.clearTimeout(t);
};

/** No hold: the default for any clock but {@link systemClock} (fake time holds nothing). @internal */
export const noHold: ProcessHold = () => () => {};

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
  readonly #hold: ProcessHold;
  #timer: TimerHandle | undefined;
  #release: (() => void) | undefined;

  constructor(
    clock: Clock,
    policy: { baseMs: number; maxMs: number },
    random: () => number = Math.random,
    hold: ProcessHold = clock === systemClock ? refTimerHold : noHold,
  ) {
    this.#clock = clock;
    this.#hold = hold;
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
    this.#release = this.#hold(delay);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#unhold();
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
    this.#unhold();
  }

  #unhold(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
