/**
 * {@link Room}: one joined (or joining) multi-user chat: the local occupant's actions and
 * the join lifecycle (first join, abort/timeout, stream lost and re-established, client
 * closed). The state and inbound handling live in {@link RoomBase} (room-base.ts).
 */
import { Element } from 'ltx';
import { checkDuration, type AbortOptions } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../core/connection.js';
import { AbortError, DisconnectedError, InvalidArgumentError, NotJoinedError, StanzaError, TimeoutError, toError } from '../core/errors.js';
import { nicknameKey, prepareNickname } from '../core/jid.js';
import type { LanguageMap } from '../core/language-map.js';
import { NS } from '../core/namespaces.js';
import { type DataForm, DataFormCodec } from '../forms/form.js';
import type { Conversation } from '../im/conversation.js';
import { LeaveMode, RoomState } from './constants.js';
import { buildMessage } from './message.js';
import type { Occupant } from './occupant.js';
import { type PendingNick, type PendingTopic, RoomBase } from './room-base.js';
import {
  type OutgoingMessage,
  type SubmittableForm,
  bodyOf,
  deferred,
  formElement,
  groupchatMessage,
  joinPresence,
  nickPresence,
  ownerIq,
  privateMessage,
} from './room-stanzas.js';
import { MessageState, MessageTracker } from './tracking.js';

/** Options of {@link Room.sendMessageTracked}. */
export interface TrackedSendOptions {
  /** Time to wait for the reflection before `TIMED_OUT` (default 120 000; 0: never). */
  timeoutMs?: number | undefined;
}

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
export class Room extends RoomBase implements Conversation {
  // ---------------------------------------------------------------- actions

