/**
 * The conversation contracts (aioxmpp `aioxmpp.im`): what every kind of conversation and
 * conversation member offers, whatever protocol carries it. `Room` implements
 * {@link Conversation}; `Occupant` and `ServiceMember` implement {@link ConversationMember}.
 */
import type { JID } from '../core/jid.js';

/** How a message reached us (aioxmpp `MessageSource`). MUC messages come from the stream, or from a catch-up. */
export const MessageSource = {
  /** Received directly over the stream. */
  STREAM: 'stream',
  /** A XEP-0280 carbon copy of a message sent or received by another resource. */
  CARBONS: 'carbons',
  /** Caught up from the room's XEP-0313 archive after a rejoin or a stale period. */
  ARCHIVE: 'archive',
  /** Caught up from the history a room replayed on an automatic rejoin (`since` the last message). */
  HISTORY: 'history',
  /** Ours: the local echo of a message we sent with tracking (`Room.sendMessageTracked`). */
  LOCAL: 'local',
} as const;

/** One of the {@link MessageSource} values. */
export type MessageSource = (typeof MessageSource)[keyof typeof MessageSource];

/** How an invitation was sent (aioxmpp `InviteMode`). */
export const InviteMode = {
  /** XEP-0249 direct invitation: sent by the inviter's client; the inviter address is its sender. */
  DIRECT: 'direct',
  /** XEP-0045 mediated invitation: relayed by the room; the inviter it names is never proven. */
  MEDIATED: 'mediated',
} as const;

/** One of the {@link InviteMode} values. */
export type InviteMode = (typeof InviteMode)[keyof typeof InviteMode];

/** Optional capabilities of a conversation (aioxmpp `ConversationFeature`). */
export const ConversationFeature = {
  /** Members can be banned. */
  BAN: 'ban',
  /** A ban also removes the member at once. */
  BAN_WITH_KICK: 'ban-with-kick',
  /** Others can be invited (mediated by the conversation). */
  INVITE: 'invite',
  /** Others can be invited directly (XEP-0249). */
  INVITE_DIRECT: 'invite-direct',
  /** Members can be kicked. */
  KICK: 'kick',
  /** The conversation can be left. */
  LEAVE: 'leave',
  /** Messages can be sent. */
  SEND_MESSAGE: 'send-message',
  /** Messages can be sent with delivery tracking. */
  SEND_MESSAGE_TRACKED: 'send-message-tracked',
  /** The local nickname can be changed. */
  SET_NICK: 'set-nick',
  /** The topic (subject) can be set. */
  SET_TOPIC: 'set-topic',
} as const;

/** One of the {@link ConversationFeature} values. */
export type ConversationFeature = (typeof ConversationFeature)[keyof typeof ConversationFeature];

/** A member of a conversation (aioxmpp `AbstractConversationMember`). */
export interface ConversationMember {
  /** The member's address relative to the conversation (for a MUC occupant: `room@service/nick`). */
  readonly conversationJid: JID;
  /** The member's real address, when known. */
  readonly directJid: JID | undefined;
  /** Whether this member is the local user. */
  readonly isSelf: boolean;
  /**
   * An opaque identifier: equal for two members only when they are (as far as can be told)
   * the same entity. Compare it, never parse it.
   */
  readonly uid: string;
}

/** A conversation (aioxmpp `AbstractConversation`): a one-to-one chat or a room. */
export interface Conversation {
  /** The conversation's address (for a room: its bare JID). */
  readonly jid: JID;
  /** The local member, once known. */
  readonly me: ConversationMember | undefined;
  /** Every member (a copy; the local member first). */
  readonly members: readonly ConversationMember[];
  /** Send a text message to the conversation. */
  sendMessage(text: string): Promise<unknown>;
  /** Leave the conversation. */
  leave(): Promise<void>;
}
