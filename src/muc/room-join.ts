/**
 * The join of a {@link Room}, start to settle: the join presence (first join and every
 * rejoin), the first join's `joined` promise bound to its abort signal and timeout, its
 * success (our self-presence) and its failures (an error presence, abort, timeout, the room
 * ending).
 * @internal
 */
import type { Element } from 'ltx';
import type { AbortOptions } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { AbortError, NotJoinedError, StanzaError, TimeoutError } from '../core/errors.js';
import { LeaveMode, RoomState } from './constants.js';
import { MucJoinError } from './join-error.js';
import type { History } from './payloads/muc.js';
import { NO_CODES, type RoomContext, sendQuietly } from './room-context.js';
import { type Pending, deferred, joinPresence } from './room-stanzas.js';

/** The join of one room. @internal */
export class RoomJoin {
  /** The first join's completion (`MucClient.join()`'s `joined`); never an unhandled rejection. */
  readonly joined: Promise<void>;
  readonly #ctx: RoomContext;
  /** The first join, until it settles; `cleanup` unbinds its signal and timer. */
  #pending: (Pending<void> & { cleanup?: (() => void) | undefined }) | undefined;
  /** The id of the join presence sent on this stream and not answered yet. */
  #id: string | undefined;

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
    const d = deferred<void>();
    d.promise.catch(() => {}); // an ignored `joined` must not crash the process
    this.#pending = d;
    this.joined = d.promise;
  }

  /** Whether a join presence is out and unanswered (leaving must then send an unavailable presence). */
  get inFlight(): boolean {
    return this.#ctx.state === RoomState.JOIN_PRESENCE && this.#id !== undefined;
  }

  /** Send the join presence (first join or rejoin). */
  send(nick: string, history: History | undefined, password: string | undefined): void {
    const ctx = this.#ctx;
    if (ctx.closed) return;
    this.#id = ctx.host.newId();
    sendQuietly(ctx, joinPresence(ctx.jid, nick, this.#id, history, password), 'join presence');
  }

  /** Bind the first join to an abort signal and a timeout. */
  bind(options: AbortOptions): void {
    const pending = this.#pending;
    if (!pending) return;
    const { signal, timeoutMs } = options;
    const clock = this.#ctx.host.clock;
    const onAbort = () => this.#abandon(new AbortError('The join was aborted', { cause: signal?.reason }));
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    if (signal) {
      if (signal.aborted) {
        queueMicrotask(onAbort);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      timer = clock.setTimeout(() => {
        timer = undefined;
        this.#abandon(new TimeoutError(`The join timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    pending.cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clock.clearTimeout(timer);
    };
  }

  /** Our self-presence arrived: the join succeeded. */
  entered(): void {
    this.#id = undefined;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    pending.cleanup?.();
    pending.resolve();
  }

  /** The room answered the join presence with an error: the join (or rejoin) failed, the room ends. */
  refused(stanza: Element): void {
    const ctx = this.#ctx;
    const error = StanzaError.fromStanza(stanza);
    const failure = new MucJoinError(error);
    if (ctx.entered) {
      // A rejoin was refused: we are out.
      ctx.terminate({ presence: stanza, occupant: ctx.me, mode: LeaveMode.ERROR, statusCodes: NO_CODES, reason: error.text }, failure);
    } else {
      ctx.terminate(undefined, failure);
    }
  }

  /** The stream is gone: a join presence sent on it will never be answered. */
  streamLost(): void {
    this.#id = undefined;
  }

  /** The room ended: the first join, if still pending, fails with `error`. */
  fail(error: Error | undefined): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.cleanup?.();
    pending?.reject(error ?? new NotJoinedError('The room was left'));
  }

  #abandon(error: Error): void {
    const ctx = this.#ctx;
    if (ctx.closed || !this.#pending) return;
    if (this.inFlight) ctx.sendUnavailable();
    ctx.terminate(undefined, error);
  }
}
