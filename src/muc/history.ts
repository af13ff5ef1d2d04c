/**
 * History replay rules: when the HISTORY state ends, and who the sender of a message is
 * (a live occupant only when the identity really matches, else a transitional occupant
 * that never enters `members`).
 */
import type { JID } from '../core/jid.js';
import { nicknameKey } from '../core/jid.js';
import { Occupant } from './occupant.js';
import type { OccupantRegistry } from './occupant-registry.js';

/**
 * What a stanza received in the HISTORY state does to it:
 * - `'after'`: the subject message: it is handled (`topicChanged`), then the room is ACTIVE;
 * - `'before'`: a live (undelayed) message or any occupant presence: the server is not
 *   sending history (or is done without a subject, as buggy servers do), so the room becomes
 *   ACTIVE first and the stanza is handled as live;
 * - `'no'`: a delayed message: history continues.
 */
export type HistoryEnd = 'after' | 'before' | 'no';

/** Decide how a stanza ends the HISTORY state (see {@link HistoryEnd}). Pure. */
export function historyEnd(stanza: { kind: 'message'; isSubject: boolean; delayed: boolean } | { kind: 'presence' }): HistoryEnd {
  if (stanza.kind === 'presence') return 'before';
  if (stanza.isSubject) return 'after';
  return stanza.delayed ? 'no' : 'before';
}

/** Who a message claims to come from. */
export interface ClaimedSender {
  /** The occupant JID `room/nick`. */
  from: JID;
  /** The real JID the room disclosed in the message (muc#user item), if any. */
  realJid?: JID | undefined;
  /** The XEP-0421 occupant id, if any. */
  occupantId?: string | undefined;
}

/**
 * Whether `live` is provably the entity `claimed` describes: same nick AND (same real bare
 * JID, or same occupant id), each side having the value.
 */
export function provablySame(live: Occupant, claimed: ClaimedSender): boolean {
  if (nicknameKey(live.nick) !== nicknameKey(claimed.from.resource)) return false;
  if (claimed.realJid !== undefined && live.directJid !== undefined && live.directJid.bare().equals(claimed.realJid.bare())) {
    return true;
  }
  return claimed.occupantId !== undefined && live.occupantId !== undefined && live.occupantId === claimed.occupantId;
}

/** A transitional occupant for a sender that is not (provably) a live one: never in `members`. */
export function transitionalOccupant(claimed: ClaimedSender, randomId?: () => string): Occupant {
  return new Occupant({
    conversationJid: claimed.from,
    isSelf: false,
    directJid: claimed.realJid,
    presenceState: { available: false },
    occupantId: claimed.occupantId,
    randomId,
  });
}

/**
 * The sender of a history message: the live occupant (us included) when
 * {@link provablySame}, else a fresh transitional occupant.
 */
export function historySender(registry: OccupantRegistry, claimed: ClaimedSender, randomId?: () => string): Occupant {
  const live = registry.get(claimed.from.resource);
  if (live && provablySame(live, claimed)) return live;
  return transitionalOccupant(claimed, randomId);
}

/**
 * The sender of a live message: the occupant with that nick, unless the message carries an
 * occupant id that contradicts the occupant's; otherwise (unknown nick or contradiction) a
 * transitional occupant.
 */
export function liveSender(registry: OccupantRegistry, claimed: ClaimedSender, randomId?: () => string): Occupant {
  const live = registry.get(claimed.from.resource);
  if (live) {
    if (claimed.occupantId === undefined || live.occupantId === undefined || claimed.occupantId === live.occupantId) return live;
  }
  return transitionalOccupant(claimed, randomId);
}
