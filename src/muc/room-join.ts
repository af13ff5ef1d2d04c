/**
 * The join of a {@link Room}, start to settle: the join presence (first join and every
 * rejoin), the first join's `joined` promise bound to its abort signal and timeout, its
 * success (our self-presence) and its failures (an error presence answering the join, abort,
 * timeout, the room ending).
 *
 * The join timeout measures the wait for the service's answer, not for the network: it
 * starts when the join presence is handed to a live session and restarts on every resend
 * (a new session); it is stopped while the stream is down. Only an error presence that
 * answers our join (its id, or from the occupant JID we asked for) fails the join.
 * @internal
 */
import type { Element } from 'ltx';
import type { AbortOptions } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { AbortError, NotJoinedError, StanzaError, TimeoutError } from '../core/errors.js';
import { type JID, nicknameKey } from '../core/jid.js';
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
  /** The nick the last join presence asked for. */
  #nick: string | undefined;
  /** Whether a join presence was sent on the current session (reset when the stream is lost). */
  #sentOnSession = false;
  /** The first join's timeout (ms), armed when its presence is sent. */
  #timeoutMs: number | undefined;
  #timer: ReturnType<Clock['setTimeout']> | undefined;

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

  /** Whether a join presence was sent on the current session. */
  get sentOnSession(): boolean {
    return this.#sentOnSession;
  }

  /** Send the join presence (first join or rejoin); (re)starts the first join's timeout. */
  send(nick: string, history: History | undefined, password: string | undefined): void {
    const ctx = this.#ctx;
    if (ctx.closed) return;
    this.#id = ctx.host.newId();
    this.#nick = nick;
    this.#sentOnSession = true;
    this.#arm();
    sendQuietly(ctx, joinPresence(ctx.jid, nick, this.#id, history, password), 'join presence');
  }

  /** Whether an error presence answers our join presence: its id, or from the occupant JID we asked for. */
  answers(stanza: Element, from: JID): boolean {
    const id = stanza.attrs.id as unknown;
    if (this.#id !== undefined && id === this.#id) return true;
    return from.resource !== undefined && this.#nick !== undefined && nicknameKey(from.resource) === nicknameKey(this.#nick);
  }

  /** Bind the first join to an abort signal and a timeout. */
  bind(options: AbortOptions): void {
    const pending = this.#pending;
    if (!pending) return;
    const { signal, timeoutMs } = options;
    const onAbort = () => this.#abandon(new AbortError('The join was aborted', { cause: signal?.reason }));
    if (signal) {
      if (signal.aborted) {
        queueMicrotask(onAbort);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    this.#timeoutMs = timeoutMs;
    if (this.#sentOnSession) this.#arm();
    pending.cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      this.#timeoutMs = undefined;
      this.#disarm();
    };
  }

  /** (Re)start the first join's timeout, if it has one and is pending. */
  #arm(): void {
    this.#disarm();
    const timeoutMs = this.#timeoutMs;
    if (timeoutMs === undefined || !this.#pending) return;
    this.#timer = this.#ctx.host.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#abandon(new TimeoutError(`The join timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#ctx.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
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

  /** The stream is gone: a join presence sent on it will never be answered; the timeout waits for the resend. */
  streamLost(): void {
    this.#id = undefined;
    this.#sentOnSession = false;
    this.#disarm();
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
