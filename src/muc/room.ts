/**
 * {@link Room}: one joined (or joining) multi-user chat: the state machine
 * (JOIN_PRESENCE -> HISTORY -> ACTIVE, DISCONNECTED), occupants, subject, messages and the
 * local occupant's actions. Created by `MucClient.join()`; stanzas reach it through the
 * client's router only when their bare `from` is this room.
 */
import { Element } from 'ltx';
import { raceAbort, checkDuration, type AbortOptions } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type XmppConnection } from '../core/connection.js';
import { TypedEmitter } from '../core/emitter.js';
import { AbortError, DisconnectedError, InvalidArgumentError, NotJoinedError, StanzaError, TimeoutError, toError } from '../core/errors.js';
import { type JID, nicknameKey, prepareNickname } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import type { Logger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { type DataForm, DataFormCodec } from '../forms/form.js';
import { type Conversation, MessageSource } from '../im/conversation.js';
import { LeaveMode, RoomState, StatusCode } from './constants.js';
import { historyEnd, historySender, liveSender, type ClaimedSender } from './history.js';
import { MucJoinError } from './join-error.js';
import { type Message, type MessageInit, buildMessage, readMessage } from './message.js';
import { type Occupant, ServiceMember } from './occupant.js';
import { type History, mucJoin } from './payloads/muc.js';
import { findUserExt } from './payloads/user.js';
import { OccupantRegistry, diffPresence, occupantFromPresence, readOccupantPresence, type RoomEventRecord } from './presence.js';
import type { RoomEvents, RoomMember } from './room-events.js';
import { MessageState, MessageTracker, ReflectionMatcher } from './tracking.js';

/** A message to send: everything of {@link MessageInit} but the address and type, which the room sets. */
export type OutgoingMessage = Omit<MessageInit, 'to' | 'type'>;

/** Options of {@link Room.sendMessageTracked}. */
export interface TrackedSendOptions {
  /** Time to wait for the reflection before `TIMED_OUT` (default 120 000; 0: never). */
  timeoutMs?: number | undefined;
}

/** A form to submit with {@link Room.createConfigured}: a data form, a form instance, or the element. */
export type SubmittableForm = DataForm | { render(): Element } | Element;

/** How the room talks back to its client. @internal */
export interface RoomHost {
  connection: XmppConnection;
  logger: Logger;
  clock: Clock;
  newId(): string;
  randomId?: (() => string) | undefined;
  /** The room left the bookkeeping (exit, failed join, leave before joining). */
  removed(room: Room): void;
}

/** Construction parameters of a {@link Room}. @internal */
export interface RoomInit {
  jid: JID;
  nick: string;
  password?: string | undefined;
  history?: History | undefined;
  autorejoin: boolean;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface PendingNick extends Pending<string> {
  id: string;
  nick: string;
  renamed: boolean;
}

interface PendingTopic extends Pending<void> {
  id: string;
  text: string | undefined;
}

function deferred<T>(): { promise: Promise<T> } & Pending<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const NO_CODES: ReadonlySet<number> = Object.freeze(new Set<number>());

/**
 * A multi-user chat room (aioxmpp `Room`), created by `MucClient.join()`.
 *
 * Sending before the join completes: `sendMessage`, `sendMessageTracked`,
 * `sendPrivateMessage`, `setTopic` and `setNick` need the room entered (state HISTORY or
 * ACTIVE); before that (and while suspended) they reject (or throw) {@link NotJoinedError}:
 * nothing is queued and nothing is lost silently.
 *
 * @example
 * ```ts
 * const { room, joined } = muc.join('room@conference.example.org', 'alice');
 * room.on('message', ({ member, message }) => console.log(member.nick, message.body.any()));
 * await joined;
 * await room.sendMessage('hello');
 * ```
 */
export class Room extends TypedEmitter<RoomEvents> implements Conversation {
  /** The room's bare JID. */
  readonly jid: JID;
  /** The room itself as a member (sender of messages from the bare JID). */
  readonly serviceMember: ServiceMember;
  /** Whether the room is rejoined when a new stream is established. */
  autorejoin: boolean;
  /** The password used to (re)join. */
  password: string | undefined;
  /** Resolves when the first join completes (see `MucClient.join`). @internal */
  readonly joined: Promise<void>;

  readonly #host: RoomHost;
  readonly #registry = new OccupantRegistry();
  readonly #matcher = new ReflectionMatcher();
  #state: RoomState = RoomState.JOIN_PRESENCE;
  #me: Occupant | undefined;
  #entered = false;
  #closed = false;
  #nick: string;
  #history: History | undefined;
  #subject = new LanguageMap();
  #subjectSetter: string | undefined;
  #lastSeen: Date | undefined;
  #disconnectedAt: Date | undefined;
  #joinId: string | undefined;
  #joinPending: (Pending<void> & { cleanup?: (() => void) | undefined }) | undefined;
  #nickPending: PendingNick | undefined;
  #topicsPending: PendingTopic[] = [];
  #leavePending: Pending<void>[] = [];

  /** @internal Use `MucClient.join()`. */
  constructor(host: RoomHost, init: RoomInit) {
    super({ logger: host.logger, clock: host.clock });
    this.#host = host;
    this.jid = init.jid;
    this.#nick = init.nick;
    this.password = init.password;
    this.#history = init.history;
    this.autorejoin = init.autorejoin;
    this.serviceMember = new ServiceMember(init.jid);
    const d = deferred<void>();
    d.promise.catch(() => {}); // an ignored `joined` must not crash the process
    this.#joinPending = d;
    this.joined = d.promise;
  }

  /** The {@link RoomState}. */
  get state(): RoomState {
    return this.#state;
  }

  /** True from `enter` until `exit` (also while suspended for autorejoin). */
  get isJoined(): boolean {
    return this.#entered && !this.#closed;
  }

  /** True while the room is live: HISTORY or ACTIVE. */
  get isActive(): boolean {
    return this.#state === RoomState.HISTORY || this.#state === RoomState.ACTIVE;
  }

  /** Our own occupant; `undefined` until the first `enter`. Its identity changes on each `enter`. */
  get me(): Occupant | undefined {
    return this.#me;
  }

  /** Every occupant, a copy, `me` first (once entered). */
  get members(): Occupant[] {
    const out: Occupant[] = [];
    const me = this.#me;
    if (me && this.#registry.get(me.nick) === me) out.push(me);
    for (const o of this.#registry.values()) if (o !== me) out.push(o);
    return out;
  }

  /** The current subject (empty until received). */
  get subject(): LanguageMap {
    return this.#subject;
  }

  /** The nick of whoever set the subject, if known. */
  get subjectSetter(): string | undefined {
    return this.#subjectSetter;
  }

  /** The occupant with this nick (RFC 8266 comparison), in O(1). */
  getOccupant(nick: string): Occupant | undefined {
    return this.#registry.get(nick);
  }

  /** The occupant with this XEP-0421 occupant id, in O(1). */
  getOccupantById(occupantId: string): Occupant | undefined {
    return this.#registry.getById(occupantId);
  }

  // ---------------------------------------------------------------- actions

  /**
   * Send a groupchat message: a text, or a message whose `to`/`type` the room sets (an `id`
   * and an XEP-0359 origin-id are added when missing). Resolves once handed to the
   * connection. Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendMessage(message: string | OutgoingMessage): Promise<void> {
    this.#requireActive();
    await this.#host.connection.send(this.#buildGroupchat(message));
  }

  /**
   * Send a groupchat message and track its reflection (see {@link MessageTracker}). A
   * reflection caught by the tracker is not emitted as `message`. Throws
   * {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  sendMessageTracked(message: string | OutgoingMessage, options: TrackedSendOptions = {}): MessageTracker {
    this.#requireActive();
    const stanza = this.#buildGroupchat(message);
    const body = new LanguageMap();
    for (const b of stanza.getChildren('body')) if (!body.has(LanguageMap.langOf(b))) body.set(LanguageMap.langOf(b), b.getText());
    const tracker: MessageTracker = new MessageTracker({
      id: String(stanza.attrs.id),
      originId: stanza.getChild('origin-id', NS.SID)?.attrs.id as string | undefined,
      body: body.any(),
      stanza,
      timeoutMs: options.timeoutMs,
      clock: this.#host.clock,
      logger: this.#host.logger,
      onClose: () => this.#matcher.remove(tracker),
    });
    this.#matcher.add(tracker);
    this.#host.connection.send(stanza).catch((e: unknown) => tracker.transition(MessageState.ERROR, toError(e)));
    return tracker;
  }

  /**
   * Send a MUC private message (`type="chat"` to `room/nick`, with the muc#user marker).
   * Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendPrivateMessage(to: Occupant | string, text: string): Promise<void> {
    this.#requireActive();
    const nick = typeof to === 'string' ? prepareNickname(to) : to.nick;
    const id = this.#host.newId();
    const el = buildMessage({ to: this.jid.withResource(nick), type: 'chat', id, body: text, originId: id, mucUserMarker: true });
    await this.#host.connection.send(el);
  }

  /**
   * Set the subject. Resolves when the room reflects the new subject from us; rejects with
   * {@link StanzaError} (e.g. `forbidden`) on an error reply, {@link NotJoinedError} unless
   * HISTORY or ACTIVE, and `TimeoutError`/`AbortError` per `options`.
   */
  setTopic(topic: string | LanguageMap, options: AbortOptions = {}): Promise<void> {
    try {
      this.#requireActive();
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    const id = this.#host.newId();
    const d = deferred<void>();
    const entry: PendingTopic = { id, text: typeof topic === 'string' ? topic : topic.any(), resolve: d.resolve, reject: d.reject };
    this.#topicsPending.push(entry);
    this.#host.connection.send(buildMessage({ to: this.jid, type: 'groupchat', id, subject: topic })).catch((e: unknown) => d.reject(toError(e)));
    return this.#bounded(d.promise, options, 'subject change', () => this.#dropTopic(entry));
  }

  /**
   * Change our nick. Resolves with the nick the service assigned once the 303 round trip is
   * complete; rejects with {@link StanzaError} (`conflict`, `not-acceptable`...) leaving the
   * old nick intact, {@link NotJoinedError} unless HISTORY or ACTIVE, and
   * {@link InvalidArgumentError} for a malformed nick or while another change is pending.
   */
  setNick(nick: string, options: AbortOptions = {}): Promise<string> {
    let wanted: string;
    try {
      this.#requireActive();
      checkDuration('timeoutMs', options.timeoutMs);
      wanted = prepareNickname(nick);
      if (this.#nickPending) throw new InvalidArgumentError('A nick change is already in progress');
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (nicknameKey(wanted) === nicknameKey(this.#me?.nick) && wanted === this.#me?.nick) return Promise.resolve(wanted);
    const id = this.#host.newId();
    const d = deferred<string>();
    const entry: PendingNick = { id, nick: wanted, renamed: false, resolve: d.resolve, reject: d.reject };
    this.#nickPending = entry;
    const presence = new Element('presence', { to: this.jid.withResource(wanted).toString(), id });
    this.#host.connection.send(presence).catch((e: unknown) => d.reject(toError(e)));
    const settle = () => {
      if (this.#nickPending === entry) this.#nickPending = undefined;
    };
    d.promise.then(settle, settle);
    return this.#bounded(d.promise, options, 'nick change', settle);
  }

  /**
   * Leave the room. Resolves on our unavailable self-presence (`exit` with mode NORMAL);
   * the room then leaves the client's bookkeeping. Leaving a room still joining abandons the
   * join (`joined` rejects with {@link AbortError}). On timeout or abort the room is removed
   * locally all the same (an `exit` without presence) and the promise rejects.
   */
  leave(options: AbortOptions = {}): Promise<void> {
    if (this.#closed) return Promise.resolve();
    try {
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (!this.isActive) {
      if (this.#state === RoomState.JOIN_PRESENCE) this.#sendUnavailable();
      this.#terminate(this.#entered ? this.#localExit(LeaveMode.NORMAL) : undefined, new AbortError('Left the room before the join completed'));
      return Promise.resolve();
    }
    const d = deferred<void>();
    this.#leavePending.push(d);
    this.#sendUnavailable();
    return this.#bounded(d.promise, options, 'leave', () => this.#terminate(this.#localExit(LeaveMode.NORMAL)));
  }

  /**
   * Unlock a room this join created (status 201) with the default configuration (an empty
   * submit form, XEP-0045 §10.1.2). Rejects with {@link StanzaError} on refusal.
   */
  async createInstant(options: AbortOptions = {}): Promise<void> {
    await this.#ownerSet(new Element('x', { xmlns: NS.DATA_FORMS, type: 'submit' }), options);
  }

  /**
   * Unlock a room this join created (status 201) with a configuration form (XEP-0045
   * §10.1.3): a `DataForm` of type `submit`, a form instance (its `render()`), or the element.
   */
  async createConfigured(form: SubmittableForm, options: AbortOptions = {}): Promise<void> {
    let el: Element;
    if (form instanceof Element) el = form;
    else if ('render' in form && typeof form.render === 'function') el = form.render();
    else el = DataFormCodec.encode(form as DataForm);
    await this.#ownerSet(el, options);
  }

  /** Fetch the room's configuration form (muc#owner get), e.g. to fill for {@link createConfigured}. */
  async getConfiguration(options: AbortOptions = {}): Promise<DataForm> {
    const iq = new Element('iq', { type: 'get', to: this.jid.toString() });
    iq.c('query', { xmlns: NS.MUC_OWNER });
    const reply = await this.#host.connection.request(iq, this.#requestOptions(options));
    const x = reply.getChild('query', NS.MUC_OWNER)?.getChild('x', NS.DATA_FORMS);
    if (!x) throw new StanzaError({ type: 'cancel', condition: 'undefined-condition', text: 'No configuration form in the reply', stanza: reply });
    return DataFormCodec.decode(x, { logger: this.#host.logger });
  }

  async #ownerSet(form: Element, options: AbortOptions): Promise<void> {
    if (!this.isJoined) throw new NotJoinedError();
    const iq = new Element('iq', { type: 'set', to: this.jid.toString() });
    iq.c('query', { xmlns: NS.MUC_OWNER }).cnode(form);
    await this.#host.connection.request(iq, this.#requestOptions(options));
  }

  #requestOptions(options: AbortOptions): AbortOptions {
    return { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  }

  // ---------------------------------------------------------------- client-facing (internal)

  /** Send the join presence (first join or rejoin). @internal */
  sendJoin(): void {
    if (this.#closed) return;
    this.#joinId = this.#host.newId();
    const presence = new Element('presence', { to: this.jid.withResource(this.#nick).toString(), id: this.#joinId });
    const x = mucJoin.encode({
      ...(this.#history ? { history: this.#history } : {}),
      ...(this.password !== undefined ? { password: this.password } : {}),
    });
    presence.cnode(x);
    this.#host.connection.send(presence).catch((e: unknown) => this.#host.logger.debug('join presence not sent', { room: this.jid.toString(), error: e }));
  }

  /** Bind the first join to an abort signal / timeout. @internal */
  bindJoin(options: AbortOptions): void {
    const pending = this.#joinPending;
    if (!pending) return;
    const { signal, timeoutMs } = options;
    const onAbort = () => this.#abandonJoin(new AbortError('The join was aborted', { cause: signal?.reason }));
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    if (signal) {
      if (signal.aborted) {
        queueMicrotask(onAbort);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      timer = this.#host.clock.setTimeout(() => {
        timer = undefined;
        this.#abandonJoin(new TimeoutError(`The join timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    pending.cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) this.#host.clock.clearTimeout(timer);
    };
  }

  #abandonJoin(error: Error): void {
    if (this.#closed || !this.#joinPending) return;
    if (this.#state === RoomState.JOIN_PRESENCE) this.#sendUnavailable();
    this.#terminate(undefined, error);
  }

  /** The stream is gone (not resumed). @internal */
  streamDestroyed(): void {
    if (this.#closed) return;
    this.#joinId = undefined;
    this.#disconnectedAt = new Date(this.#host.clock.now());
    this.#failPending(new DisconnectedError('The stream was lost'));
    if (this.autorejoin) {
      if (this.#state === RoomState.DISCONNECTED) return;
      this.#setState(RoomState.DISCONNECTED);
      if (this.#entered) this.emit('suspend', {});
      return;
    }
    this.#terminate(this.#entered ? this.#localExit(LeaveMode.DISCONNECTED) : undefined, new DisconnectedError('The stream was lost during the join'));
  }

  /** A new stream is up. @internal */
  streamEstablished(): void {
    if (this.#closed) return;
    if (this.#state === RoomState.JOIN_PRESENCE) {
      if (this.#joinId === undefined) this.sendJoin();
      return;
    }
    if (this.#state !== RoomState.DISCONNECTED) return;
    this.#registry.clear();
    if (this.#entered) {
      const since = this.#lastSeen ?? this.#disconnectedAt;
      this.#history = since ? { since } : this.#history;
    }
    this.#setState(RoomState.JOIN_PRESENCE);
    if (this.#entered) this.emit('resume', {});
    this.sendJoin();
  }

  /** The client is closing: leave without waiting. @internal */
  closeFromClient(): void {
    if (this.#closed) return;
    if (this.#state !== RoomState.DISCONNECTED) this.#sendUnavailable();
    this.#terminate(this.#entered ? this.#localExit(LeaveMode.NORMAL) : undefined, new AbortError('The MUC client was closed'));
  }

  /** An XEP-0198 ack for a stanza sent to this room. @internal */
  handleAcked(stanza: Element): void {
    const tracker = this.#matcher.byId(stanza.attrs.id as string | undefined);
    if (tracker && tracker.stanza === stanza && tracker.state === MessageState.IN_TRANSIT) {
      tracker.transition(MessageState.DELIVERED_TO_SERVER);
    }
  }

  /** Handle a presence whose bare `from` is this room. @internal */
  handlePresence(stanza: Element, from: JID): void {
    if (this.#closed) return;
    const type = stanza.attrs.type as string | undefined;
    if (type === 'error') {
      this.#handleErrorPresence(stanza, from);
      return;
    }
    if (from.resource === undefined) {
      this.#host.logger.debug('presence from the room itself ignored', { room: this.jid.toString(), type });
      return;
    }
    if (type !== undefined && type !== 'unavailable') {
      this.#host.logger.debug('presence of unexpected type ignored', { room: this.jid.toString(), type });
      return;
    }
    const ext = findUserExt(stanza, { logger: this.#host.logger });
    if (!ext) {
      this.#host.logger.debug('occupant presence without muc#user ignored', { from: String(stanza.attrs.from) });
      return;
    }
    const p = readOccupantPresence(stanza, from, ext);
    const me = this.#me;
    const hasSelfCode = p.statusCodes.has(StatusCode.SELF);

    if (this.#state === RoomState.JOIN_PRESENCE) {
      if (hasSelfCode) {
        this.#enterFrom(p);
        return;
      }
    } else if (this.#state === RoomState.DISCONNECTED) {
      this.#host.logger.debug('presence while disconnected ignored', { from: String(stanza.attrs.from) });
      return;
    } else if (hasSelfCode && this.#registry.get(p.nick) !== me) {
      this.#host.logger.debug('self-presence for a nick that is not ours ignored', { nick: p.nick });
      return;
    }
    if (this.#state === RoomState.HISTORY && historyEnd({ kind: 'presence' }) === 'before') this.#setState(RoomState.ACTIVE);
    const events = diffPresence(this.#registry, p, { self: me, logger: this.#host.logger, randomId: this.#host.randomId });
    if (me) this.#nick = me.nick;
    this.#emitAll(events);
    const pending = this.#nickPending;
    if (pending && me && !this.#closed) {
      for (const [name, payload] of events) {
        if (name === 'nickChanged' && (payload as RoomEvents['nickChanged']).member === me) pending.renamed = true;
      }
      if (pending.renamed && p.state.available && this.#registry.get(p.nick) === me) pending.resolve(me.nick);
    }
  }

  /** Handle a message whose bare `from` is this room. Returns whether it was claimed. @internal */
  handleMessage(stanza: Element, from: JID): boolean {
    if (this.#closed) return false;
    const type = stanza.attrs.type as string | undefined;
    if (type === 'groupchat') {
      this.#handleGroupchat(readMessage(stanza, this.#host.logger), from);
      return true;
    }
    if (type === 'error') {
      this.#handleErrorMessage(readMessage(stanza, this.#host.logger), stanza);
      return true;
    }
    if (type === 'chat' && from.resource !== undefined) {
      const message = readMessage(stanza, this.#host.logger);
      if (!message.hasMucUserMarker) return false;
      const member = liveSender(this.#registry, { from, occupantId: message.occupantId }, this.#host.randomId);
      this.emit('privateMessage', { message, member });
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- internals

  #enterFrom(p: ReturnType<typeof readOccupantPresence>): void {
    if (!p.state.available) {
      this.#host.logger.debug('unavailable self-presence before the join completed ignored', { nick: p.nick });
      return;
    }
    if (nicknameKey(p.nick) !== nicknameKey(this.#nick) && !p.statusCodes.has(StatusCode.NICKNAME_MODIFIED)) {
      this.#host.logger.debug('self-presence for another nick without status 210 ignored', { nick: p.nick });
      return;
    }
    const me = occupantFromPresence(p, true, this.#host.randomId);
    const clash = this.#registry.get(me.nick);
    if (clash) this.#registry.remove(clash);
    this.#registry.add(me);
    this.#me = me;
    this.#nick = me.nick;
    this.#entered = true;
    this.#joinId = undefined;
    this.#setState(RoomState.HISTORY);
    this.emit('enter', { presence: p.stanza, occupant: me, statusCodes: p.statusCodes });
    const pending = this.#joinPending;
    if (pending) {
      this.#joinPending = undefined;
      pending.cleanup?.();
      pending.resolve();
    }
  }

  #handleErrorPresence(stanza: Element, from: JID): void {
    const error = StanzaError.fromStanza(stanza);
    if (this.#state === RoomState.JOIN_PRESENCE) {
      const failure = new MucJoinError(error);
      if (this.#entered) {
        // A rejoin was refused: we are out.
        this.#terminate({ presence: stanza, occupant: this.#me, mode: LeaveMode.ERROR, statusCodes: NO_CODES, reason: error.text }, failure);
      } else {
        this.#terminate(undefined, failure);
      }
      return;
    }
    const pending = this.#nickPending;
    if (pending && (stanza.attrs.id === pending.id || nicknameKey(from.resource) === nicknameKey(pending.nick))) {
      pending.reject(error);
      return;
    }
    this.#host.logger.debug('error presence from the room ignored', { from: String(stanza.attrs.from), condition: error.condition });
  }

  #handleErrorMessage(message: Message, stanza: Element): void {
    const error = StanzaError.fromStanza(stanza);
    const tracker = this.#matcher.byId(message.id);
    if (tracker) {
      tracker.transition(MessageState.ERROR, error);
      return;
    }
    const topic = this.#topicsPending.find((t) => t.id === message.id);
    if (topic) {
      this.#dropTopic(topic);
      topic.reject(error);
      return;
    }
    this.emit('messageError', { message, error });
  }

  #handleGroupchat(message: Message, from: JID): void {
    const isSubject = message.subject !== undefined && message.body.size === 0;
    const delayed = message.delay !== undefined;
    if (this.#state === RoomState.HISTORY && historyEnd({ kind: 'message', isSubject, delayed }) === 'before') {
      this.#setState(RoomState.ACTIVE);
    }
    const isHistory = this.#state === RoomState.HISTORY && delayed;
    const nick = from.resource;

    if (!isHistory && !isSubject && nick !== undefined) {
      const tracker = this.#matcher.match({ id: message.id, originId: message.originId, nick, body: message.body.any() }, this.#me?.nick);
      if (tracker) {
        this.#lastSeen = new Date(this.#host.clock.now());
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
        member = historySender(this.#registry, claimed, this.#host.randomId);
      } else {
        member = liveSender(this.#registry, claimed, this.#host.randomId);
      }
    }

    if (isSubject) {
      this.#subject = message.subject!;
      this.#subjectSetter = nick;
      const known = member === this.serviceMember || (nick !== undefined && this.#registry.get(nick) === member);
      this.emit('topicChanged', { member: known ? member : undefined, topic: this.#subject, nick });
      if (nick !== undefined && this.#me && nicknameKey(nick) === nicknameKey(this.#me.nick)) this.#resolveTopic(message);
      if (this.#state === RoomState.HISTORY) this.#setState(RoomState.ACTIVE);
      return;
    }

    this.#lastSeen = message.delay?.stamp ?? new Date(this.#host.clock.now());
    const stanzaId = message.stanzaId?.find((s) => s.by.equals(this.jid))?.id;
    this.emit('message', {
      message,
      member,
      source: MessageSource.STREAM,
      isHistory,
      ...(message.delay ? { delay: { stamp: message.delay.stamp, from: message.delay.from?.toString() } } : {}),
      ...(stanzaId !== undefined ? { stanzaId } : {}),
    });
  }

  #resolveTopic(message: Message): void {
    if (this.#topicsPending.length === 0) return;
    const text = message.subject?.any();
    const entry =
      this.#topicsPending.find((t) => t.id === message.id) ??
      this.#topicsPending.find((t) => t.text === text) ??
      this.#topicsPending[0]!;
    this.#dropTopic(entry);
    entry.resolve();
  }

  #dropTopic(entry: PendingTopic): void {
    const i = this.#topicsPending.indexOf(entry);
    if (i !== -1) this.#topicsPending.splice(i, 1);
  }

  #emitAll(events: RoomEventRecord[]): void {
    for (const [name, payload] of events) {
      if (name === 'exit') {
        this.#terminate(payload as RoomEvents['exit']);
        return;
      }
      this.emit(name, payload as never);
    }
  }

  #localExit(mode: LeaveMode): RoomEvents['exit'] {
    return { occupant: this.#me, mode, statusCodes: NO_CODES };
  }

  /**
   * End the room: state DISCONNECTED, pending operations failed, trackers aborted, removed
   * from the client; then `exit` (when given) and `stateChanged`.
   */
  #terminate(exit: RoomEvents['exit'] | undefined, joinError?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    const previous = this.#state;
    this.#state = RoomState.DISCONNECTED;
    const join = this.#joinPending;
    this.#joinPending = undefined;
    join?.cleanup?.();
    join?.reject(joinError ?? new NotJoinedError('The room was left'));
    this.#failPending(new NotJoinedError('The room was left'));
    for (const tracker of this.#matcher.all()) tracker.abort();
    this.#host.removed(this);
    if (exit) this.emit('exit', exit);
    if (previous !== RoomState.DISCONNECTED) this.emit('stateChanged', { state: RoomState.DISCONNECTED, previous });
    const leaves = this.#leavePending.splice(0);
    for (const l of leaves) l.resolve();
  }

  #failPending(error: Error): void {
    const nick = this.#nickPending;
    this.#nickPending = undefined;
    nick?.reject(error);
    for (const t of this.#topicsPending.splice(0)) t.reject(error);
  }

  #setState(state: RoomState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.emit('stateChanged', { state, previous });
  }

  #requireActive(): void {
    if (this.#closed) throw new NotJoinedError('The room was left');
    if (!this.isActive) throw new NotJoinedError(`The room is not joined yet (state ${this.#state})`);
  }

  #sendUnavailable(): void {
    const nick = this.#me?.nick ?? this.#nick;
    const presence = new Element('presence', { to: this.jid.withResource(nick).toString(), type: 'unavailable' });
    this.#host.connection.send(presence).catch((e: unknown) => this.#host.logger.debug('unavailable presence not sent', { error: e }));
  }

  #buildGroupchat(message: string | OutgoingMessage): Element {
    const init: OutgoingMessage = typeof message === 'string' ? { body: message } : message;
    const id = init.id ?? this.#host.newId();
    return buildMessage({ ...init, to: this.jid, type: 'groupchat', id, originId: init.originId ?? id });
  }

  #bounded<T>(promise: Promise<T>, options: AbortOptions, what: string, onCancel: () => void): Promise<T> {
    return raceAbort(promise, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clock: this.#host.clock,
      what,
      onCancel,
    });
  }
}
