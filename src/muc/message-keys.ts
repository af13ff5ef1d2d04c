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

/** FNV-1a (32 bit) of a string, as 8 hex digits: a body's fingerprint without keeping the body. */
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The id the room `room` assigned to `message` (a `<stanza-id/>` whose `by` is the room). */
function stanzaIdBy(message: Message, room: JID): string | undefined {
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
  return keysWith(message, options.archiveId ?? stanzaIdBy(message, room), message.from?.resource, options.stamp ?? message.delay?.stamp);
}

/**
 * The keys of `message` when its room stanza-id and sender nick are already known (the hot
 * path of a room's inbound messages). Same rule as {@link messageKeys}.
 * @internal
 */
export function keysWith(message: Message, stanzaId: string | undefined, nick: string | undefined, stamp: Date | undefined): MessageKeys {
  const n = nick ?? '';
  const originKey = message.originId === undefined ? undefined : `${n}\u0000${message.originId}`;
  let idKey: string | undefined;
  if (message.id !== undefined) {
    const body = message.body.any() ?? '';
    idKey = `${n}\u0000${message.id}\u0000${body.length}:${fingerprint(body)}`;
  }
  return { stanzaId, originKey, idKey, stamp: stamp?.getTime() };
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

/**
 * The messages already seen, by their {@link MessageKeys}, answering "seen before?" by
 * {@link isSameMessage} in O(1): one map per key kind. Bounded: the oldest messages are
 * forgotten first. When several remembered messages share an origin or id key, the newest
 * one is compared.
 */
export class MessageKeyIndex {
  readonly #limit: number;
  /** Remembered messages, oldest first. */
  readonly #order = new Set<MessageKeys>();
  readonly #byStanzaId = new Map<string, MessageKeys>();
  readonly #byOrigin = new Map<string, MessageKeys>();
  readonly #byId = new Map<string, MessageKeys>();

  constructor(limit = MESSAGE_KEY_INDEX_LIMIT) {
    this.#limit = limit;
  }

  /** The remembered message that `keys` is the same as, if any. */
  find(keys: MessageKeys): MessageKeys | undefined {
    if (keys.stanzaId !== undefined) {
      const hit = this.#byStanzaId.get(keys.stanzaId);
      if (hit !== undefined) return hit;
    }
    if (keys.originKey !== undefined) {
      const hit = this.#byOrigin.get(keys.originKey);
      if (hit !== undefined && isSameMessage(keys, hit)) return hit;
    }
    if (keys.idKey !== undefined) {
      const hit = this.#byId.get(keys.idKey);
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
    if (keys.stanzaId === undefined && keys.originKey === undefined && keys.idKey === undefined) return true;
    this.#order.add(keys);
    if (keys.stanzaId !== undefined) this.#byStanzaId.set(keys.stanzaId, keys);
    if (keys.originKey !== undefined) this.#byOrigin.set(keys.originKey, keys);
    if (keys.idKey !== undefined) this.#byId.set(keys.idKey, keys);
    if (this.#order.size > this.#limit) this.#forget(this.#order.values().next().value as MessageKeys);
    return true;
  }

  #forget(keys: MessageKeys): void {
    this.#order.delete(keys);
    if (keys.stanzaId !== undefined && this.#byStanzaId.get(keys.stanzaId) === keys) this.#byStanzaId.delete(keys.stanzaId);
    if (keys.originKey !== undefined && this.#byOrigin.get(keys.originKey) === keys) this.#byOrigin.delete(keys.originKey);
    if (keys.idKey !== undefined && this.#byId.get(keys.idKey) === keys) this.#byId.delete(keys.idKey);
  }

  /** How many messages are remembered. */
  get size(): number {
    return this.#order.size;
  }
}
