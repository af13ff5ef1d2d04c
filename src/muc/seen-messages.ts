import type { Message } from './message.js';

/** How many message keys a room remembers for de-duplicating history after a rejoin. */
export const SEEN_MESSAGES_LIMIT = 500;

/**
 * The identities of the messages a room has already emitted (or matched to a tracker), so
 * that the history a service replays after an automatic rejoin does not repeat them: the
 * rejoin asks for history `since` the last message seen, and services compare at a
 * one-second granularity, so the last messages come back. Keys, strongest first: the
 * XEP-0359 stanza-id assigned by the room, the origin-id, then the sender's nick with the
 * message id. Bounded (oldest keys forgotten first); O(1) per message.
 */
export class SeenMessages {
  readonly #keys = new Set<string>();
  readonly #limit: number;

  constructor(limit = SEEN_MESSAGES_LIMIT) {
    this.#limit = limit;
  }

  /** The keys a message is known by, strongest first. */
  static keysOf(message: Message, roomStanzaId: string | undefined, nick: string | undefined): string[] {
    const keys: string[] = [];
    if (roomStanzaId !== undefined) keys.push(`sid\u0000${roomStanzaId}`);
    if (message.originId !== undefined) keys.push(`oid\u0000${nick ?? ''}\u0000${message.originId}`);
    if (message.id !== undefined) keys.push(`id\u0000${nick ?? ''}\u0000${message.id}`);
    return keys;
  }

  /**
   * Whether the message with these keys (strongest first, as {@link SeenMessages.keysOf}
   * returns them) was seen: only the strongest key decides, so a new message that merely
   * reuses an old client id but has its own stanza-id is not taken for the old one.
   */
  has(keys: readonly string[]): boolean {
    return keys.length > 0 && this.#keys.has(keys[0]!);
  }

  /** Remember `keys`, forgetting the oldest beyond the limit. */
  add(keys: readonly string[]): void {
    for (const k of keys) {
      this.#keys.delete(k);
      this.#keys.add(k);
    }
    while (this.#keys.size > this.#limit) {
      const oldest = this.#keys.values().next().value as string;
      this.#keys.delete(oldest);
    }
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#keys.size;
  }
}
