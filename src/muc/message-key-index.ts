/**
 * {@link MessageKeyIndex}: the messages a room has seen, by their keys (the rule is in
 * `message-keys.ts`), bounded and O(1) per message.
 */
import type { Message } from './message.js';
import { type MessageKeys, fingerprint, idKeyBody, idKeyOf, isSameMessage, originKeyOf } from './message-keys.js';

/** How many messages a {@link MessageKeyIndex} remembers by default. */
export const MESSAGE_KEY_INDEX_LIMIT = 500;

/** The maps of one generation of an index: the newest message (its sequence number) per key. */
class Generation {
  readonly byStanzaId = new Map<string, number>();
  readonly byOrigin = new Map<string, number>();
  readonly byId = new Map<string, number>();
}

/** The previous generation of an index that has not filled its first one yet (stays empty). */
const NO_GENERATION = new Generation();

/**
 * The newest remembered message with `key` in a map of the current generation, else of the
 * previous one (one in the current one is newer), if it is still among the newest (sequence
 * number at least `oldest`); else -1.
 */
function newest(current: Map<string, number>, previous: Map<string, number>, key: string, oldest: number): number {
  const seq = current.get(key) ?? previous.get(key);
  return seq !== undefined && seq >= oldest ? seq : -1;
}

/**
 * The messages already seen, by their {@link MessageKeys}, answering "seen before?" by
 * {@link isSameMessage} in O(1): one map per key kind. Bounded: exactly the newest `limit`
 * remembered messages count. When several of them share an origin or id key, the newest one is
 * compared.
 *
 * How it stays cheap per message: the remembered messages are a ring of `limit` slots held as
 * one array per field (no object per message: a room's live messages would otherwise fill the
 * heap's old generation with objects that all die there), and the maps hold sequence numbers.
 * The maps come in two generations of `limit` messages each: a lookup reads the current one,
 * then the previous one, and ignores a message older than the newest `limit`; when the current
 * one is full it becomes the previous one and the one before it (all of whose messages are
 * past the limit) is dropped, so nothing is deleted message by message. And while every
 * remembered message has a stanza-id, the rule decides a question about a message with a
 * stanza-id by the stanza-ids alone, so the origin and id keys of a room's live messages are
 * not even built until a question needs them. A room remembers every message it receives, for
 * as long as it is joined: this is what its no-loss catch-up costs, and it is paid on every
 * message.
 */
export class MessageKeyIndex {
  readonly #limit: number;
  /** How many messages were remembered in all (the next sequence number; slot `seq % limit`). */
  #seq = 0;
  /** The sequence number of the newest remembered message without a stanza-id (below every `oldest` while none). */
  #lastWithoutStanzaId: number;
  /** The messages below this sequence number are in their generation's origin and id maps. */
  #indexed = 0;
  /** The maps of the messages `[n × limit, (n + 1) × limit)`, n = `floor((seq - 1) / limit)`. */
  #current = new Generation();
  /** The maps of the `limit` messages before those (a shared empty one until the first rotation). */
  #previous = NO_GENERATION;
  // The ring, one array per field; a message's slot is its sequence number modulo `limit`.
  readonly #stanzaId: (string | undefined)[] = [];
  /** The origin and id keys, once built (or as given to `remember`). */
  readonly #originKey: (string | undefined)[] = [];
  readonly #idKey: (string | undefined)[] = [];
  /** The delay stamp (ms since the epoch), NaN for none. */
  readonly #stamp: number[] = [];
  // What the origin and id keys of a message remembered by `rememberMessage` are built from.
  readonly #nick: string[] = [];
  readonly #originId: (string | undefined)[] = [];
  readonly #id: (string | undefined)[] = [];
  readonly #bodyLength: number[] = [];
  /** The body's fingerprint as a signed 32-bit integer (a small integer for V8, never a boxed number). */
  readonly #bodyHash: number[] = [];

