/** When and how often to rejoin a room that dropped us: the retry decision and its backoff. */
import { checkDuration } from '../core/abort.js';
// The shared backoff (also used by the connection's reconnect): keep this import the only one.
import { backoffDelay } from '../connection/reconnect.js';
import type { Clock, TimerHandle } from '../core/clock.js';
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
import type { Logger } from '../core/logger.js';
import { LeaveMode } from './constants.js';
import { MucJoinError } from './join-error.js';

/**
 * Why a rejoin is considered: how the room removed us (a {@link LeaveMode}), or the error a
 * join or rejoin attempt failed with.
 */
export type RejoinReason = LeaveMode | Error;

/** Removals after which a rejoin may succeed. */
const RETRY_MODES: ReadonlySet<LeaveMode> = new Set<LeaveMode>([LeaveMode.ERROR, LeaveMode.DISCONNECTED, LeaveMode.SYSTEM_SHUTDOWN]);

/** Join errors that are about the service's state, not about us. */
const RETRY_CONDITIONS: ReadonlySet<StanzaErrorCondition> = new Set<StanzaErrorCondition>([
  'resource-constraint',
  'service-unavailable',
  'internal-server-error',
  'remote-server-not-found',
  'remote-server-timeout',
]);

/** Join errors that waiting cannot fix, whatever their error type says. */
const NEVER_CONDITIONS: ReadonlySet<StanzaErrorCondition> = new Set<StanzaErrorCondition>([
  'forbidden', // banned
  'conflict', // nick in use
  'not-authorized', // password
  'registration-required', // members-only
]);

/**
 * Whether a rejoin should be retried after `reason`. A pure decision:
 *
 * - retried: a removal by error (333, `LeaveMode.ERROR`), by a service shutdown (332) or by
 *   a lost session (`DISCONNECTED`); a `TimeoutError` or `DisconnectedError`; a join error
 *   (`MucJoinError` or `StanzaError`) `resource-constraint`, `service-unavailable` (also a
 *   full room), `internal-server-error`, `remote-server-not-found`, `remote-server-timeout`,
 *   or any other error of type `wait` (RFC 6120: retry after waiting);
 * - never retried: a ban (301), a kick (307), a removal by affiliation or membership change
 *   (321, 322), a destroyed room, a normal leave; a nick conflict (someone else holds the
 *   nick: waiting does not free it, the application picks another nick), a wrong or missing
 *   password, members-only, a ban at join; an `AbortError` (the caller cancelled); any other
 *   error.
 */
export function shouldRetry(reason: RejoinReason): boolean {
  if (typeof reason === 'string') return RETRY_MODES.has(reason);
  if (reason instanceof TimeoutError || reason instanceof DisconnectedError) return true;
  const stanzaError = reason instanceof MucJoinError ? reason.cause : reason instanceof StanzaError ? reason : undefined;
  if (!stanzaError || NEVER_CONDITIONS.has(stanzaError.condition)) return false;
  return RETRY_CONDITIONS.has(stanzaError.condition) || stanzaError.type === 'wait';
}

/** Limits of the rejoin retries. */
export interface RejoinPolicyOptions {
  /** Rejoin attempts after one trigger before giving up (default 10; `Infinity`: never give up). */
  maxAttempts?: number | undefined;
  /** Backoff base: the first delay is between half of it and all of it (default 1 s). */
  baseDelayMs?: number | undefined;
  /** Cap of one delay (default 5 minutes). */
  maxDelayMs?: number | undefined;
  /**
   * A rejoin counts as a lasting success only after the room kept us this long (default
   * 1 minute): a trigger sooner than that continues the backoff and the attempt count instead
   * of starting over, so a room that accepts each rejoin and drops us again at once is not
   * rejoined in a tight loop forever.
   */
  stableAfterMs?: number | undefined;
  /** Jitter source in `[0, 1)` (default `Math.random`; fixed in tests). */
  random?: (() => number) | undefined;
}

/** The defaults of {@link RejoinPolicyOptions}. */
export const REJOIN_POLICY_DEFAULTS = Object.freeze({ maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000, stableAfterMs: 60_000 });

/** What the retrier needs from its room. */
export interface RejoinHost {
  /** The clock every delay uses. */
  readonly clock: Clock;
  /** Where attempts and failures are logged. */
  readonly logger: Logger;
  /**
   * One rejoin attempt with the room's nick, password and options. Resolves when joined;
   * rejects with why not. `signal` aborts when the retries are cancelled.
   */
  rejoin(signal: AbortSignal): Promise<void>;
}

/** Events of a {@link RejoinRetrier}. */
export interface RejoinEvents {
  /** A rejoin attempt is scheduled. */
  retrying: {
    /** The attempt number, from 1. */
    attempt: number;
    /** The delay before the attempt, in milliseconds. */
    delayMs: number;
    /** What triggered it: the first reason, then the previous attempt's error. */
    reason: RejoinReason;
  };
  /** A rejoin attempt failed (the room's `rejoinFailed`). */
  failed: {
    /** Why the attempt failed. */
    error: Error;
    /** The attempt number, from 1. */
    attempt: number;
    /** Whether another attempt is scheduled; `false`: the retries are over. */
    willRetry: boolean;
  };
  /** A rejoin attempt succeeded; the retries are over. */
  rejoined: {
    /** How many attempts it took. */
    attempts: number;
  };
}

