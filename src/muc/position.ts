import { InvalidArgumentError } from '../core/errors.js';
import { formatDateTime, parseDateTime } from '../xml/fields.js';

/** Longest string {@link RoomPosition.parse} accepts. */
const MAX_POSITION_LENGTH = 2048;

/** What a {@link RoomPosition} is made of. */
export interface RoomPositionInit {
  /** The XEP-0359 stanza-id the room assigned to the last message received (its archive id). */
  stanzaId?: string | undefined;
  /** When the last message was received (its delay stamp for history and archive messages). */
  at?: Date | undefined;
}

/**
 * Where a client is in a room's discussion: the room's stanza-id of the last message
 * received and the time it was received. Enough to catch up on what was missed from the
 * room's archive (after that id) or its history (since that time), also across a process
 * restart: store `position.toString()`, give `RoomPosition.parse(stored)` back later.
 *
 * The string form is `<stanza-id>@<XEP-0082 time>`, the id percent-encoded
 * (`encodeURIComponent`), either side empty when unknown but not both:
 * `ftGg3KABXstLH0P85D3VaSQb@2026-01-01T10:00:00.250Z`, `@2026-01-01T10:00:00Z`, `1795607338122259@`.
 *
 * @example
 * ```ts
 * const saved = new RoomPosition({ stanzaId: 'abc', at: new Date() }).toString();
 * const position = RoomPosition.parse(saved);
 * ```
 */
export class RoomPosition {
  /** The room's stanza-id of the last message received, when known. */
  readonly stanzaId: string | undefined;
  /** When the last message was received, when known. */
  readonly at: Date | undefined;

  /** Throws {@link InvalidArgumentError} when neither part is given, the id is empty or the time invalid. */
  constructor(init: RoomPositionInit) {
    const { stanzaId, at } = init;
    if (stanzaId !== undefined && (typeof stanzaId !== 'string' || stanzaId === '')) {
      throw new InvalidArgumentError('RoomPosition stanzaId must be a non-empty string');
    }
    if (at !== undefined && (!(at instanceof Date) || Number.isNaN(at.getTime()))) {
      throw new InvalidArgumentError('RoomPosition at must be a valid Date');
    }
    if (stanzaId === undefined && at === undefined) throw new InvalidArgumentError('RoomPosition needs a stanzaId or a time');
    this.stanzaId = stanzaId;
    this.at = at === undefined ? undefined : new Date(at.getTime());
  }

  /**
   * Read the string form of {@link RoomPosition.toString}. Throws {@link InvalidArgumentError}
   * for anything else (no single `@`, whitespace or a bad percent-encoding in the id, an
   * invalid time, both parts empty, longer than 2048 characters).
   */
  static parse(input: string): RoomPosition {
    if (typeof input !== 'string') throw new InvalidArgumentError('RoomPosition.parse needs a string');
    if (input.length > MAX_POSITION_LENGTH) throw new InvalidArgumentError('RoomPosition string too long');
    const at = input.indexOf('@');
    if (at === -1 || input.indexOf('@', at + 1) !== -1) {
      throw new InvalidArgumentError(`Not a room position (expected '<stanza-id>@<time>'): ${JSON.stringify(input.slice(0, 80))}`);
    }
    const rawId = input.slice(0, at);
    const rawTime = input.slice(at + 1);
    let stanzaId: string | undefined;
    if (rawId !== '') {
      if (/[\s\u0000-\u001f\u007f]/.test(rawId))
        throw new InvalidArgumentError('Room position: whitespace or control character in the stanza-id');
      try {
        stanzaId = decodeURIComponent(rawId);
      } catch {
        throw new InvalidArgumentError('Room position: malformed percent-encoding in the stanza-id');
      }
    }
    let time: Date | undefined;
    if (rawTime !== '') {
      time = parseDateTime(rawTime);
      if (time === undefined || rawTime.trim() !== rawTime) {
        throw new InvalidArgumentError(`Room position: invalid time ${JSON.stringify(rawTime.slice(0, 40))}`);
      }
    }
    return new RoomPosition({ stanzaId, at: time });
  }

  /** The string form (see the class description); {@link RoomPosition.parse} reads it back. */
  toString(): string {
    const id = this.stanzaId === undefined ? '' : encodeURIComponent(this.stanzaId);
    const time = this.at === undefined ? '' : formatDateTime(this.at);
    return `${id}@${time}`;
  }

  /** The string form, so that `JSON.stringify` stores a position as a string. */
  toJSON(): string {
    return this.toString();
  }

  /** Whether `other` is the same position (same id, same time to the millisecond). */
  equals(other: RoomPosition): boolean {
    return this.stanzaId === other.stanzaId && this.at?.getTime() === other.at?.getTime();
  }
}
