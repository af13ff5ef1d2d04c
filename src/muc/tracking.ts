/**
 * Message tracking for `room.sendMessageTracked()`: a {@link MessageTracker} per sent
 * message, and the {@link ReflectionMatcher} a room uses to recognise the reflection of a
 * tracked message (by id, then XEP-0359 origin-id, then sender + body).
 */
import type { Element } from 'ltx';
import { type Clock, type TimerHandle, systemClock } from '../core/clock.js';
import { TypedEmitter } from '../core/emitter.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { nicknameKey } from '../core/jid.js';
import { checkDuration } from '../core/abort.js';

/** Where a tracked message is (aioxmpp `MessageState`). */
export const MessageState = {
  /** Handed to the connection; nothing confirmed yet. */
  IN_TRANSIT: 'in-transit',
  /** The server acknowledged the stanza (XEP-0198). */
  DELIVERED_TO_SERVER: 'delivered-to-server',
  /** The room reflected the message back: every occupant got it. Final. */
  DELIVERED_TO_RECIPIENT: 'delivered-to-recipient',
  /** The room answered with an error. Final. */
  ERROR: 'error',
  /** Tracking was given up by the application or because the room went away. Final. */
  ABORTED: 'aborted',
  /** No reflection arrived within the tracker's timeout. Final. */
  TIMED_OUT: 'timed-out',
} as const;

/** One of the {@link MessageState} values. */
export type MessageState = (typeof MessageState)[keyof typeof MessageState];

/** Default time a tracker waits for the reflection before going `TIMED_OUT`. */
export const DEFAULT_TRACKING_TIMEOUT_MS = 120_000;

const FINAL: ReadonlySet<MessageState> = new Set<MessageState>([
  MessageState.DELIVERED_TO_RECIPIENT,
  MessageState.ERROR,
  MessageState.ABORTED,
  MessageState.TIMED_OUT,
]);

/** Whether `state` is final (no further transition happens). */
export function isFinalMessageState(state: MessageState): boolean {
  return FINAL.has(state);
}

/** Events of a {@link MessageTracker}. */
export interface MessageTrackerEvents {
  /** The state changed. `error` is set for `ERROR` (a `StanzaError`). */
  stateChanged: {
    /** The new state. */
    state: MessageState;
    /** The state before. */
    previous: MessageState;
    /** The cause of an `ERROR` state (a `StanzaError`); otherwise absent. */
    error?: Error | undefined;
  };
}

/** Options of a {@link MessageTracker}. */
export interface MessageTrackerOptions {
  /** The stanza's `id`. */
  id: string;
  /** The XEP-0359 `<origin-id/>` sent with it, if any. */
  originId?: string | undefined;
  /** The body text (for the sender + body fallback match). */
  body?: string | undefined;
  /** The stanza as sent. */
  stanza: Element;
  /** Give up after this long (default {@link DEFAULT_TRACKING_TIMEOUT_MS}); 0 disables the timeout. */
  timeoutMs?: number | undefined;
  /** The clock for the timeout (default {@link systemClock}). */
  clock?: Clock | undefined;
  /** Where problems (e.g. a throwing listener) are logged (default: silent). */
  logger?: Logger | undefined;
  /** @internal Called once when the tracker stops tracking (final state or `close()`). */
  onClose?: (() => void) | undefined;
}

/**
 * Tracks one sent message: `IN_TRANSIT` -> (`DELIVERED_TO_SERVER`) -> `DELIVERED_TO_RECIPIENT`
 * when the room reflects it, or `ERROR` / `ABORTED` / `TIMED_OUT`. Every change is emitted
 * as `stateChanged`. Reaching a final state (or `close()`) clears the timer and stops
 * tracking; a reflection caught by a tracker is not emitted as the room's `message`.
 *
 * @example
 * ```ts
 * const tracker = room.sendMessageTracked('hello');
 * tracker.on('stateChanged', ({ state }) => console.log(state));
 * await tracker.settled; // the final state
 * ```
 */
export class MessageTracker extends TypedEmitter<MessageTrackerEvents> {
  /** The stanza id. */
  readonly id: string;
  /** The XEP-0359 origin-id, if one was sent. */
  readonly originId: string | undefined;
  /** The body text sent, if any. */
  readonly body: string | undefined;
  /** The stanza as sent. */
  readonly stanza: Element;
  /** The reflected message element, once `DELIVERED_TO_RECIPIENT`. */
  response: Element | undefined;
  /** The error of an `ERROR` state. */
  error: Error | undefined;
  /** Resolves with the final state (never rejects). */
  readonly settled: Promise<MessageState>;
  #state: MessageState = MessageState.IN_TRANSIT;
  #timer: TimerHandle | undefined;
  #closed = false;
  #clock: Clock;
  #onClose: (() => void) | undefined;
  #resolveSettled!: (s: MessageState) => void;

