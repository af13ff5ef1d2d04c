/**
 * Occupant presence -> room events. {@link diffPresence} applies one occupant presence to a
 * room's {@link OccupantRegistry} (occupant-registry.ts) and returns the events it causes, in
 * their fixed order:
 *
 * - unknown nick, available: `join`;
 * - unavailable with 303: `nickChanged` (the same `Occupant` object is renamed);
 * - available: `presenceChanged` (every available presence of a known occupant, as aioxmpp:
 *   avatar, caps, priority updates too), `roleChanged`, `affiliationChanged`;
 * - unavailable: `roleChanged`, `affiliationChanged`, then `leave` (or `exit` for us).
 *
 * It never sends anything and never throws for network input.
 */
import type { Element } from 'ltx';
import type { JID } from '../core/jid.js';
import type { LanguageMap } from '../core/language-map.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { LeaveMode, StatusCode, leaveModeFromStatusCodes } from './constants.js';
import { Occupant, hasStatus, readPresenceParts, type PresenceState } from './occupant.js';
import type { UserExt, UserItem } from './payloads/user.js';
import type { OccupantRegistry } from './occupant-registry.js';
import type { PresenceChange, RoomEventRecord } from './room-events.js';

/** What {@link readOccupantPresence} reads from an occupant presence. */
export interface OccupantPresence {
  /** The occupant JID (`room@service/nick`, already parsed by the router). */
  from: JID;
  /** The nick (resource of `from`). */
  nick: string;
  /** The stanza. */
  stanza: Element;
  /** Availability and show. */
  state: PresenceState;
  /** Status texts. */
  status: LanguageMap;
  /** The muc#user payload (`undefined` when absent). */
  ext: UserExt | undefined;
  /** The first muc#user `<item/>`. */
  item: UserItem | undefined;
  /** The status codes (empty set when none). */
  statusCodes: ReadonlySet<number>;
  /** The XEP-0421 occupant id. */
  occupantId: string | undefined;
}

const NO_CODES: ReadonlySet<number> = Object.freeze(new Set<number>());

/** Read an occupant presence (`from` = `room/nick`, given parsed). Never throws. */
export function readOccupantPresence(stanza: Element, from: JID, ext: UserExt | undefined): OccupantPresence {
  const { state, status, occupantId } = readPresenceParts(stanza);
  return {
    from,
    nick: from.resource ?? '',
    stanza,
    state,
    status,
    ext,
    item: ext?.items[0],
    statusCodes: ext?.statusCodes ?? NO_CODES,
    occupantId,
  };
}

/** A fresh {@link Occupant} for a presence. */
export function occupantFromPresence(p: OccupantPresence, isSelf: boolean, randomId?: () => string): Occupant {
  return new Occupant({
    conversationJid: p.from,
    isSelf,
    directJid: p.item?.jid,
    presenceState: p.state,
    presenceStatus: p.status,
    affiliation: p.item?.affiliation,
    role: p.item?.role,
    occupantId: p.occupantId,
    randomId,
  });
}

/** Options of {@link diffPresence}. */
export interface DiffOptions {
  /** Our own occupant (the presence is ours when it is this occupant's). */
  self?: Occupant | undefined;
  /** Where oddities are reported (debug level). */
  logger?: Logger | undefined;
  /** Random source for uids of new occupants (tests). */
  randomId?: (() => string) | undefined;
}

/**
 * Apply one occupant presence (not an error presence, not our initial self-presence) to
 * `registry` and return the events it causes, in emission order. Our own presence is
 * recognised by `options.self` (same object found by nick): its removal yields `exit`
 * instead of `leave`. An unavailable presence for an unknown nick changes nothing.
 */
