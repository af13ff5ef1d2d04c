/**
 * {@link OccupantRegistry}: the occupants of one room, with O(1) lookups by nick (RFC 8266
 * comparison key) and by XEP-0421 occupant id.
 */
import { nicknameKey } from '../core/jid.js';
import type { Occupant } from './occupant.js';

/** The occupants of a room, by nick (RFC 8266 comparison key) and by XEP-0421 occupant id. */
export class OccupantRegistry {
  readonly #byNick = new Map<string, Occupant>();
  /**
   * The same occupants by their nick exactly as it is (already prepared): a room's stanzas carry
   * an occupant's nick as the service spelled it in the occupant's presence, so most lookups
   * find it here without making a comparison key.
   */
  readonly #byExactNick = new Map<string, Occupant>();
  readonly #byId = new Map<string, Occupant>();
  /** The last nick whose key was made, and its key: a join looks the nick up, then adds it. */
  #lastNick: string | undefined;
  #lastKey: string | undefined;

  /** How many occupants (us included, once entered). */
  get size(): number {
    return this.#byNick.size;
  }

  /** The occupant with this nick. O(1). */
  get(nick: string | undefined): Occupant | undefined {
    if (nick === undefined) return undefined;
    const exact = this.getExact(nick);
    if (exact !== undefined) return exact;
    const key = this.#key(nick);
    return key === undefined ? undefined : this.#byNick.get(key);
  }

  /**
   * The occupant whose nick is exactly `nick` (no preparation, no comparison key): a cheap first
   * try for a nick taken from a stanza. O(1).
   */
  getExact(nick: string): Occupant | undefined {
    const o = this.#byExactNick.get(nick);
    return o !== undefined && o.nick === nick ? o : undefined;
  }

  /** The occupant with this XEP-0421 occupant id. O(1). */
  getById(occupantId: string | undefined): Occupant | undefined {
    return occupantId === undefined ? undefined : this.#byId.get(occupantId);
  }

  /** Add (or replace) an occupant under its current nick. */
  add(occupant: Occupant): void {
    const key = this.#key(occupant.nick)!;
    const previous = this.#byNick.get(key);
    if (previous && previous !== occupant) this.remove(previous);
    this.#byNick.set(key, occupant);
    this.#byExactNick.set(occupant.nick, occupant);
    if (occupant.occupantId !== undefined) this.#byId.set(occupant.occupantId, occupant);
  }

  /** Remove an occupant. */
  remove(occupant: Occupant): void {
    const key = this.#key(occupant.nick)!;
    if (this.#byNick.get(key) === occupant) this.#byNick.delete(key);
    if (this.#byExactNick.get(occupant.nick) === occupant) this.#byExactNick.delete(occupant.nick);
    if (occupant.occupantId !== undefined && this.#byId.get(occupant.occupantId) === occupant) {
      this.#byId.delete(occupant.occupantId);
    }
  }

  /** Re-index an occupant after a change of nick or occupant id (call with the old values). */
  reindex(occupant: Occupant, oldNick: string, oldOccupantId: string | undefined): void {
    const oldKey = this.#key(oldNick)!;
    if (this.#byNick.get(oldKey) === occupant) this.#byNick.delete(oldKey);
    if (this.#byExactNick.get(oldNick) === occupant) this.#byExactNick.delete(oldNick);
    if (oldOccupantId !== undefined && this.#byId.get(oldOccupantId) === occupant) this.#byId.delete(oldOccupantId);
    this.add(occupant);
  }

  /** The RFC 8266 comparison key of `nick` (the last one is remembered). */
  #key(nick: string | undefined): string | undefined {
    if (nick === undefined) return undefined;
    if (nick !== this.#lastNick) {
      this.#lastKey = nicknameKey(nick);
      this.#lastNick = nick;
    }
    return this.#lastKey;
  }

  /** Every occupant, in insertion order. */
  values(): IterableIterator<Occupant> {
    return this.#byNick.values();
  }

  /** Forget everyone. */
  clear(): void {
    this.#byNick.clear();
    this.#byExactNick.clear();
    this.#byId.clear();
  }
}