  constructor(options: MessageTrackerOptions) {
    super({ logger: options.logger ?? silentLogger, clock: options.clock ?? systemClock });
    checkDuration('timeoutMs', options.timeoutMs);
    this.id = options.id;
    this.originId = options.originId;
    this.body = options.body;
    this.stanza = options.stanza;
    this.#clock = options.clock ?? systemClock;
    this.#onClose = options.onClose;
    this.settled = new Promise((resolve) => (this.#resolveSettled = resolve));
    const timeoutMs = options.timeoutMs ?? DEFAULT_TRACKING_TIMEOUT_MS;
    if (timeoutMs > 0) {
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.transition(MessageState.TIMED_OUT);
      }, timeoutMs);
    }
  }

  /** The current state. */
  get state(): MessageState {
    return this.#state;
  }

  /** Whether the tracker still tracks (not final, not closed). */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /**
   * Move to `state` (ignored once closed, or when it would go backwards from
   * `DELIVERED_TO_SERVER` to `IN_TRANSIT`). A final state closes the tracker.
   * @internal
   */
  transition(state: MessageState, error?: Error): void {
    if (this.#closed || state === this.#state) return;
    if (state === MessageState.IN_TRANSIT) return;
    const previous = this.#state;
    this.#state = state;
    if (error) this.error = error;
    if (isFinalMessageState(state)) this.#stop();
    this.emit('stateChanged', error ? { state, previous, error } : { state, previous });
    if (isFinalMessageState(state)) this.#resolveSettled(state);
  }

  /**
   * Stop tracking without a final state change: the timer is cleared, no further
   * `stateChanged` is emitted, and a later reflection is emitted as a normal `message`.
   * `settled` resolves with the current state.
   */
  close(): void {
    if (this.#closed) return;
    this.#stop();
    this.#resolveSettled(this.#state);
  }

  /** Give up tracking: moves to `ABORTED` (unless already final). */
  abort(): void {
    this.transition(MessageState.ABORTED);
  }

  #stop(): void {
    this.#closed = true;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }
}

/** What the matcher needs to know about an incoming groupchat message. */
export interface ReflectionCandidate {
  id?: string | undefined;
  originId?: string | undefined;
  /** The sender's nick (resource of `from`). */
  nick: string | undefined;
  /** The body text (the `null`-language or first body). */
  body: string | undefined;
}

/**
 * The open trackers of one room, indexed for O(1) reflection matching: by stanza id, then
 * by origin-id, then (for services that rewrite ids) by sender nick + body text.
 * @internal
 */
export class ReflectionMatcher {
  readonly #byId = new Map<string, MessageTracker>();
  readonly #byOriginId = new Map<string, MessageTracker>();
  readonly #byBody = new Map<string, MessageTracker[]>();

  /** How many trackers are open. */
  get size(): number {
    return this.#byId.size;
  }

  /** Start matching for `tracker`; it is removed automatically when it closes. */
  add(tracker: MessageTracker): void {
    this.#byId.set(tracker.id, tracker);
    if (tracker.originId !== undefined) this.#byOriginId.set(tracker.originId, tracker);
    if (tracker.body !== undefined) {
      const list = this.#byBody.get(tracker.body);
      if (list) list.push(tracker);
      else this.#byBody.set(tracker.body, [tracker]);
    }
  }

  /** Stop matching for `tracker`. */
  remove(tracker: MessageTracker): void {
    if (this.#byId.get(tracker.id) === tracker) this.#byId.delete(tracker.id);
    if (tracker.originId !== undefined && this.#byOriginId.get(tracker.originId) === tracker) {
      this.#byOriginId.delete(tracker.originId);
    }
    if (tracker.body !== undefined) {
      const list = this.#byBody.get(tracker.body);
      if (list) {
        const i = list.indexOf(tracker);
        if (i !== -1) list.splice(i, 1);
        if (list.length === 0) this.#byBody.delete(tracker.body);
      }
    }
  }

  /** The tracker whose stanza id is `id`. */
  byId(id: string | undefined): MessageTracker | undefined {
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /**
   * The tracker `message` is the reflection of, if any: same id, else same origin-id, else
   * (only when sent under our current nick `myNick`) the oldest tracker with the same body.
   */
  match(message: ReflectionCandidate, myNick: string | undefined): MessageTracker | undefined {
    const fromSelf = myNick !== undefined && message.nick !== undefined && nicknameKey(message.nick) === nicknameKey(myNick);
    if (!fromSelf) return undefined;
    const byId = this.byId(message.id);
    if (byId) return byId;
    if (message.originId !== undefined) {
      const byOrigin = this.#byOriginId.get(message.originId);
      if (byOrigin) return byOrigin;
    }
    if (message.body !== undefined) return this.#byBody.get(message.body)?.[0];
    return undefined;
  }

  /** Every open tracker. */
  all(): MessageTracker[] {
    return [...this.#byId.values()];
  }
}
