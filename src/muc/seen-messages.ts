import type { JID } from '../core/jid.js';
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
   * Whether this message (its strongest key, as {@link SeenMessages.keysOf} would give it)
   * was seen; the same as `has(keysOf(...))` without building the key list.
   */
  hasMessage(message: Message, roomStanzaId: string | undefined, nick: string | undefined): boolean {
    let key: string;
    if (roomStanzaId !== undefined) key = `sid\u0000${roomStanzaId}`;
    else if (message.originId !== undefined) key = `oid\u0000${nick ?? ''}\u0000${message.originId}`;
    else if (message.id !== undefined) key = `id\u0000${nick ?? ''}\u0000${message.id}`;
    else return false;
    return this.#keys.has(key);
  }

  /** Remember this message's keys; the same as `add(keysOf(...))` without building the key list. */
  addMessage(message: Message, roomStanzaId: string | undefined, nick: string | undefined): void {
    if (roomStanzaId !== undefined) this.#remember(`sid\u0000${roomStanzaId}`);
    if (message.originId !== undefined) this.#remember(`oid\u0000${nick ?? ''}\u0000${message.originId}`);
    if (message.id !== undefined) this.#remember(`id\u0000${nick ?? ''}\u0000${message.id}`);
    this.#evict();
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
    for (const k of keys) this.#remember(k);
    this.#evict();
  }

  /** Add `key` as the newest. */
  #remember(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
  }

  /** Forget the oldest keys beyond the limit (one iterator; deleting while iterating a Set is safe). */
  #evict(): void {
    let excess = this.#keys.size - this.#limit;
    if (excess <= 0) return;
    const it = this.#keys.values();
    while (excess-- > 0) this.#keys.delete(it.next().value as string);
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#keys.size;
  }
}

/** The id of the XEP-0359 `<stanza-id/>` assigned by the room `room` (its `by`), if any. */
export function roomStanzaId(message: Message, room: JID): string | undefined {
  const ids = message.stanzaId;
  if (ids === undefined) return undefined;
  for (const s of ids) if (s.by === room || s.by.equals(room)) return s.id;
  return undefined;
}