  /**
   * Send a groupchat message: a text, or a message whose `to`/`type` the room sets (an `id`
   * and an XEP-0359 origin-id are added when missing). Resolves once handed to the
   * connection. Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendMessage(message: string | OutgoingMessage): Promise<void> {
    this._requireActive();
    await this._host.connection.send(groupchatMessage(this.jid, message, this._host.newId));
  }

  /**
   * Send a groupchat message and track its reflection (see {@link MessageTracker}). A
   * reflection caught by the tracker is not emitted as `message`. Throws
   * {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  sendMessageTracked(message: string | OutgoingMessage, options: TrackedSendOptions = {}): MessageTracker {
    this._requireActive();
    const stanza = groupchatMessage(this.jid, message, this._host.newId);
    const tracker: MessageTracker = new MessageTracker({
      id: String(stanza.attrs.id),
      originId: stanza.getChild('origin-id', NS.SID)?.attrs.id as string | undefined,
      body: bodyOf(stanza).any(),
      stanza,
      timeoutMs: options.timeoutMs,
      clock: this._host.clock,
      logger: this._host.logger,
      onClose: () => this._matcher.remove(tracker),
    });
    this._matcher.add(tracker);
    this._host.connection.send(stanza).catch((e: unknown) => tracker.transition(MessageState.ERROR, toError(e)));
    return tracker;
  }

  /**
   * Send a MUC private message (`type="chat"` to `room/nick`, with the muc#user marker).
   * Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendPrivateMessage(to: Occupant | string, text: string): Promise<void> {
    this._requireActive();
    const nick = typeof to === 'string' ? prepareNickname(to) : to.nick;
    await this._host.connection.send(privateMessage(this.jid, nick, text, this._host.newId()));
  }

  /**
   * Set the subject. Resolves when the room reflects the new subject from us; rejects with
   * {@link StanzaError} (e.g. `forbidden`) on an error reply, {@link NotJoinedError} unless
   * HISTORY or ACTIVE, and `TimeoutError`/`AbortError` per `options`.
   */
  setTopic(topic: string | LanguageMap, options: AbortOptions = {}): Promise<void> {
    try {
      this._requireActive();
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    const id = this._host.newId();
    const d = deferred<void>();
    const entry: PendingTopic = { id, text: typeof topic === 'string' ? topic : topic.any(), resolve: d.resolve, reject: d.reject };
    this._topicsPending.push(entry);
    this._host.connection.send(buildMessage({ to: this.jid, type: 'groupchat', id, subject: topic })).catch((e: unknown) => d.reject(toError(e)));
    return this._bounded(d.promise, options, 'subject change', () => this._dropTopic(entry));
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
      this._requireActive();
      checkDuration('timeoutMs', options.timeoutMs);
      wanted = prepareNickname(nick);
      if (this._nickPending) throw new InvalidArgumentError('A nick change is already in progress');
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (nicknameKey(wanted) === nicknameKey(this._me?.nick) && wanted === this._me?.nick) return Promise.resolve(wanted);
    const id = this._host.newId();
    const d = deferred<string>();
    const entry: PendingNick = { id, nick: wanted, renamed: false, resolve: d.resolve, reject: d.reject };
    this._nickPending = entry;
    this._host.connection.send(nickPresence(this.jid, wanted, id)).catch((e: unknown) => d.reject(toError(e)));
    const settle = () => {
      if (this._nickPending === entry) this._nickPending = undefined;
    };
    d.promise.then(settle, settle);
    return this._bounded(d.promise, options, 'nick change', settle);
  }

  /**
   * Leave the room. Resolves on our unavailable self-presence (`exit` with mode NORMAL);
   * the room then leaves the client's bookkeeping. Leaving a room still joining abandons the
   * join (`joined` rejects with {@link AbortError}). On timeout or abort the room is removed
   * locally all the same (an `exit` without presence) and the promise rejects.
   */
  leave(options: AbortOptions = {}): Promise<void> {
    if (this._closed) return Promise.resolve();
    try {
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (!this.isActive) {
      if (this._state === RoomState.JOIN_PRESENCE && this._joinId !== undefined) this._sendUnavailable();
      this._terminate(this._entered ? this._localExit(LeaveMode.NORMAL) : undefined, new AbortError('Left the room before the join completed'));
      return Promise.resolve();
    }
    const d = deferred<void>();
    this._leavePending.push(d);
    this._sendUnavailable();
    return this._bounded(d.promise, options, 'leave', () => this._terminate(this._localExit(LeaveMode.NORMAL)));
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
    await this.#ownerSet(formElement(form), options);
  }

  /** Fetch the room's configuration form (muc#owner get), e.g. to fill for {@link createConfigured}. */
  async getConfiguration(options: AbortOptions = {}): Promise<DataForm> {
    const reply = await this._host.connection.request(ownerIq(this.jid, 'get'), this.#requestOptions(options));
    const x = reply.getChild('query', NS.MUC_OWNER)?.getChild('x', NS.DATA_FORMS);
    if (!x) throw new StanzaError({ type: 'cancel', condition: 'undefined-condition', text: 'No configuration form in the reply', stanza: reply });
    return DataFormCodec.decode(x, { logger: this._host.logger });
  }

  async #ownerSet(form: Element, options: AbortOptions): Promise<void> {
    if (!this.isJoined) throw new NotJoinedError();
    await this._host.connection.request(ownerIq(this.jid, 'set', form), this.#requestOptions(options));
  }

  #requestOptions(options: AbortOptions): AbortOptions {
    return { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  }

  // ---------------------------------------------------------------- client-facing (internal)

  /** Send the join presence (first join or rejoin). @internal */
  sendJoin(): void {
    if (this._closed) return;
    this._joinId = this._host.newId();
    const presence = joinPresence(this.jid, this._nick, this._joinId, this._history, this.password);
    this._host.connection.send(presence).catch((e: unknown) => this._host.logger.debug('join presence not sent', { room: this.jid.toString(), error: e }));
  }

  /** Bind the first join to an abort signal / timeout. @internal */
  bindJoin(options: AbortOptions): void {
    const pending = this._joinPending;
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
      timer = this._host.clock.setTimeout(() => {
        timer = undefined;
        this.#abandonJoin(new TimeoutError(`The join timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    pending.cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) this._host.clock.clearTimeout(timer);
    };
  }

  #abandonJoin(error: Error): void {
    if (this._closed || !this._joinPending) return;
    if (this._state === RoomState.JOIN_PRESENCE && this._joinId !== undefined) this._sendUnavailable();
    this._terminate(undefined, error);
  }

  /** The stream is gone (not resumed). @internal */
  streamDestroyed(): void {
    if (this._closed) return;
    this._joinId = undefined;
    this._disconnectedAt = new Date(this._host.clock.now());
    this._failPending(new DisconnectedError('The stream was lost'));
    if (this.autorejoin) {
      if (this._state === RoomState.DISCONNECTED) return;
      this._setState(RoomState.DISCONNECTED);
      if (this._entered) this.emit('suspend', {});
      return;
    }
    this._terminate(this._entered ? this._localExit(LeaveMode.DISCONNECTED) : undefined, new DisconnectedError('The stream was lost during the join'));
  }

  /** A new stream is up. @internal */
  streamEstablished(): void {
    if (this._closed) return;
    if (this.isActive) {
      // A new session without a `destroyed` first: the old occupancy is gone all the same.
      this.streamDestroyed();
      if (this._closed) return;
    }
    if (this._state === RoomState.JOIN_PRESENCE) {
      // Whatever was sent on an earlier session is lost.
      this.sendJoin();
      return;
    }
    if (this._state !== RoomState.DISCONNECTED) return;
    this._registry.clear();
    if (this._entered) {
      const since = this._lastSeen ?? this._disconnectedAt;
      this._history = since ? { since } : this._history;
    }
    this._setState(RoomState.JOIN_PRESENCE);
    if (this._entered) this.emit('resume', {});
    this.sendJoin();
  }

  /** The client is closing: leave without waiting. @internal */
  closeFromClient(): void {
    if (this._closed) return;
    if (this.isActive || (this._state === RoomState.JOIN_PRESENCE && this._joinId !== undefined)) this._sendUnavailable();
    this._terminate(this._entered ? this._localExit(LeaveMode.NORMAL) : undefined, new AbortError('The MUC client was closed'));
  }
}
