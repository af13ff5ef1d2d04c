/**
 * The state and inbound side of a {@link Room}: occupants, subject, the state machine
 * (JOIN_PRESENCE -> HISTORY -> ACTIVE, DISCONNECTED) driven by the stanzas the client's
 * router hands over (only those whose bare `from` is this room). `Room` (room.ts) adds the
 * actions and the join lifecycle.
 */
import type { Element } from 'ltx';
import { raceAbort, type AbortOptions } from '../core/abort.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type XmppConnection } from '../core/connection.js';
import { TypedEmitter } from '../core/emitter.js';
import { NotJoinedError, StanzaError } from '../core/errors.js';
import { type JID, nicknameKey } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import type { Logger } from '../core/logger.js';
import { MessageSource } from '../im/conversation.js';
import { LeaveMode, RoomState, StatusCode } from './constants.js';
import { historyEnd, historySender, liveSender, type ClaimedSender } from './history.js';
import { MucJoinError } from './join-error.js';
import { type Message, readMessage } from './message.js';
import { type Occupant, ServiceMember } from './occupant.js';
import type { History } from './payloads/muc.js';
import { findUserExt } from './payloads/user.js';
import { OccupantRegistry } from './occupant-registry.js';
import { diffPresence, occupantFromPresence, readOccupantPresence } from './presence.js';
import type { RoomEventRecord, RoomEvents, RoomMember } from './room-events.js';
import { type Pending, deferred, leavePresence } from './room-stanzas.js';
import { SeenMessages, roomStanzaId } from './seen-messages.js';
import { MessageState, ReflectionMatcher } from './tracking.js';

/** How the room talks back to its client. @internal */
export interface RoomHost {
  connection: XmppConnection;
  logger: Logger;
  clock: Clock;
  newId(): string;
  randomId?: (() => string) | undefined;
  /** The room left the bookkeeping (exit, failed join, leave before joining). */
  removed(room: RoomBase): void;
  /** HISTORY ends after this long without a history stanza (0: never). */
  historyTimeoutMs: number;
}

/** Construction parameters of a {@link Room}. @internal */
export interface RoomInit {
  jid: JID;
  nick: string;
  password?: string | undefined;
  history?: History | undefined;
  autorejoin: boolean;
}

/** A pending `setNick()`. @internal */
export interface PendingNick extends Pending<string> {
  id: string;
  nick: string;
  renamed: boolean;
}

/** A pending `setTopic()`. @internal */
export interface PendingTopic extends Pending<void> {
  id: string;
  text: string | undefined;
}

/** An empty status code set. @internal */
export const NO_CODES: ReadonlySet<number> = Object.freeze(new Set<number>());

/** The state and inbound handling shared by every {@link Room}. @internal */
export abstract class RoomBase extends TypedEmitter<RoomEvents> {
  /** The room's bare JID. */
  readonly jid: JID;
  /** The room itself as a member (sender of messages from the bare JID). */
  readonly serviceMember: ServiceMember;
  /** Whether the room is rejoined when a new stream is established. */
  autorejoin: boolean;
  /** The password used to (re)join. */
  password: string | undefined;
  /** The first join's completion: the same promise as `MucClient.join()`'s `joined`. */
  readonly joined: Promise<void>;