export function diffPresence(registry: OccupantRegistry, p: OccupantPresence, options: DiffOptions = {}): RoomEventRecord[] {
  const logger = options.logger ?? silentLogger;
  const existing = registry.get(p.nick);

  if (!existing) {
    if (!p.state.available) {
      logger.debug('unavailable presence from an unknown occupant: ignored', { nick: p.nick });
      return [];
    }
    const member = occupantFromPresence(p, false, options.randomId);
    registry.add(member);
    // A literal, not a push onto `[]`: the join of a large room makes one of these per occupant,
    // and a push would give each room for 16 events.
    return [['join', { member, presence: p.stanza }]];
  }
  const events: RoomEventRecord[] = [];
  const isSelf = existing === options.self;

  // 303: nick change (the unavailable half of the pair). The object keeps its identity.
  if (!p.state.available && p.statusCodes.has(StatusCode.NEW_NICKNAME)) {
    const newNick = p.item?.nick;
    if (newNick !== undefined && newNick !== '') {
      const oldNick = existing.nick;
      const oldId = existing.occupantId;
      try {
        existing.nick = newNick;
      } catch (error) {
        logger.debug('303 with a malformed new nick: treated as a leave', { nick: newNick, error });
        return leaveEvents(registry, existing, p, isSelf, events);
      }
      const clash = registry.get(newNick);
      if (clash && clash !== existing) {
        logger.debug('303 to a nick still in use: dropping the stale occupant', { nick: newNick });
        registry.remove(clash);
      }
      registry.reindex(existing, oldNick, oldId);
      events.push(['nickChanged', { member: existing, oldNick, newNick: existing.nick, statusCodes: p.statusCodes }]);
      return events;
    }
    logger.debug('303 without a new nick: treated as a leave', { nick: p.nick });
  }

  if (p.state.available) {
    // Every available presence (as aioxmpp): an avatar hash, caps or priority update is news too.
    const changed: PresenceChange[] = [];
    if (existing.presenceState.available !== p.state.available || existing.presenceState.show !== p.state.show) changed.push('show');
    if (!hasStatus(existing, p.status)) changed.push('status');
    existing.presenceState = p.state;
    existing.presenceStatus = p.status;
    // The real JID revealed by a later presence: uid changes, once (see Occupant.uid).
    if (p.item?.jid !== undefined && existing.learnDirectJid(p.item.jid)) changed.push('jid');
    events.push(['presenceChanged', { member: existing, presence: p.stanza, changed }]);
  } else if (p.item?.jid !== undefined) {
    existing.learnDirectJid(p.item.jid);
  }
  pushRoleAndAffiliation(existing, p, events);
  if (p.occupantId !== undefined && p.occupantId !== existing.occupantId) {
    const oldId = existing.occupantId;
    existing.occupantId = p.occupantId;
    registry.reindex(existing, existing.nick, oldId);
  }
  if (!p.state.available) return leaveEvents(registry, existing, p, isSelf, events);
  return events;
}

function pushRoleAndAffiliation(existing: Occupant, p: OccupantPresence, events: RoomEventRecord[]): void {
  const item = p.item;
  if (!item) return;
  const base = { member: existing, presence: p.stanza, actor: item.actor, reason: item.reason, statusCodes: p.statusCodes };
  if (item.role !== undefined && item.role !== existing.role) {
    const oldRole = existing.role;
    existing.role = item.role;
    events.push(['roleChanged', { ...base, oldRole, newRole: item.role }]);
  }
  if (item.affiliation !== undefined && item.affiliation !== existing.affiliation) {
    const oldAffiliation = existing.affiliation;
    existing.affiliation = item.affiliation;
    events.push(['affiliationChanged', { ...base, oldAffiliation, newAffiliation: item.affiliation }]);
  }
}

function leaveEvents(
  registry: OccupantRegistry,
  existing: Occupant,
  p: OccupantPresence,
  isSelf: boolean,
  events: RoomEventRecord[],
): RoomEventRecord[] {
  existing.presenceState = p.state;
  existing.presenceStatus = p.status;
  registry.remove(existing);
  const mode = leaveModeFromStatusCodes(p.statusCodes, p.ext?.destroy !== undefined);
  const common = {
    mode,
    actor: p.item?.actor,
    reason: p.item?.reason ?? p.ext?.destroy?.reason,
    statusCodes: p.statusCodes,
    presence: p.stanza,
    destroy: p.ext?.destroy,
  };
  if (isSelf) events.push(['exit', { ...common, occupant: existing }]);
  else events.push(['leave', { ...common, member: existing }]);
  return events;
}

/** The leave mode of a local exit without a presence (stream lost). */
export const DISCONNECTED_MODE: LeaveMode = LeaveMode.DISCONNECTED;
