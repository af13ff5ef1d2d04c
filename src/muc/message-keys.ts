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

/** FNV-1a (32 bit) of a string: a body's fingerprint without keeping the body. @internal */
export function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The origin key: the origin-id with the sender's nick. @internal */
export function originKeyOf(nick: string, originId: string): string {
  return `${nick}\u0000${originId}`;
}

/** The id key: the message id with the sender's nick and the body's length and fingerprint (8 hex digits). @internal */
export function idKeyOf(nick: string, id: string, bodyLength: number, bodyHash: number): string {
  return `${nick}\u0000${id}\u0000${bodyLength}:${bodyHash.toString(16).padStart(8, '0')}`;
}

/** The body the id key is built from: the message's body in any language; `''` for a message without an id (it has no id key). @internal */
export function idKeyBody(message: Message): string {
  return message.id === undefined ? '' : (message.body.any() ?? '');
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
    const body = idKeyBody(message);
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
 * {@link MessageKeys} whose origin and id keys are built when first read: a room asks about
 * every history message, and while every message has the room's stanza-id those keys are never
 * compared (see `MessageKeyIndex`). Only the body's fingerprint is taken at once, so that the
 * body is not kept.
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
    const body = idKeyBody(message);
    this.#bodyLength = body.length;
    this.#bodyHash = fingerprint(body);
  }

  get originKey(): string | undefined {
    if (this.#originKey === undefined && this.#originId !== undefined) this.#originKey = originKeyOf(this.#nick, this.#originId);
    return this.#originKey;
  }

  get idKey(): string | undefined {
    if (this.#idKey === undefined && this.#id !== undefined) this.#idKey = idKeyOf(this.#nick, this.#id, this.#bodyLength, this.#bodyHash);
    return this.#idKey;
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