  /** @internal */
  protected readonly _host: RoomHost;
  /** @internal */
  protected readonly _registry = new OccupantRegistry();
  /** @internal */
  protected readonly _matcher = new ReflectionMatcher();
  /** Messages already emitted, so that history replayed after a rejoin is not emitted twice. @internal */
  protected readonly _seen = new SeenMessages();
  /** @internal */
  protected _state: RoomState = RoomState.JOIN_PRESENCE;
  /** @internal */
  protected _me: Occupant | undefined;
  /** @internal */
  protected _entered = false;
  /** @internal */
  protected _closed = false;
  /** @internal */
  protected _nick: string;
  /** @internal */
  protected _history: History | undefined;
  /** @internal */
  protected _subject = new LanguageMap();
  /** @internal */
  protected _subjectSetter: string | undefined;
  /** When the last message was seen: a `Date`, or a clock time (a Date per message adds up: built when asked). */
  #lastSeen: Date | number | undefined;
  /** When the last message was seen. @internal */
  protected get _lastSeen(): Date | undefined {
    if (typeof this.#lastSeen === 'number') this.#lastSeen = new Date(this.#lastSeen);
    return this.#lastSeen;
  }
  /** @internal */
  protected _disconnectedAt: Date | undefined;
  /** @internal */
  protected _joinId: string | undefined;
  /** @internal */
  protected _joinPending: (Pending<void> & { cleanup?: (() => void) | undefined }) | undefined;
  /** @internal */
  protected _nickPending: PendingNick | undefined;
  /** @internal */
  protected _topicsPending: PendingTopic[] = [];
  /** @internal */
  protected _leavePending: Pending<void>[] = [];
  #historyTimer: TimerHandle | undefined;

  /** @internal Use `MucClient.join()`. */
  constructor(host: RoomHost, init: RoomInit) {
    super({ logger: host.logger, clock: host.clock });
    this._host = host;
    this.jid = init.jid;
    this._nick = init.nick;
    this.password = init.password;
    this._history = init.history;
    this.autorejoin = init.autorejoin;
    this.serviceMember = new ServiceMember(init.jid);
    const d = deferred<void>();
    d.promise.catch(() => {}); // an ignored `joined` must not crash the process
    this._joinPending = d;
    this.joined = d.promise;
  }

  /** The {@link RoomState}. */
  get state(): RoomState {
    return this._state;
  }

  /** True from `enter` until `exit` (also while suspended for autorejoin). */
  get isJoined(): boolean {
    return this._entered && !this._closed;
  }

  /** True while the room is live: HISTORY or ACTIVE. */
  get isActive(): boolean {
    return this._state === RoomState.HISTORY || this._state === RoomState.ACTIVE;
  }

  /** Our own occupant; `undefined` until the first `enter`. Its identity changes on each `enter`. */
  get me(): Occupant | undefined {
    return this._me;
  }

  /** Every occupant, a copy, `me` first (once entered). */
  get members(): Occupant[] {
    const out: Occupant[] = [];
    const me = this._me;
    if (me && this._registry.get(me.nick) === me) out.push(me);
    for (const o of this._registry.values()) if (o !== me) out.push(o);
    return out;
  }

  /** The current subject (empty until received). */
  get subject(): LanguageMap {
    return this._subject;
  }

  /** The nick of whoever set the subject, if known. */
  get subjectSetter(): string | undefined {
    return this._subjectSetter;
  }

  /** The occupant with this nick (RFC 8266 comparison), in O(1). */
  getOccupant(nick: string): Occupant | undefined {
    return this._registry.get(nick);
  }

  /** The occupant with this XEP-0421 occupant id, in O(1). */
  getOccupantById(occupantId: string): Occupant | undefined {
    return this._registry.getById(occupantId);
  }

  /** An XEP-0198 ack for a stanza sent to this room. @internal */
  handleAcked(stanza: Element): void {
    const tracker = this._matcher.byId(stanza.attrs.id as string | undefined);
    if (tracker && tracker.stanza === stanza && tracker.state === MessageState.IN_TRANSIT) {
      tracker.transition(MessageState.DELIVERED_TO_SERVER);
    }
  }

  /** Handle a presence whose bare `from` is this room. @internal */
  handlePresence(stanza: Element, from: JID): void {
    if (this._closed) return;
    const type = stanza.attrs.type as string | undefined;
    if (type === 'error') {
      this.#handleErrorPresence(stanza, from);
      return;
    }
    if (from.resource === undefined) {
      this._host.logger.debug('presence from the room itself ignored', { room: this.jid.toString(), type });
      return;
    }
    if (type !== undefined && type !== 'unavailable') {
      this._host.logger.debug('presence of unexpected type ignored', { room: this.jid.toString(), type });
      return;
    }
    const ext = findUserExt(stanza, { logger: this._host.logger });
    if (!ext) {
      this._host.logger.debug('occupant presence without muc#user ignored', { from: String(stanza.attrs.from) });
      return;
    }
    const p = readOccupantPresence(stanza, from, ext);
    const me = this._me;
    const hasSelfCode = p.statusCodes.has(StatusCode.SELF);

    if (this._state === RoomState.JOIN_PRESENCE) {
      if (hasSelfCode) {
        this.#enterFrom(p);
        return;
      }
    } else if (this._state === RoomState.DISCONNECTED) {
      this._host.logger.debug('presence while disconnected ignored', { from: String(stanza.attrs.from) });
      return;
    } else if (hasSelfCode && this._registry.get(p.nick) !== me) {
      this._host.logger.debug('self-presence for a nick that is not ours ignored', { nick: p.nick });
      return;
    }
    if (this._state === RoomState.HISTORY && historyEnd({ kind: 'presence' }) === 'before') this._setState(RoomState.ACTIVE);
    const events = diffPresence(this._registry, p, { self: me, logger: this._host.logger, randomId: this._host.randomId });
    if (me) this._nick = me.nick;
    this.#emitAll(events);
    const pending = this._nickPending;
    if (pending && me && !this._closed) {
      for (const [name, payload] of events) {
        if (name === 'nickChanged' && (payload as RoomEvents['nickChanged']).member === me) pending.renamed = true;
      }
      if (pending.renamed && p.state.available && this._registry.get(p.nick) === me) pending.resolve(me.nick);
    }
  }

  /** Handle a message whose bare `from` is this room. Returns whether it was claimed. @internal */
  handleMessage(stanza: Element, from: JID): boolean {
    if (this._closed) return false;
    const type = stanza.attrs.type as string | undefined;
    if (type === 'groupchat') {
      this.#handleGroupchat(readMessage(stanza, this._host.logger), from);
      return true;
    }
    if (type === 'error') {
      this.#handleErrorMessage(readMessage(stanza, this._host.logger), stanza);
      return true;
    }
    if (type === 'chat' && from.resource !== undefined) {
      const message = readMessage(stanza, this._host.logger);
      if (!message.hasMucUserMarker) return false;
      const member = liveSender(this._registry, { from, occupantId: message.occupantId }, this._host.randomId);
      this.emit('privateMessage', { message, member });
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- internals

  #enterFrom(p: ReturnType<typeof readOccupantPresence>): void {
    if (!p.state.available) {
      this._host.logger.debug('unavailable self-presence before the join completed ignored', { nick: p.nick });
      return;
    }
    if (nicknameKey(p.nick) !== nicknameKey(this._nick) && !p.statusCodes.has(StatusCode.NICKNAME_MODIFIED)) {
      this._host.logger.debug('self-presence for another nick without status 210 ignored', { nick: p.nick });
      return;
    }
    const me = occupantFromPresence(p, true, this._host.randomId);
    const clash = this._registry.get(me.nick);
    if (clash) this._registry.remove(clash);
    this._registry.add(me);
    this._me = me;
    this._nick = me.nick;
    this._entered = true;
    this._joinId = undefined;
    this._setState(RoomState.HISTORY);
    this.#armHistoryTimer();
    this.emit('enter', { presence: p.stanza, occupant: me, statusCodes: p.statusCodes });
    const pending = this._joinPending;
    if (pending) {
      this._joinPending = undefined;
      pending.cleanup?.();
      pending.resolve();
    }
  }

  #handleErrorPresence(stanza: Element, from: JID): void {
    const error = StanzaError.fromStanza(stanza);
    if (this._state === RoomState.JOIN_PRESENCE) {
      const failure = new MucJoinError(error);
      if (this._entered) {
        // A rejoin was refused: we are out.
        this._terminate({ presence: stanza, occupant: this._me, mode: LeaveMode.ERROR, statusCodes: NO_CODES, reason: error.text }, failure);
      } else {
        this._terminate(undefined, failure);
      }
      return;
    }
    const pending = this._nickPending;
    if (pending && (stanza.attrs.id === pending.id || nicknameKey(from.resource) === nicknameKey(pending.nick))) {
      pending.reject(error);
      return;
    }
    this._host.logger.debug('error presence from the room ignored', { from: String(stanza.attrs.from), condition: error.condition });
  }

  #handleErrorMessage(message: Message, stanza: Element): void {
    const error = StanzaError.fromStanza(stanza);
    const tracker = this._matcher.byId(message.id);
    if (tracker) {
      tracker.transition(MessageState.ERROR, error);
      return;
    }
    const topic = this._topicsPending.find((t) => t.id === message.id);
    if (topic) {
      this._dropTopic(topic);
      topic.reject(error);
      return;
    }
    this.emit('messageError', { message, error });
  }

