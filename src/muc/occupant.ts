/** Room members: {@link Occupant} (a participant) and {@link ServiceMember} (the room itself). */
import type { Element } from 'ltx';
import { isElement, textOf } from '../xml/element.js';
import { JID } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { ownString } from '../core/own-string.js';
import type { ConversationMember } from '../im/conversation.js';
import type { Affiliation, Role } from './constants.js';
import { type UserExt, findUserExt } from './payloads/user.js';

/** The `<show/>` values of RFC 6121 §4.7.2.1. */
export type PresenceShow = 'away' | 'chat' | 'dnd' | 'xa';

/** Availability and `<show/>` of a presence (aioxmpp `PresenceState`): a value, shared and frozen (compare fields, not objects). */
export interface PresenceState {
  /** False for `type='unavailable'`. */
  readonly available: boolean;
  /** The `<show/>`, when available and given (unknown values are dropped). */
  readonly show?: PresenceShow;
}

/** The states of a presence: shared and frozen (a room keeps one per occupant). */
const AVAILABLE: PresenceState = Object.freeze({ available: true });
const UNAVAILABLE: PresenceState = Object.freeze({ available: false });
const SHOWS = new Map<string, PresenceState>(
  (['away', 'chat', 'dnd', 'xa'] as const).map((show) => [show, Object.freeze({ available: true, show })]),
);

/**
 * The {@link PresenceState} of a presence stanza. Never throws. The object returned is
 * frozen and may be shared with other presences.
 */
export function readPresenceState(presence: Element): PresenceState {
  if (presence.attrs.type === 'unavailable') return UNAVAILABLE;
  for (const c of presence.children) {
    if (isElement(c) && isShow(c)) return showState(c);
  }
  return AVAILABLE;
}

/** Whether `el` is a `<show/>`: by local name, in any namespace (as ltx `getChildText('show')`). */
function isShow(el: Element): boolean {
  return el.getName() === 'show';
}

/** The available state a `<show/>` gives (an unknown value gives none). */
function showState(show: Element): PresenceState {
  return SHOWS.get(textOf(show).trim()) ?? AVAILABLE;
}

/**
 * The empty status of a presence without `<status/>`: {@link readPresenceStatus} returns it
 * instead of a new map, and an {@link Occupant} given it keeps no map until one is asked for.
 * Never exposed, never filled.
 */
const NO_STATUS: LanguageMap = new LanguageMap();

/** Whether `el` is a `<status/>` of the client namespace. */
function isStatus(el: Element): boolean {
  return el.name === 'status' && (el.attrs.xmlns === undefined || el.attrs.xmlns === NS.CLIENT);
}

/** Add a `<status/>` text to `map` unless its language already has one. */
function addStatus(map: LanguageMap, status: Element): void {
  const lang = LanguageMap.langOf(status);
  if (!map.has(lang)) map.set(lang === null ? null : ownString(lang), ownString(textOf(status)));
}

/** The `<status/>` texts of a presence, by language. Never throws. */
export function readPresenceStatus(presence: Element): LanguageMap {
  let map: LanguageMap | undefined;
  for (const c of presence.children) {
    if (!isElement(c) || !isStatus(c)) continue;
    map ??= new LanguageMap();
    addStatus(map, c);
  }
  return map ?? NO_STATUS;
}

/** The id of an `<occupant-id xmlns='urn:xmpp:occupant-id:0' id/>` (`undefined` for another element or an empty id). */
function occupantIdOf(el: Element): string | undefined {
  if (el.name !== 'occupant-id' || el.attrs.xmlns !== NS.OCCUPANT_ID) return undefined;
  const id = el.attrs.id as unknown;
  return typeof id === 'string' && id !== '' ? ownString(id) : undefined;
}

/** The XEP-0421 occupant id of a stanza (`<occupant-id xmlns='urn:xmpp:occupant-id:0' id/>`), if any. */
export function readOccupantId(stanza: Element): string | undefined {
  for (const c of stanza.children) {
    const id = isElement(c) ? occupantIdOf(c) : undefined;
    if (id !== undefined) return id;
  }
  return undefined;
}

/** What {@link readPresenceParts} reads. @internal */
export interface PresenceParts {
  state: PresenceState;
  status: LanguageMap;
  occupantId: string | undefined;
}

/**
 * {@link readPresenceState}, {@link readPresenceStatus} and {@link readOccupantId} in one
 * pass over the children (the same results). Never throws. @internal
 */
