/**
 * The XEP-0410 self-ping of a {@link Room} (aioxmpp's per-room `MUCMonitor`): a
 * {@link SelfPing} started once presence sync began (the first presence from the room after
 * a join presence), reset by every presence or message from the room, stopped when the stream
 * or the room is gone. `stale`/`fresh` are re-emitted on the room; a ping that says we are no
 * longer joined hands over to the room (rejoin with autorejoin, else exit DISCONNECTED).
 * The timing (`softTimeoutMs`...) is settable; a change restarts the pinger.
 * @internal
 */
import type { StanzaError } from '../core/errors.js';
import { RoomState } from './constants.js';
import type { RoomContext } from './room-context.js';
import { SelfPing, type SelfPingOptions } from './self-ping.js';

/** The timing of a room's self-ping, defaults filled in. */
export type SelfPingTiming = Readonly<Required<{ [K in keyof SelfPingOptions]: number }>>;

/** The self-ping of one room. @internal */
export class RoomSelfPing {
  readonly #ctx: RoomContext;
  readonly #onGone: (error: StanzaError) => void;
  readonly #onFresh: () => void;
  #timing: SelfPingTiming;
  #pinger: SelfPing;
  #enabled: boolean;

  /**
   * `options: false` disables the self-ping (no timer at all). `onGone` runs when a ping
   * says we are out; `onFresh` after `fresh` (a stale period ended: time to catch up).
   * Throws `InvalidArgumentError` for a bad duration.
   */
  constructor(ctx: RoomContext, options: SelfPingOptions | false | undefined, onGone: (error: StanzaError) => void, onFresh: () => void) {
    this.#ctx = ctx;
    this.#onGone = onGone;
    this.#onFresh = onFresh;
    this.#enabled = options !== false;
    this.#pinger = this.#create(options === false ? {} : (options ?? {}));
    this.#timing = this.#pinger.options;
  }

  /** The timing in use. */
  get timing(): SelfPingTiming {
    return this.#timing;
  }

  /** Whether the room is stale (silent past the hard timeout, not confirmed since). */
  get stale(): boolean {
    return this.#pinger.stale;
  }

  /** Change part of the timing; a running pinger restarts (silence counted from now). Throws on a bad value. */
  set(options: SelfPingOptions): void {
    const next = this.#create({ ...this.#timing, ...options });
    const running = this.#pinger.running;
    this.#pinger.stop();
    this.#pinger.removeAllListeners();
    this.#pinger = next;
    this.#timing = next.options;
    if (running) next.start();
  }

  /** Traffic from the room: start once presence sync began, else reset the silence. */
  traffic(kind: 'presence' | 'message'): void {
    const ctx = this.#ctx;
    if (!this.#enabled || ctx.closed || ctx.state === RoomState.DISCONNECTED) return;
    if (!this.#pinger.running) {
      if (kind === 'presence') this.#pinger.start();
      return;
    }
    this.#pinger.reset();
  }

  /** The stream or the occupancy is gone: stop every timer (no event). */
  stop(): void {
    this.#pinger.stop();
  }

  #create(options: SelfPingOptions): SelfPing {
    const ctx = this.#ctx;
    const pinger = new SelfPing(
      {
        connection: ctx.host.connection,
        clock: ctx.host.clock,
        logger: ctx.host.logger,
        occupantJid: () => (ctx.me ? ctx.jid.withResource(ctx.me.nick) : undefined),
      },
      options,
    );
    pinger.on('stale', ({ silentForMs }) => ctx.emit('stale', { silentForMs }));
    pinger.on('fresh', ({ silentForMs }) => {
      ctx.emit('fresh', { silentForMs });
      this.#onFresh();
    });
    pinger.on('gone', ({ error }) => this.#onGone(error));
    return pinger;
  }
}