  #handleGroupchat(message: Message, from: JID): void {
    const isSubject = message.subject !== undefined && message.body.size === 0;
    const delayed = message.delay !== undefined;
    if (this._state === RoomState.HISTORY && historyEnd({ kind: 'message', isSubject, delayed }) === 'before') {
      this._setState(RoomState.ACTIVE);
    }
    const isHistory = this._state === RoomState.HISTORY && delayed;
    if (isHistory) this.#armHistoryTimer();
    const nick = from.resource;
    const stanzaId = roomStanzaId(message, this.jid);
    if (!isSubject) {
      if (isHistory && this._seen.hasMessage(message, stanzaId, nick)) {
        this._host.logger.debug('history message already seen before the rejoin; not emitted again', { room: this.jid.toString(), id: message.id });
        return;
      }
      this._seen.addMessage(message, stanzaId, nick);
    }

    // The matcher finds nothing without open trackers: skip building its candidate.
    if (!isHistory && !isSubject && nick !== undefined && this._matcher.size > 0) {
      const tracker = this._matcher.match({ id: message.id, originId: message.originId, nick, body: message.body.any() }, this._me?.nick);
      if (tracker) {
        this.#lastSeen = this._host.clock.now();
        tracker.response = message.element;
        tracker.transition(MessageState.DELIVERED_TO_RECIPIENT);
        return;
      }
    }

