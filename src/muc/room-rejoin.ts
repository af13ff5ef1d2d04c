/**
 * The rejoin retries of a {@link Room}: a removal by error (333), a refused or timed-out
 * rejoin, or a self-ping saying we are out, is retried with a {@link RejoinRetrier}
 * (exponential backoff with jitter, a bounded number of attempts); a ban, a kick, a destroy,
 * a nick conflict... never are ({@link shouldRetry}). Each failed attempt is reported as the
 * room's `rejoinFailed`; when the retries are over the room exits.
 * @internal
 */
import type { TimerHandle } from '../core/clock.js';
import { AbortError, DisconnectedError, TimeoutError } from '../core/errors.js';
import { LeaveMode } from './constants.js';
import { type RejoinPolicyOptions, type RejoinReason, RejoinRetrier } from './rejoin-policy.js';
import { NO_CODES, type RoomContext } from './room-context.js';
import type { RoomEvents } from './room-events.js';

/** How long one rejoin attempt waits for our self-presence. @internal */
export const REJOIN_ATTEMPT_TIMEOUT_MS = 60_000;

/** What the rejoin concern asks of its room. @internal */
export interface RejoinParts {
  /** Suspend the room (DISCONNECTED, `suspend` once per outage); pending operations fail. */
  suspend(): void;
  /** Resume and send the join presence (state cleared, `resume`). */
  resumeAndJoin(): void;
  /** Exit for good with `exit` (the retries are over). */
  exit(exit: RoomEvents['exit'], error: Error): void;
}

/** The attempt in flight: settled by `entered`, `refused`, the stream, a timeout or an abort. */
interface Attempt {
  resolve(): void;
  reject(error: Error): void;
}

/** The rejoin retries of one room. @internal */
export class RoomRejoin {
  readonly #ctx: RoomContext;
  readonly #parts: RejoinParts;
  readonly #retrier: RejoinRetrier;
  #attempt: Attempt | undefined;
  /** The exit the room gets when the retries are over. */
  #lastExit: RoomEvents['exit'] | undefined;

  /** Throws `InvalidArgumentError` for a bad policy. */
  constructor(ctx: RoomContext, options: RejoinPolicyOptions | undefined, parts: RejoinParts) {
    this.#ctx = ctx;
    this.#parts = parts;
    this.#retrier = new RejoinRetrier({ clock: ctx.host.clock, logger: ctx.host.logger, rejoin: (signal) => this.#run(signal) }, options);
    this.#retrier.on('failed', ({ error, attempt, willRetry }) => {
      ctx.emit('rejoinFailed', { error, attempt, willRetry });
      if (!willRetry) this.#giveUp(error);
    });
  }

  /** Whether retries are under way. */
  get active(): boolean {
    return this.#retrier.active;
  }

  /**
   * The room would end with `exit` (a removal presence, or a refused rejoin with `joinError`):
   * returns `true` when a rejoin takes over instead (the room is suspended, or the attempt in
   * flight fails and the retrier decides), `false` to let the room end.
   */
  intercept(exit: RoomEvents['exit'], joinError: Error | undefined): boolean {
    const ctx = this.#ctx;
    if (!ctx.entered || ctx.closed) return false;
    const attempt = this.#attempt;
    if (attempt) {
      this.#lastExit = exit;
      this.#attempt = undefined;
      this.#parts.suspend();
      attempt.reject(joinError ?? new DisconnectedError(`Removed from the room (${exit.mode})`));
      return true;
    }
    const reason: RejoinReason = joinError ?? exit.mode;
    this.#lastExit = exit;
    if (!this.#retrier.handle(reason)) return false;
    this.#parts.suspend();
    return true;
  }

  /** A self-ping says we are out (or another reason to rejoin now): retry per the policy. */
  lost(reason: RejoinReason, exit: RoomEvents['exit']): boolean {
    if (this.#retrier.active) return true;
    this.#lastExit = exit;
    if (!this.#retrier.handle(reason)) return false;
    this.#parts.suspend();
    return true;
  }

  /** Our self-presence arrived: the attempt in flight succeeded. */
  entered(): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.resolve();
  }

  /** The stream is gone: the stream lifecycle rejoins on the next session; the retries stop. */
  cancel(): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    this.#retrier.cancel();
    attempt?.reject(new AbortError('Rejoin retries cancelled'));
  }

  #run(signal: AbortSignal): Promise<void> {
    const ctx = this.#ctx;
    if (ctx.host.connection.status !== 'online') return Promise.reject(new DisconnectedError('The stream is not online'));
    return new Promise<void>((resolve, reject) => {
      const clock = ctx.host.clock;
      let timer: TimerHandle | undefined;
      const done = () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (this.#attempt === attempt) this.#attempt = undefined;
        done();
        reject(new AbortError('Rejoin retries cancelled'));
      };
      const attempt: Attempt = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      timer = clock.setTimeout(() => {
        timer = undefined;
        if (this.#attempt !== attempt) return;
        this.#attempt = undefined;
        this.#parts.suspend();
        attempt.reject(new TimeoutError(`The rejoin timed out after ${REJOIN_ATTEMPT_TIMEOUT_MS} ms`));
      }, REJOIN_ATTEMPT_TIMEOUT_MS);
      this.#attempt = attempt;
      this.#parts.resumeAndJoin();
    });
  }

  #giveUp(error: Error): void {
    const exit = this.#lastExit ?? { occupant: this.#ctx.me, mode: LeaveMode.ERROR, statusCodes: NO_CODES };
    this.#parts.exit(exit, error);
  }
}