/**
 * Rejoins a room after a removal or a failed rejoin, with exponential backoff and full
 * jitter (`backoffDelay`) on the host's clock, up to `maxAttempts` attempts, reporting each
 * failure (`failed`). {@link RejoinRetrier.handle} decides with {@link shouldRetry}; so does
 * each failed attempt, so a ban found while rejoining ends the retries at once.
 *
 * @example
 * ```ts
 * const retrier = new RejoinRetrier({ clock, logger, rejoin: (signal) => room.rejoin({ signal }) });
 * retrier.on('failed', ({ error, willRetry }) => { if (!willRetry) exitRoom(error); });
 * if (!retrier.handle(LeaveMode.ERROR)) exitRoom();
 * ```
 */
export class RejoinRetrier extends TypedEmitter<RejoinEvents> {
  readonly #host: RejoinHost;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #stableAfterMs: number;
  readonly #random: () => number;
  #attempt = 0;
  #rejoinedAt: number | undefined;
  #active = false;
  #timer: TimerHandle | undefined;
  #inFlight: AbortController | undefined;

  /** Throws `InvalidArgumentError` for a bad limit. */
  constructor(host: RejoinHost, options: RejoinPolicyOptions = {}) {
    super({ logger: host.logger, clock: host.clock });
    checkDuration('baseDelayMs', options.baseDelayMs);
    checkDuration('maxDelayMs', options.maxDelayMs);
    checkDuration('stableAfterMs', options.stableAfterMs);
    const maxAttempts = options.maxAttempts ?? REJOIN_POLICY_DEFAULTS.maxAttempts;
    if (!(maxAttempts === Infinity || (Number.isInteger(maxAttempts) && maxAttempts >= 0))) {
      throw new InvalidArgumentError(`maxAttempts must be an integer >= 0 or Infinity, got ${String(maxAttempts)}`);
    }
    this.#host = host;
    this.#maxAttempts = maxAttempts;
    this.#baseDelayMs = options.baseDelayMs ?? REJOIN_POLICY_DEFAULTS.baseDelayMs;
    this.#maxDelayMs = options.maxDelayMs ?? REJOIN_POLICY_DEFAULTS.maxDelayMs;
    this.#stableAfterMs = options.stableAfterMs ?? REJOIN_POLICY_DEFAULTS.stableAfterMs;
    this.#random = options.random ?? Math.random;
  }

  /** Whether retries are under way (an attempt scheduled or running). */
  get active(): boolean {
    return this.#active;
  }

  /** Attempts made or scheduled in the current series (see `stableAfterMs`). */
  get attempts(): number {
    return this.#attempt;
  }

  /**
   * The room removed us, or a join or rejoin failed, for `reason`. Returns whether a rejoin
   * is scheduled: `false` when `reason` is not retried or the attempts are used up. While
   * retries are under way, a retryable reason changes nothing (returns `true`) and one that
   * is not cancels them (returns `false`, no event).
   */
  handle(reason: RejoinReason): boolean {
    if (!shouldRetry(reason)) {
      this.cancel();
      return false;
    }
    if (this.#active) return true;
    const recent = this.#rejoinedAt !== undefined && this.#host.clock.now() - this.#rejoinedAt < this.#stableAfterMs;
    if (!recent) this.#attempt = 0;
    this.#rejoinedAt = undefined;
    if (this.#attempt >= this.#maxAttempts) {
      this.#host.logger.warn('rejoin attempts used up', { attempts: this.#attempt });
      return false;
    }
    this.#active = true;
    this.#schedule(reason);
    return true;
  }

  /** Stop retrying: clear the pending delay and abort the attempt in flight. No event. */
  cancel(): void {
    this.#active = false;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    inFlight?.abort(new AbortError('Rejoin retries cancelled'));
  }

  #schedule(reason: RejoinReason): void {
    const attempt = ++this.#attempt;
    const delayMs = backoffDelay(attempt - 1, this.#baseDelayMs, this.#maxDelayMs, this.#random);
    this.#host.logger.info('rejoin scheduled', { attempt, delayMs });
    this.#timer = this.#host.clock.setTimeout(() => this.#run(attempt), delayMs);
    this.emit('retrying', { attempt, delayMs, reason });
  }

  #run(attempt: number): void {
    this.#timer = undefined;
    const controller = new AbortController();
    this.#inFlight = controller;
    let result: Promise<void>;
    try {
      result = this.#host.rejoin(controller.signal);
    } catch (error) {
      result = Promise.reject(toError(error));
    }
    result.then(
      () => this.#settled(controller, attempt, undefined),
      (error: unknown) => this.#settled(controller, attempt, toError(error)),
    );
  }

  #settled(controller: AbortController, attempt: number, error: Error | undefined): void {
    if (this.#inFlight !== controller) return; // cancelled meanwhile
    this.#inFlight = undefined;
    if (error === undefined) {
      this.#active = false;
      this.#rejoinedAt = this.#host.clock.now();
      this.#host.logger.info('rejoined', { attempts: attempt });
      this.emit('rejoined', { attempts: attempt });
      return;
    }
    const willRetry = attempt < this.#maxAttempts && shouldRetry(error);
    this.#host.logger.warn('rejoin failed', { attempt, willRetry, error });
    if (!willRetry) this.#active = false;
    this.emit('failed', { error, attempt, willRetry });
    // A listener may have cancelled (or restarted) the retries.
    if (willRetry && this.#active && this.#attempt === attempt && this.#timer === undefined && !this.#inFlight) this.#schedule(error);
  }
}