export function readPresenceParts(presence: Element): PresenceParts {
  let state = presence.attrs.type === 'unavailable' ? UNAVAILABLE : undefined;
  let status: LanguageMap | undefined;
  let occupantId: string | undefined;
  const children = presence.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (!isElement(c)) continue;
    if (isShow(c)) state ??= showState(c);
    else if (isStatus(c)) {
      status ??= new LanguageMap();
      addStatus(status, c);
    } else occupantId ??= occupantIdOf(c);
  }
  return { state: state ?? AVAILABLE, status: status ?? NO_STATUS, occupantId };
}

/** A random identifier (used for {@link Occupant.uid} when nothing better is known). */
export function randomUid(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The uid of an occupant: `jid:<real bare JID>` when the real JID is known, else
 * `oid:<XEP-0421 occupant id>` when known, else `rnd:<random>`. Opaque to users.
 */
export function occupantUid(directJid: JID | undefined, occupantId: string | undefined, random: () => string = randomUid): string {
  if (directJid !== undefined) return jidUid(directJid);
  if (occupantId !== undefined) return `oid:${occupantId}`;
  return `rnd:${random()}`;
}

/** `jid:<bare JID>` (without making the bare JID). */
function jidUid(jid: JID): string {
  return jid.local === undefined ? `jid:${jid.domain}` : `jid:${jid.local}@${jid.domain}`;
}

/** What an {@link Occupant} is made of. */
export interface OccupantInit {
  /** The occupant JID `room@service/nick` (must have a resource). */
  conversationJid: JID;
  /** Whether this is the local user. */
  isSelf: boolean;
  /** The real JID, if the room discloses it. */
  directJid?: JID | undefined;
  /** Availability and show. Default: available. */
  presenceState?: PresenceState | undefined;
  /** Presence status texts. Default: empty. */
  presenceStatus?: LanguageMap | undefined;
  /** The affiliation, if the room said. */
  affiliation?: Affiliation | undefined;
  /** The role, if the room said. */
  role?: Role | undefined;
  /** The XEP-0421 occupant id, if the room supports it. */
  occupantId?: string | undefined;
  /** The random source for the uid when neither real JID nor occupant id is known. */
  randomId?: (() => string) | undefined;
}

/** Options of {@link Occupant.fromPresence}. */
export interface FromPresenceOptions {
  /** Whether the presence is our own (status 110). */
  isSelf: boolean;
  /** The already decoded muc#user payload of the presence (decoded here when omitted). */
  userExt?: UserExt | undefined;
  /** Where dropped input is reported. */
  logger?: Logger | undefined;
  /** The random source for the uid. */
  randomId?: (() => string) | undefined;
}

/** An occupant's status texts, as kept (set in `Occupant`'s static block). */
let statusOf: (occupant: Occupant) => LanguageMap;

/**
 * One occupant of a room (aioxmpp `Occupant`). The room keeps one object per occupant and
 * updates it in place (so it keeps its identity across a 303 nick change).
 */
export class Occupant implements ConversationMember {
  /** The occupant JID `room@service/nick`; changes with the nick. */
  conversationJid: JID;
  /** The real JID; `undefined` when the room hides it. */
  directJid: JID | undefined;
  /** Whether this is the local user. */
  readonly isSelf: boolean;
  /**
   * Opaque identity (aioxmpp `uid`): `jid:<real bare JID>` when the real JID is known, else
   * `oid:<XEP-0421 occupant id>`, else `rnd:<random>`, scoped to this object.
   *
   * The rule: it may change at most ONCE, when a later presence reveals the real JID of an
   * occupant first seen without it (e.g. after we became moderator of a semi-anonymous
   * room); the room then emits `presenceChanged` with `changed` containing `'jid'`. A
   * jid-based uid never changes (a later presence with another real JID is ignored). So a
   * history message that carries the real JID and the live occupant share the same uid.
   */
  get uid(): string {
    if (typeof this.#uid !== 'string') this.#uid = jidUid(this.#uid);
    return this.#uid;
  }
  /** Availability and show. */
  presenceState: PresenceState;
  /** Presence status texts by language. */
  get presenceStatus(): LanguageMap {
    this.#status ??= new LanguageMap();
    return this.#status;
  }
  set presenceStatus(status: LanguageMap) {
    this.#status = status === NO_STATUS ? undefined : status;
  }
  /** The affiliation (may be `undefined` with faulty services). */
  affiliation: Affiliation | undefined;
  /** The role (may be `undefined` with faulty services). */
  role: Role | undefined;
  /** The XEP-0421 occupant id, when the room supports it. */
  occupantId: string | undefined;
  /** The uid, or the real JID it is made from (the string is made on first use). */
  #uid: string | JID;
  /** The status texts; `undefined` while empty and never asked for (most occupants have none). */
  #status: LanguageMap | undefined;

  constructor(init: OccupantInit) {
    this.conversationJid = init.conversationJid;
    this.isSelf = init.isSelf;
    this.directJid = init.directJid;
    this.presenceState = init.presenceState ?? AVAILABLE;
    this.#status = init.presenceStatus === NO_STATUS ? undefined : init.presenceStatus;
    this.affiliation = init.affiliation;
    this.role = init.role;
    this.occupantId = init.occupantId;
    this.#uid = init.directJid ?? occupantUid(undefined, init.occupantId, init.randomId);
  }

  /**
   * Learn the real JID of an occupant first seen without it: sets {@link directJid} and the
   * jid-based {@link uid} (its one change). Nothing when the real JID was already known.
   * Returns whether it changed.
   */
  learnDirectJid(jid: JID): boolean {
    if (this.directJid !== undefined) return false;
    this.directJid = jid;
    this.#uid = jid;
    return true;
  }

  /** The nickname (the resource of {@link conversationJid}). */
  get nick(): string {
    return this.conversationJid.resource ?? '';
  }

  /** Change the nickname (sets {@link conversationJid}; throws `InvalidArgumentError` for a malformed nick). */
  set nick(nick: string) {
    this.conversationJid = this.conversationJid.withResource(nick);
  }

  /**
   * Build an occupant from a MUC presence (`from` = `room@service/nick`, with the muc#user
   * item for affiliation, role and real JID). `undefined` (logged) when `from` is missing,
   * malformed or has no nick. Never throws.
   */
  static fromPresence(presence: Element, options: FromPresenceOptions): Occupant | undefined {
    const logger = options.logger ?? silentLogger;
    const from = JID.tryParse(presence.attrs.from as string | undefined);
    if (from === undefined || from.resource === undefined) {
      logger.debug('presence without an occupant JID', { from: presence.attrs.from });
      return undefined;
    }
    const ext = options.userExt ?? findUserExt(presence, { logger });
    const item = ext?.items[0];
    return new Occupant({
      conversationJid: from,
      isSelf: options.isSelf,
      directJid: item?.jid,
      presenceState: readPresenceState(presence),
      presenceStatus: readPresenceStatus(presence),
      affiliation: item?.affiliation,
      role: item?.role,
      occupantId: readOccupantId(presence),
      randomId: options.randomId,
    });
  }

  /**
   * Take the state of a newer snapshot of the same occupant: presence, affiliation, role,
   * occupant id, nick (conversation JID), and the real JID when it becomes known (then
   * `uid` changes once, see {@link uid}). `isSelf` never changes.
   */
  update(next: Occupant): void {
    this.conversationJid = next.conversationJid;
    this.presenceState = next.presenceState;
    this.presenceStatus = next.presenceStatus;
    this.affiliation = next.affiliation;
    this.role = next.role;
    if (next.directJid !== undefined) this.learnDirectJid(next.directJid);
    if (next.occupantId !== undefined) this.occupantId = next.occupantId;
  }

  static {
    statusOf = (occupant) => occupant.#status ?? NO_STATUS;
  }
}

/**
 * Whether an occupant's status texts equal `status`, without making the occupant an empty
 * map it does not have yet.
 * @internal
 */
export function hasStatus(occupant: Occupant, status: LanguageMap): boolean {
  const mine = statusOf(occupant);
  if (mine.size !== status.size) return false;
  for (const [k, v] of mine) if (status.get(k) !== v) return false;
  return true;
}

/**
 * The room itself as a conversation member (aioxmpp `ServiceMember`): the sender of
 * messages from the room's bare JID. Always unavailable, no nick, role or affiliation.
 */
export class ServiceMember implements ConversationMember {
  /** The room's bare JID. */
  readonly conversationJid: JID;
  /** The room's bare JID. */
  readonly directJid: JID;
  /** Always false. */
  readonly isSelf = false as const;
  /** `svc:<room bare JID>`. */
  readonly uid: string;
  /** Always `undefined`. */
  readonly nick = undefined;
  /** Always unavailable. */
  readonly presenceState: PresenceState = Object.freeze({ available: false });
  /** Always empty. */
  readonly presenceStatus: LanguageMap = new LanguageMap();
  /** Always `undefined`. */
  readonly affiliation = undefined;
  /** Always `undefined`. */
  readonly role = undefined;
  /** Always `undefined`. */
  readonly occupantId = undefined;

  constructor(roomJid: JID) {
    this.conversationJid = roomJid.bare();
    this.directJid = this.conversationJid;
    this.uid = `svc:${this.conversationJid.toString()}`;
  }
}
