/**
 * The identity of a room message, for telling whether a message caught up from the room's
 * archive or history is one already received live (or in an earlier catch-up).
 *
 * The rule, strongest evidence first (each step applies only when BOTH messages carry the key):
 * 1. the XEP-0359 stanza-id assigned by the room (`by` = the room; for an archive result, its
 *    archive id): equal ids are the same message, different ids are different messages;
 * 2. the origin-id with the sender's nick;
 * 3. the message `id` with the sender's nick and the body, and the delay stamps when both
 *    have one (within a second: services store stamps at different precisions).
 * A message with none of these keys is never taken for another.
 */
import type { JID } from '../core/jid.js';
import type { Message } from './message.js';

/** The keys of one message (see the module rule). */
export interface MessageKeys {
  /** The room's stanza-id (or the archive id of an archive result). */
  readonly stanzaId: string | undefined;
  /** The origin-id with the sender's nick. */
  readonly originKey: string | undefined;
  /** The message id with the sender's nick and (a hash of) the body. */
  readonly idKey: string | undefined;
  /** The delay stamp in ms since the epoch, when the message carries one. */
  readonly stamp: number | undefined;
}

/** What {@link messageKeys} needs besides the message. */
export interface MessageKeyOptions {
  /** The archive id of an archive result (it is the room's stanza-id); wins over the stanza's own. */
  archiveId?: string | undefined;
  /** The original time, when it comes from outside the message (an archive result's `<delay/>`). */
  stamp?: Date | undefined;
}

/** Stamps this close (ms) are taken as the same time. */
const STAMP_TOLERANCE_MS = 1000;

/** FNV-1a (32 bit) of a string: a body's fingerprint without keeping the body. */
function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The origin key: the origin-id with the sender's nick. */
function originKeyOf(nick: string, originId: string): string {
  return `${nick}\u0000${originId}`;
}

/** The id key: the message id with the sender's nick and the body's length and fingerprint (8 hex digits). */
function idKeyOf(nick: string, id: string, bodyLength: number, bodyHash: number): string {
  return `${nick}\u0000${id}\u0000${bodyLength}:${bodyHash.toString(16).padStart(8, '0')}`;
}

/** The id the room `room` assigned to `message` (the XEP-0359 `<stanza-id/>` whose `by` is the room), if any. */
export function roomStanzaId(message: Message, room: JID): string | undefined {
  const ids = message.stanzaId;
  if (ids === undefined) return undefined;
  for (const s of ids) if (s.by === room || s.by.equals(room)) return s.id;
  return undefined;
}

/**
 * The keys of `message` received in room `room` (live, from history, or from the archive
 * with `options.archiveId`). The sender is the nick of `message.from`.
 *
 * @example
 * ```ts
 * const keys = messageKeys(archived.message, room.jid, { archiveId: archived.archiveId, stamp: archived.delay?.stamp });
 * if (!seen.has(keys)) { seen.add(keys); emit(archived); }
 * ```
 */
export function messageKeys(message: Message, room: JID, options: MessageKeyOptions = {}): MessageKeys {
  const nick = message.from?.resource ?? '';
  let idKey: string | undefined;
  if (message.id !== undefined) {
    const body = message.body.any() ?? '';
    idKey = idKeyOf(nick, message.id, body.length, fingerprint(body));
  }
  return {
    stanzaId: options.archiveId ?? roomStanzaId(message, room),
    originKey: message.originId === undefined ? undefined : originKeyOf(nick, message.originId),
    idKey,
    stamp: (options.stamp ?? message.delay?.stamp)?.getTime(),
  };
}

/**
 * {@link MessageKeys} whose origin and id keys are built when first read: a room remembers
 * every message it receives, and while every message has the room's stanza-id those keys are
 * never compared (see {@link MessageKeyIndex}). Only the body's fingerprint is taken at once,
 * so that the body is not kept.
 */
class LazyMessageKeys implements MessageKeys {
  readonly stanzaId: string | undefined;
  readonly stamp: number | undefined;
  readonly #nick: string;
  readonly #originId: string | undefined;
  readonly #id: string | undefined;
  readonly #bodyLength: number;
  readonly #bodyHash: number;
  #originKey: string | undefined;
  #idKey: string | undefined;