    let member: RoomMember;
    if (nick === undefined) member = this.serviceMember;
    else {
      const claimed: ClaimedSender = { from, occupantId: message.occupantId };
      if (isHistory) {
        const item = findUserExt(message.element)?.items[0];
        if (item?.jid) claimed.realJid = item.jid;
        member = historySender(this._registry, claimed, this._host.randomId);
      } else {
        member = liveSender(this._registry, claimed, this._host.randomId);
      }
    }

    if (isSubject) {
      this._subject = message.subject!;
      this._subjectSetter = nick;
      const known = member === this.serviceMember || (nick !== undefined && this._registry.get(nick) === member);
      this.emit('topicChanged', { member: known ? member : undefined, topic: this._subject, nick });
      if (nick !== undefined && this._me && nicknameKey(nick) === nicknameKey(this._me.nick)) this.#resolveTopic(message);
      if (this._state === RoomState.HISTORY) this._setState(RoomState.ACTIVE);
      return;
    }

    const delay = message.delay;
    this.#lastSeen = delay ? delay.stamp : this._host.clock.now();
    const statusCodes = nick === undefined && message.hasMucUserMarker ? findUserExt(message.element)?.statusCodes : undefined;
    const payload: RoomEvents['message'] = { message, member, source: MessageSource.STREAM, isHistory };
    if (delay) payload.delay = { stamp: delay.stamp, from: delay.from?.toString() };
    if (stanzaId !== undefined) payload.stanzaId = stanzaId;
    if (statusCodes !== undefined && statusCodes.size > 0) payload.statusCodes = statusCodes;
    this.emit('message', payload);
  }

  #resolveTopic(message: Message): void {
    if (this._topicsPending.length === 0) return;
    const text = message.subject?.any();
    const entry =
      this._topicsPending.find((t) => t.id === message.id) ??
      this._topicsPending.find((t) => t.text === text) ??
      this._topicsPending[0]!;
    this._dropTopic(entry);
    entry.resolve();
  }

  /** @internal */
  protected _dropTopic(entry: PendingTopic): void {
    const i = this._topicsPending.indexOf(entry);
    if (i !== -1) this._topicsPending.splice(i, 1);
  }

  #emitAll(events: RoomEventRecord[]): void {
    for (const [name, payload] of events) {
      if (name === 'exit') {
        this._terminate(payload as RoomEvents['exit']);
        return;
      }
      this.emit(name, payload as never);
    }
  }

  /** @internal */
  protected _localExit(mode: LeaveMode): RoomEvents['exit'] {
    return { occupant: this._me, mode, statusCodes: NO_CODES };
  }

  /**
   * End the room: state DISCONNECTED, pending operations failed, trackers aborted, removed
   * from the client; then `exit` (when given) and `stateChanged`.
   * @internal
   */
  protected _terminate(exit: RoomEvents['exit'] | undefined, joinError?: Error): void {
    if (this._closed) return;
    this._closed = true;
    const previous = this._state;
    this._state = RoomState.DISCONNECTED;
    this.#clearHistoryTimer();
    const join = this._joinPending;
    this._joinPending = undefined;
    join?.cleanup?.();
    join?.reject(joinError ?? new NotJoinedError('The room was left'));
    this._failPending(new NotJoinedError('The room was left'));
    for (const tracker of this._matcher.all()) tracker.abort();
    this._host.removed(this);
    if (exit) this.emit('exit', exit);
    if (previous !== RoomState.DISCONNECTED) this.emit('stateChanged', { state: RoomState.DISCONNECTED, previous });
    const leaves = this._leavePending.splice(0);
    for (const l of leaves) l.resolve();
  }

  /** @internal */
  protected _failPending(error: Error): void {
    const nick = this._nickPending;
    this._nickPending = undefined;
    nick?.reject(error);
    for (const t of this._topicsPending.splice(0)) t.reject(error);
  }

  /** @internal */
  protected _setState(state: RoomState): void {
    const previous = this._state;
    if (previous === state) return;
    this._state = state;
    if (previous === RoomState.HISTORY) this.#clearHistoryTimer();
    this.emit('stateChanged', { state, previous });
  }

  /** (Re)start the wait for the end of the history (a server that never sends the subject). */
  #armHistoryTimer(): void {
    this.#clearHistoryTimer();
    const ms = this._host.historyTimeoutMs;
    if (ms <= 0) return;
    this.#historyTimer = this._host.clock.setTimeout(() => {
      this.#historyTimer = undefined;
      if (this._state !== RoomState.HISTORY) return;
      this._host.logger.debug('no subject after the history: assuming the replay is over', { room: this.jid.toString() });
      this._setState(RoomState.ACTIVE);
    }, ms);
  }

  #clearHistoryTimer(): void {
    if (this.#historyTimer === undefined) return;
    this._host.clock.clearTimeout(this.#historyTimer);
    this.#historyTimer = undefined;
  }

  /** @internal */
  protected _requireActive(): void {
    if (this._closed) throw new NotJoinedError('The room was left');
    if (!this.isActive) throw new NotJoinedError(`The room is not joined yet (state ${this._state})`);
  }

  /** @internal */
  protected _sendUnavailable(): void {
    this._host.connection.send(leavePresence(this.jid, this._me?.nick ?? this._nick)).catch((e: unknown) => this._host.logger.debug('unavailable presence not sent', { error: e }));
  }

  /** @internal */
  protected _bounded<T>(promise: Promise<T>, options: AbortOptions, what: string, onCancel: () => void): Promise<T> {
    return raceAbort(promise, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clock: this._host.clock,
      what,
      onCancel,
    });
  }
}
