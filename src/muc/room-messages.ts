/**
 * The messages a {@link Room} receives, and its subject: groupchat messages (classified by
 * groupchat.ts: subject, duplicate of replayed history, reflection of a tracked message,
 * message), error replies (to a tracked message, to a subject change, else `messageError`),
 * MUC private messages; and our tracked messages (sent here, settled by their reflection,
 * their XEP-0198 ack or an error reply).
 * @internal
 */
import type { Element } from 'ltx';
import { StanzaError, toError } from '../core/errors.js';
import { type JID, nicknameKey } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { NS } from '../core/namespaces.js';
import { MessageSource } from '../im/conversation.js';
import { RoomState } from './constants.js';
import { classifyGroupchat } from './groupchat.js';
import { type HistoryReplay, liveSender } from './history.js';
import { type Message, readMessage, readMessageFrom } from './message.js';
import type { ServiceMember } from './occupant.js';
import { findUserExt } from './payloads/user.js';
import type { TopicChanges } from './pending-ops.js';
import type { RoomContext } from './room-context.js';
import type { RoomEvents, RoomMember } from './room-events.js';
import { bodyOf } from './room-stanzas.js';
import { MessageState, MessageTracker, type ReflectionMatcher } from './tracking.js';

/** The parts of its room that message handling works with. @internal */
export interface MessageParts {
  replay: HistoryReplay;
  trackers: ReflectionMatcher;
  topics: TopicChanges;
  serviceMember: ServiceMember;
}

/** The inbound messages of one room. @internal */
export class RoomMessages {
  /** The current subject (empty until received). */
  subject = new LanguageMap();
  /** The nick of whoever set the subject, if known. */
  subjectSetter: string | undefined;
  readonly #ctx: RoomContext;
  readonly #parts: MessageParts;
  /** The last stanza-id `by` JID found equal to the room's (the same object on every message). */
  #roomBy: JID | undefined;

  constructor(ctx: RoomContext, parts: MessageParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  /** A message whose bare `from` is the room. Returns whether it was claimed. */
  handle(stanza: Element, from: JID): boolean {
    const ctx = this.#ctx;
    if (ctx.closed) return false;
    const type = stanza.attrs.type as string | undefined;
    if (type === 'groupchat') {
      this.#groupchat(readMessageFrom(stanza, ctx.host.logger, from), from);
      return true;
    }
    if (type === 'error') {
      this.#error(readMessage(stanza, ctx.host.logger), stanza);
      return true;
    }
    if (type === 'chat' && from.resource !== undefined) {
      const message = readMessage(stanza, ctx.host.logger);
      if (!message.hasMucUserMarker) return false;
      const member = liveSender(ctx.registry, { from, occupantId: message.occupantId }, ctx.host.randomId);
      ctx.emit('privateMessage', { message, member });
      return true;
    }
    return false;
  }

  /** Send a groupchat message built for the room and track its reflection (see `Room.sendMessageTracked`). */
  sendTracked(stanza: Element, timeoutMs: number | undefined): MessageTracker {
    const ctx = this.#ctx;
    const trackers = this.#parts.trackers;
    const tracker: MessageTracker = new MessageTracker({
      id: String(stanza.attrs.id),
      originId: stanza.getChild('origin-id', NS.SID)?.attrs.id as string | undefined,
      body: bodyOf(stanza).any(),
      stanza,
      timeoutMs,
      clock: ctx.host.clock,
      logger: ctx.host.logger,
      onClose: () => trackers.remove(tracker),
    });
    trackers.add(tracker);
    ctx.host.connection.send(stanza).catch((e: unknown) => tracker.transition(MessageState.ERROR, toError(e)));
    // The local echo (aioxmpp's on_message for a tracked send): drawn at once, its reflection suppressed.
    const me = ctx.me;
    if (me)
      ctx.emit('message', {
        message: readMessage(stanza, ctx.host.logger),
        member: me,
        source: MessageSource.LOCAL,
        isHistory: false,
        tracker,
      });
    return tracker;
  }

  /** An XEP-0198 ack for a message sent to the room. */
  acked(stanza: Element): void {
    const tracker = this.#parts.trackers.byId(stanza.attrs.id as string | undefined);
    if (tracker && tracker.stanza === stanza && tracker.state === MessageState.IN_TRANSIT) {
      tracker.transition(MessageState.DELIVERED_TO_SERVER);
    }
  }

  /**
   * A subject message. Its setter is resolved by nick, delayed or not (the subject is state,
   * not history: Prosody delays it on every join): the occupant with that nick, the room's
   * service member, else `undefined`. On join (HISTORY) `topicChanged` is emitted only iff a
   * topic is set (as aioxmpp: not for the empty `<subject/>`); the room becomes ACTIVE.
   */
  #subject(message: Message, from: JID, onJoin: boolean): void {
    const ctx = this.#ctx;
    const nick = from.resource;
    this.subject = message.subject!;
    this.subjectSetter = nick;
    const member: RoomMember | undefined = nick === undefined ? this.#parts.serviceMember : ctx.registry.get(nick);
    const isSet = [...this.subject.values()].some((text) => text !== '');
    if (!onJoin || isSet) ctx.emit('topicChanged', { member, topic: this.subject, nick });
    const me = ctx.me;
    if (nick !== undefined && me && nicknameKey(nick) === nicknameKey(me.nick)) this.#parts.topics.onOwnSubject(message);
    if (ctx.state === RoomState.HISTORY) ctx.setState(RoomState.ACTIVE);
  }