  /** Remembers the newest `limit` messages (at least 1). */
  constructor(limit = MESSAGE_KEY_INDEX_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`MessageKeyIndex limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
    this.#lastWithoutStanzaId = -limit - 1;
  }

  /** The remembered message that `keys` is the same as, if any (its keys). */
  find(keys: MessageKeys): MessageKeys | undefined {
    const oldest = this.#seq - this.#limit;
    const cur = this.#current;
    const prev = this.#previous;
    if (keys.stanzaId !== undefined) {
      const hit = newest(cur.byStanzaId, prev.byStanzaId, keys.stanzaId, oldest);
      if (hit !== -1) return this.#keysAt(hit);
      // Every remembered message has a stanza-id, none of them this one: none is the same.
      if (this.#lastWithoutStanzaId < oldest) return undefined;
    }
    const originKey = keys.originKey;
    const idKey = keys.idKey;
    if (originKey === undefined && idKey === undefined) return undefined;
    this.#indexRest();
    if (originKey !== undefined) {
      const hit = newest(cur.byOrigin, prev.byOrigin, originKey, oldest);
      if (hit !== -1) {
        const found = this.#keysAt(hit);
        if (isSameMessage(keys, found)) return found;
      }
    }
    if (idKey !== undefined) {
      const hit = newest(cur.byId, prev.byId, idKey, oldest);
      if (hit !== -1) {
        const found = this.#keysAt(hit);
        if (isSameMessage(keys, found)) return found;
      }
    }
    return undefined;
  }

  /** Whether a message with `keys` was seen. */
  has(keys: MessageKeys): boolean {
    return this.find(keys) !== undefined;
  }

  /** Remember a message; returns `false` (and remembers nothing new) when it was already seen. */
  add(keys: MessageKeys): boolean {
    if (this.has(keys)) return false;
    this.remember(keys);
    return true;
  }

  /**
   * Remember a message without asking first whether it was seen: for a caller that already
   * knows it is new, or for whom a repeat does no harm (a live message: the same message
   * remembered twice is found either way). A message without any key is not remembered.
   */
  remember(keys: MessageKeys): void {
    const { stanzaId, originKey, idKey } = keys;
    if (stanzaId === undefined && originKey === undefined && idKey === undefined) return;
    const slot = this.#next(stanzaId);
    this.#originKey[slot] = originKey;
    this.#idKey[slot] = idKey;
    this.#stamp[slot] = keys.stamp ?? Number.NaN;
    this.#nick[slot] = '';
    this.#originId[slot] = undefined;
    this.#id[slot] = undefined;
    this.#bodyLength[slot] = 0;
    this.#bodyHash[slot] = 0;
  }

  /**
   * {@link remember} for a room's message, with its keys as `messageKeys` would build them from
   * the room's stanza-id and the sender's nick (the hot path: nothing is allocated; the origin
   * and id keys are built when a question first needs them).
   * @internal
   */
  rememberMessage(message: Message, stanzaId: string | undefined, nick: string | undefined): void {
    const originId = message.originId;
    const id = message.id;
    if (stanzaId === undefined && originId === undefined && id === undefined) return;
    const slot = this.#next(stanzaId);
    this.#originKey[slot] = undefined;
    this.#idKey[slot] = undefined;
    this.#stamp[slot] = message.delay === undefined ? Number.NaN : message.delay.stamp.getTime();
    this.#nick[slot] = nick ?? '';
    this.#originId[slot] = originId;
    this.#id[slot] = id;
    const body = idKeyBody(message);
    this.#bodyLength[slot] = body.length;
    this.#bodyHash[slot] = fingerprint(body) | 0;
  }

  /** How many messages are remembered. */
  get size(): number {
    return Math.min(this.#seq, this.#limit);
  }

  /** Takes the next slot (and sequence number) for a message with `stanzaId`. */
  #next(stanzaId: string | undefined): number {
    const seq = this.#seq++;
    const slot = seq % this.#limit;
    // A new generation starts with every `limit`-th message; the one before the previous is
    // dropped whole (all of its messages are past the newest `limit`).
    if (slot === 0 && seq > 0) {
      this.#previous = this.#current;
      this.#current = new Generation();
    }
    this.#stanzaId[slot] = stanzaId;
    if (stanzaId !== undefined) this.#current.byStanzaId.set(stanzaId, seq);
    else this.#lastWithoutStanzaId = seq;
    return slot;
  }

  /** Puts the origin and id keys of the messages not yet there into their generation's maps, oldest first. */
  #indexRest(): void {
    const end = this.#seq;
    const limit = this.#limit;
    // The current generation starts at the last multiple of `limit` below `end`.
    const currentStart = end - 1 - ((end - 1) % limit);
    for (let seq = Math.max(this.#indexed, end - limit); seq < end; seq++) {
      const slot = seq % limit;
      const gen = seq >= currentStart ? this.#current : this.#previous;
      const originKey = this.#originKeyAt(slot);
      if (originKey !== undefined) gen.byOrigin.set(originKey, seq);
      const idKey = this.#idKeyAt(slot);
      if (idKey !== undefined) gen.byId.set(idKey, seq);
    }
    this.#indexed = end;
  }

  #originKeyAt(slot: number): string | undefined {
    let key = this.#originKey[slot];
    const originId = this.#originId[slot];
    if (key === undefined && originId !== undefined) key = this.#originKey[slot] = originKeyOf(this.#nick[slot]!, originId);
    return key;
  }

  #idKeyAt(slot: number): string | undefined {
    let key = this.#idKey[slot];
    const id = this.#id[slot];
    if (key === undefined && id !== undefined) {
      key = this.#idKey[slot] = idKeyOf(this.#nick[slot]!, id, this.#bodyLength[slot]!, this.#bodyHash[slot]! >>> 0);
    }
    return key;
  }

  /** The keys of the remembered message `seq` (a new object: the index keeps none per message). */
  #keysAt(seq: number): MessageKeys {
    const slot = seq % this.#limit;
    const stamp = this.#stamp[slot]!;
    return {
      stanzaId: this.#stanzaId[slot],
      originKey: this.#originKeyAt(slot),
      idKey: this.#idKeyAt(slot),
      stamp: Number.isNaN(stamp) ? undefined : stamp,
    };
  }
}
