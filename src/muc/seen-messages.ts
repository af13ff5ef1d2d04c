import type { Message } from './message.js';
import { MESSAGE_KEY_INDEX_LIMIT, MessageKeyIndex } from './message-key-index.js';
import { keysWith } from './message-keys.js';

/** How many messages a room remembers for de-duplicating catch-up after a rejoin. */
export const SEEN_MESSAGES_LIMIT = MESSAGE_KEY_INDEX_LIMIT;

/**
 * The messages a room has already emitted (or matched to a tracker), so that what a rejoin
 * catches up (history `since` the last message, compared by services at a one-second
 * granularity; or the archive) does not repeat them. A {@link MessageKeyIndex} under the
 * message-keys.ts rule: the room's stanza-id, else the origin-id with the nick, else the
 * message id with the nick AND the body (and the delay stamps when both have one), so a
 * client that reuses or counts ids does not lose a new message. Bounded; O(1) per message.
 */
export class SeenMessages {
  /** The index itself (shared with the archive catch-up). */
  readonly index: MessageKeyIndex;

  constructor(limit = SEEN_MESSAGES_LIMIT) {
    this.index = new MessageKeyIndex(limit);
  }

  /** Whether this message (room stanza-id `roomStanzaId`, sender `nick`) was seen. */
  hasMessage(message: Message, roomStanzaId: string | undefined, nick: string | undefined): boolean {
    return this.index.has(keysWith(message, roomStanzaId, nick, message.delay?.stamp));
  }

  /**
   * Remember this message, without asking whether it was seen (see `MessageKeyIndex.remember`):
   * a history message is asked about first ({@link hasMessage}), a live one is emitted either way.
   */
  rememberMessage(message: Message, roomStanzaId: string | undefined, nick: string | undefined): void {
    this.index.rememberMessage(message, roomStanzaId, nick);
  }

  /** How many messages are remembered. */
  get size(): number {
    return this.index.size;
  }
}