  #error(message: Message, stanza: Element): void {
    const error = StanzaError.fromStanza(stanza);
    const tracker = this.#parts.trackers.byId(message.id);
    if (tracker) {
      tracker.transition(MessageState.ERROR, error);
      return;
    }
    if (this.#parts.topics.onError(message.id, error)) return;
    this.#ctx.emit('messageError', { message, error });
  }

  /** The id of the XEP-0359 `<stanza-id/>` assigned by the room (its `by`), if any (as `roomStanzaId`). */
  #roomStanzaId(message: Message): string | undefined {
    const ids = message.stanzaId;
    if (ids === undefined) return undefined;
    const room = this.#ctx.jid;
    for (const s of ids) {
      if (s.by === this.#roomBy || s.by === room) return s.id;
      if (s.by.equals(room)) {
        this.#roomBy = s.by;
        return s.id;
      }
    }
    return undefined;
  }

  #groupchat(message: Message, from: JID): void {
    const ctx = this.#ctx;
    const { replay, trackers, serviceMember } = this.#parts;
    const nick = from.resource;
    const stanzaId = this.#roomStanzaId(message);
    const verdict = classifyGroupchat({ message, nick, stanzaId, state: ctx.state, myNick: ctx.me?.nick, seen: replay.seen, trackers });
    const { kind, isHistory } = verdict;
    if (verdict.endsHistory === 'before') ctx.setState(RoomState.ACTIVE);
    if (isHistory) replay.arm();
    if (kind === 'duplicate') {
      ctx.host.logger.debug('history message already seen before the rejoin; not emitted again', {
        room: ctx.jid.toString(),
        id: message.id,
      });
      return;
    }
    if (kind !== 'subject') replay.remember(message, stanzaId, nick);
    if (kind === 'reflection') {
      const tracker = verdict.tracker!;
      replay.received(undefined);
      tracker.response = message.element;
      tracker.transition(MessageState.DELIVERED_TO_RECIPIENT);
      return;
    }

    if (kind === 'subject') {
      this.#subject(message, from, ctx.state === RoomState.HISTORY);
      return;
    }

    let member: RoomMember;
    if (nick === undefined) member = serviceMember;
    else if (isHistory) member = replay.sender(from, message);
    else member = liveSender(ctx.registry, { from, occupantId: message.occupantId }, ctx.host.randomId);

    const delay = message.delay;
    replay.received(delay?.stamp);
    const statusCodes = nick === undefined && message.hasMucUserMarker ? findUserExt(message.element)?.statusCodes : undefined;
    const payload: RoomEvents['message'] = { message, member, source: MessageSource.STREAM, isHistory };
    if (delay) payload.delay = { stamp: delay.stamp, from: delay.from?.toString() };
    if (stanzaId !== undefined) payload.stanzaId = stanzaId;
    if (statusCodes !== undefined && statusCodes.size > 0) payload.statusCodes = statusCodes;
    ctx.emit('message', payload);
  }
}
