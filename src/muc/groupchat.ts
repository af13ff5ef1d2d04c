/**
 * What a groupchat message from a room is, decided by {@link classifyGroupchat} (pure: it
 * reads the room's state, its seen messages and its open trackers, and changes nothing).
 */
import { RoomState } from './constants.js';
import { type HistoryEnd, historyEnd } from './history.js';
import type { Message } from './message.js';
import type { SeenMessages } from './seen-messages.js';
import type { MessageTracker, ReflectionCandidate } from './tracking.js';

/**
 * What a groupchat message is: `'subject'` a subject change (a `<subject/>` without a body,
 * also the one that ends the history); `'duplicate'` replayed history already emitted before
 * a rejoin (dropped); `'reflection'` the reflection of a message we sent with a tracker
 * (settles the tracker, not emitted); `'message'` a message to emit.
 */
export type GroupchatKind = 'subject' | 'duplicate' | 'reflection' | 'message';

/** The verdict of {@link classifyGroupchat}. */
export interface GroupchatClass {
  /** What the message is. */
  kind: GroupchatKind;
  /**
   * What it does to the HISTORY state (`'no'` outside it): `'before'` makes the room ACTIVE
   * before it is handled (a live message: the service sends no more history), `'after'` once
   * it is handled (the subject).
   */
  endsHistory: HistoryEnd;
  /** Whether it is replayed history: delayed, received in the HISTORY state. */
  isHistory: boolean;
  /** The tracker whose reflection it is (kind `'reflection'`). */
  tracker?: MessageTracker | undefined;
}

/** What {@link classifyGroupchat} looks at. */
export interface GroupchatInput {
  /** The decoded message. */
  message: Message;
  /** The sender's nick (resource of `from`); `undefined` for the room itself. */
  nick: string | undefined;
  /** The XEP-0359 stanza-id the room assigned, if any. */
  stanzaId: string | undefined;
  /** The room's state when it arrived. */
  state: RoomState;
  /** Our nick in the room, once entered. */
  myNick: string | undefined;
  /** The messages already emitted. */
  seen: Pick<SeenMessages, 'hasMessage'>;
  /** The open trackers of messages we sent. */
  trackers: {
    readonly size: number;
    match(message: ReflectionCandidate, myNick: string | undefined): MessageTracker | undefined;
  };
}

/**
 * Classify a groupchat message: a subject (a `<subject/>` and no body); else, in history, a
 * duplicate when its strongest key was seen; else, live from a nick, the reflection of a
 * tracked message of ours; else a message. Pure: the caller remembers the message as seen
 * and settles the tracker.
 */
export function classifyGroupchat(input: GroupchatInput): GroupchatClass {
  const { message, nick, state } = input;
  const isSubject = message.subject !== undefined && message.body.size === 0;
  const delayed = message.delay !== undefined;
  const endsHistory: HistoryEnd = state === RoomState.HISTORY ? historyEnd({ kind: 'message', isSubject, delayed }) : 'no';
  const isHistory = state === RoomState.HISTORY && delayed;
  if (isSubject) return { kind: 'subject', endsHistory, isHistory };
  if (isHistory && input.seen.hasMessage(message, input.stanzaId, nick)) return { kind: 'duplicate', endsHistory, isHistory };
  // The matcher finds nothing without open trackers: skip building its candidate.
  if (!isHistory && nick !== undefined && input.trackers.size > 0) {
    const tracker = input.trackers.match({ id: message.id, originId: message.originId, nick, body: message.body.any() }, input.myNick);
    if (tracker) return { kind: 'reflection', endsHistory, isHistory, tracker };
  }
  return { kind: 'message', endsHistory, isHistory };
}
