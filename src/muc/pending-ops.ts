/**
 * The pending operations of a {@link Room} other than the join (room-join.ts), each with its
 * start, its settle and its failure together: a nick change ({@link NickChange}), subject
 * changes ({@link TopicChanges}) and leaves ({@link PendingLeaves}).
 * @internal
 */
import type { Element } from 'ltx';
import { checkDuration, type AbortOptions } from '../core/abort.js';
import { InvalidArgumentError, type StanzaError, toError } from '../core/errors.js';
import { type JID, nicknameKey, prepareNickname } from '../core/jid.js';
import type { LanguageMap } from '../core/language-map.js';
import { LeaveMode } from './constants.js';
import { type Message, buildMessage } from './message.js';
import type { OccupantPresence } from './presence.js';
import { type RoomContext, bounded, localExit } from './room-context.js';
import type { RoomEventRecord } from './room-events.js';
import { type Pending, deferred, nickPresence } from './room-stanzas.js';

/** A pending `setNick()`. */
interface PendingNick extends Pending<string> {
  id: string;
  nick: string;
  /** Our `nickChanged` (the 303 half) was seen; the new self-presence settles it. */
  renamed: boolean;
}

/**
 * Our nick change (XEP-0045 §7.6): started by `setNick`, settled by the 303 unavailable
 * presence followed by our available presence under the new nick, failed by an error
 * presence (by id or new nick), the stream lost or the room ending. One at a time.
 * @internal
 */
export class NickChange {
  readonly #ctx: RoomContext;
  #pending: PendingNick | undefined;

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  /** Start a change to `nick` (see `Room.setNick`). */
  start(nick: string, options: AbortOptions): Promise<string> {
    const ctx = this.#ctx;
    let wanted: string;
    try {
      ctx.requireActive();
      checkDuration('timeoutMs', options.timeoutMs);
      wanted = prepareNickname(nick);
      if (this.#pending) throw new InvalidArgumentError('A nick change is already in progress');
    } catch (e) {
      return Promise.reject(toError(e));
    }
    const me = ctx.me;
    if (nicknameKey(wanted) === nicknameKey(me?.nick) && wanted === me?.nick) return Promise.resolve(wanted);
    const id = ctx.host.newId();
    const d = deferred<string>();
    const entry: PendingNick = { id, nick: wanted, renamed: false, resolve: d.resolve, reject: d.reject };
    this.#pending = entry;
    ctx.host.connection.send(nickPresence(ctx.jid, wanted, id)).catch((e: unknown) => d.reject(toError(e)));
    const settle = () => {
      if (this.#pending === entry) this.#pending = undefined;
    };
    d.promise.then(settle, settle);
    return bounded(ctx, d.promise, options, 'nick change', settle);
  }

  /** An occupant presence was applied (its events emitted): settle once we are renamed and available. */
  onPresence(p: OccupantPresence, events: readonly RoomEventRecord[]): void {
    const pending = this.#pending;
    const ctx = this.#ctx;
    const me = ctx.me;
    if (!pending || !me || ctx.closed) return;
    for (const [name, payload] of events) {
      if (name === 'nickChanged' && payload.member === me) pending.renamed = true;
    }
    if (pending.renamed && p.state.available && ctx.registry.get(p.nick) === me) pending.resolve(me.nick);
  }

  /** An error presence from `from`: fails the change it answers (same id or the wanted nick). Returns whether it did. */
  onErrorPresence(stanza: Element, from: JID, error: StanzaError): boolean {
    const pending = this.#pending;
    if (!pending || (stanza.attrs.id !== pending.id && nicknameKey(from.resource) !== nicknameKey(pending.nick))) return false;
    pending.reject(error);
    return true;
  }

  /** Fail the pending change, if any. */
  fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}

/** A pending `setTopic()`. */
interface PendingTopic extends Pending<void> {
  id: string;
  text: string | undefined;
}

/**
 * Our subject changes: started by `setTopic`, settled by the room's subject message from us
 * (matched by id, then text, then the oldest), failed by an error reply with the same id, the
 * stream lost or the room ending.
 * @internal
 */
export class TopicChanges {
  readonly #ctx: RoomContext;
  readonly #pending: PendingTopic[] = [];

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  /** Start a change to `topic` (see `Room.setTopic`). */
  start(topic: string | LanguageMap, options: AbortOptions): Promise<void> {
    const ctx = this.#ctx;
    try {
      ctx.requireActive();
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    const id = ctx.host.newId();
    const d = deferred<void>();
    const entry: PendingTopic = { id, text: typeof topic === 'string' ? topic : topic.any(), resolve: d.resolve, reject: d.reject };
    this.#pending.push(entry);
    ctx.host.connection
      .send(buildMessage({ to: ctx.jid, type: 'groupchat', id, subject: topic }))
      .catch((e: unknown) => d.reject(toError(e)));
    return bounded(ctx, d.promise, options, 'subject change', () => this.#drop(entry));
  }

  /** The room sent a subject set by us: settle the change it answers. */
  onOwnSubject(message: Message): void {
    if (this.#pending.length === 0) return;
    const text = message.subject?.any();
    const entry = this.#pending.find((t) => t.id === message.id) ?? this.#pending.find((t) => t.text === text) ?? this.#pending[0]!;
    this.#drop(entry);
    entry.resolve();
  }

  /** An error reply with this id: fails the change it answers. Returns whether it did. */
  onError(id: string | undefined, error: StanzaError): boolean {
    const entry = this.#pending.find((t) => t.id === id);
    if (!entry) return false;
    this.#drop(entry);
    entry.reject(error);
    return true;
  }

  /** Fail every pending change. */
  fail(error: Error): void {
    for (const t of this.#pending.splice(0)) t.reject(error);
  }

  #drop(entry: PendingTopic): void {
    const i = this.#pending.indexOf(entry);
    if (i !== -1) this.#pending.splice(i, 1);
  }
}

/**
 * Our leaves of an entered room: started by `leave` (our unavailable presence), settled when
 * the room ends (our unavailable self-presence, or any other end); on timeout or abort the
 * room ends locally all the same.
 * @internal
 */
export class PendingLeaves {
  readonly #ctx: RoomContext;
  readonly #pending: Pending<void>[] = [];

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  /** Send our unavailable presence and wait for the end of the room. */
  start(options: AbortOptions): Promise<void> {
    const ctx = this.#ctx;
    const d = deferred<void>();
    this.#pending.push(d);
    ctx.sendUnavailable();
    return bounded(ctx, d.promise, options, 'leave', () => ctx.terminate(localExit(ctx, LeaveMode.NORMAL)));
  }

  /** The room ended: every leave is done. */
  settle(): void {
    for (const l of this.#pending.splice(0)) l.resolve();
  }
}