  constructor(message: Message, stanzaId: string | undefined, nick: string, stamp: Date | undefined) {
    this.stanzaId = stanzaId;
    this.stamp = stamp?.getTime();
    this.#nick = nick;
    this.#originId = message.originId;
    this.#id = message.id;
    const body = message.id === undefined ? '' : (message.body.any() ?? '');
    this.#bodyLength = body.length;
    this.#bodyHash = message.id === undefined ? 0 : fingerprint(body);
  }

  get originKey(): string | undefined {
    if (this.#originKey === undefined && this.#originId !== undefined) this.#originKey = originKeyOf(this.#nick, this.#originId);
    return this.#originKey;
  }

  get idKey(): string | undefined {
    if (this.#idKey === undefined && this.#id !== undefined) this.#idKey = idKeyOf(this.#nick, this.#id, this.#bodyLength, this.#bodyHash);
    return this.#idKey;
  }

  /** Whether the message has any key. */
  get keyed(): boolean {
    return this.stanzaId !== undefined || this.#originId !== undefined || this.#id !== undefined;
  }
}

/**
 * The keys of `message` when its room stanza-id and sender nick are already known (the hot
 * path of a room's inbound messages). Same rule and values as {@link messageKeys}; the origin
 * and id keys are built when first read.
 * @internal
 */
export function keysWith(message: Message, stanzaId: string | undefined, nick: string | undefined, stamp: Date | undefined): MessageKeys {
  return new LazyMessageKeys(message, stanzaId, nick ?? '', stamp);
}

/** Whether `a` and `b` are the same message by the module rule. Pure. */
export function isSameMessage(a: MessageKeys, b: MessageKeys): boolean {
  if (a.stanzaId !== undefined && b.stanzaId !== undefined) return a.stanzaId === b.stanzaId;
  if (a.originKey !== undefined && b.originKey !== undefined) return a.originKey === b.originKey;
  if (a.idKey === undefined || a.idKey !== b.idKey) return false;
  return a.stamp === undefined || b.stamp === undefined || Math.abs(a.stamp - b.stamp) <= STAMP_TOLERANCE_MS;
}

/** How many messages a {@link MessageKeyIndex} remembers by default. */
export const MESSAGE_KEY_INDEX_LIMIT = 500;

/** One remembered message: its keys and its place in the order of remembered messages. */
interface Entry {
  readonly keys: MessageKeys;
  readonly seq: number;
}

/**
 * An empty array whose elements are objects from the start. A `[]` starts as an array of small
 * integers, and the optimised `remember` (compiled while the first generation's array was already
 * holding objects) deoptimises when it first pushes an object into the next generation's `[]`.
 */
function emptyObjectArray<T extends object>(): T[] {
  const a: (T | null)[] = [null];
  a.length = 0;
  return a as T[];
}

/** One generation of the index: the newest remembered message per key, one map per key kind. */
class Generation {
  readonly byStanzaId = new Map<string, Entry>();
  readonly byOrigin = new Map<string, Entry>();
  readonly byId = new Map<string, Entry>();
  /** The messages remembered into this generation, oldest first. */
  readonly entries: Entry[] = emptyObjectArray();
  /** How many of `entries` are in `byOrigin` and `byId` (filled when first needed). */
  indexed = 0;

  /** Put the origin and id keys of the entries not yet there into their maps, in order. */
  indexRest(): void {
    const entries = this.entries;
    for (let i = this.indexed; i < entries.length; i++) {
      const entry = entries[i]!;
      const { originKey, idKey } = entry.keys;
      if (originKey !== undefined) this.byOrigin.set(originKey, entry);
      if (idKey !== undefined) this.byId.set(idKey, entry);
    }
    this.indexed = entries.length;
  }
}

/** The previous generation of an index that has not filled its first one yet (stays empty). */
const NO_GENERATION = new Generation();

/**
 * The newest remembered message with `key` in a map of the current generation, else of the
 * previous one (a key in the current one is newer), if it is still among the newest
 * (sequence number at least `oldest`).
 */
function newest(current: Map<string, Entry>, previous: Map<string, Entry>, key: string, oldest: number): MessageKeys | undefined {
  const entry = current.get(key) ?? previous.get(key);
  return entry !== undefined && entry.seq >= oldest ? entry.keys : undefined;
}

/**
 * The messages already seen, by their {@link MessageKeys}, answering "seen before?" by
 * {@link isSameMessage} in O(1): one map per key kind. Bounded: the oldest messages are
 * forgotten first. When several remembered messages share an origin or id key, the newest
 * one is compared.
 *
 * How it stays cheap per message: every remembered message gets a sequence number, and only
 * the newest `limit` of them count. The maps are kept in two generations of at most `limit`
 * messages each: a lookup reads the current generation, then the previous one, and ignores
 * an entry older than the newest `limit`; when the current generation is full it becomes the
 * previous one and the one before it (all of whose messages are past the limit) is dropped.
 * So nothing is deleted message by message, and at most 2 × `limit` entries are held. And
 * while every remembered message has a stanza-id, the rule decides a question about a message
 * with a stanza-id by the stanza-ids alone: the origin and id maps are filled only once a
 * question needs them.
 */
export class MessageKeyIndex {
  readonly #limit: number;
  #current = new Generation();
  /** Until the first rotation: a shared empty generation (nothing is ever added to a previous one). */
  #previous = NO_GENERATION;
  /** How many messages were remembered in all (the next sequence number). */
  #seq = 0;
  /** The sequence number of the newest remembered message without a stanza-id (below every `oldest` while none). */
  #lastWithoutStanzaId: number;

  constructor(limit = MESSAGE_KEY_INDEX_LIMIT) {
    this.#limit = limit;
    this.#lastWithoutStanzaId = -limit - 1;
  }

  /** The remembered message that `keys` is the same as, if any. */
  find(keys: MessageKeys): MessageKeys | undefined {
    const oldest = this.#seq - this.#limit;
    const cur = this.#current;
    const prev = this.#previous;
    if (keys.stanzaId !== undefined) {
      const hit = newest(cur.byStanzaId, prev.byStanzaId, keys.stanzaId, oldest);
      if (hit !== undefined) return hit;
      // Every remembered message has a stanza-id, none of them this one: none is the same.
      if (this.#lastWithoutStanzaId < oldest) return undefined;
    }
    const originKey = keys.originKey;
    const idKey = keys.idKey;
    if (originKey === undefined && idKey === undefined) return undefined;
    if (prev.indexed < prev.entries.length) prev.indexRest();
    if (cur.indexed < cur.entries.length) cur.indexRest();
    if (originKey !== undefined) {
      const hit = newest(cur.byOrigin, prev.byOrigin, originKey, oldest);
      if (hit !== undefined && isSameMessage(keys, hit)) return hit;
    }
    if (idKey !== undefined) {
      const hit = newest(cur.byId, prev.byId, idKey, oldest);
      if (hit !== undefined && isSameMessage(keys, hit)) return hit;
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
   * remembered twice is found either way). It builds no origin or id key and looks nothing up,
   * which {@link add} does for every message without the room's stanza-id.
   */
  remember(keys: MessageKeys): void {
    const keyed =
      keys instanceof LazyMessageKeys
        ? keys.keyed
        : keys.stanzaId !== undefined || keys.originKey !== undefined || keys.idKey !== undefined;
    if (!keyed) return;
    let gen = this.#current;
    if (gen.entries.length >= this.#limit) {
      this.#previous = gen;
      gen = this.#current = new Generation();
    }
    const entry: Entry = { keys, seq: this.#seq++ };
    gen.entries.push(entry);
    if (keys.stanzaId !== undefined) gen.byStanzaId.set(keys.stanzaId, entry);
    else this.#lastWithoutStanzaId = entry.seq;
  }

  /** How many messages are remembered. */
  get size(): number {
    return Math.min(this.#seq, this.#limit);
  }
}
