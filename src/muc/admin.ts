/**
 * Roles and affiliations over muc#admin IQs (XEP-0045 §8, §9, §10): batches of changes in one
 * IQ, and the lists of occupants by role and of entities by affiliation. Usable without
 * joining the room (the server checks privileges).
 */
import type { Element } from 'ltx';
import type { XmppConnection } from '../core/connection.js';
import { InvalidArgumentError, PayloadError } from '../core/errors.js';
import { type JID, prepareNickname } from '../core/jid.js';
import { silentLogger } from '../core/logger.js';
import { type Affiliation, type Role, isAffiliation, isRole } from './constants.js';
import { type AdminItem, adminQuery } from './payloads/admin.js';
import { type MucRequestOptions, checkOptions, iqRequest, toJid, toRoomJid } from './requests.js';

/** One affiliation change of {@link setAffiliations}. */
export interface AffiliationChange {
  /** The entity: a bare JID (`user@host`) or a domain (`host`), never a full JID. */
  jid: JID | string;
  /** The new affiliation (`none` removes any). */
  affiliation: Affiliation;
  /** Why, shown to the entity and the room. */
  reason?: string | undefined;
  /** A nick to reserve for a new member (Prosody keeps it with the affiliation). */
  nick?: string | undefined;
}

/** One role change of {@link setRoles}. */
export interface RoleChange {
  /** The occupant's nick in the room. */
  nick: string;
  /** The new role (`none` kicks, `visitor` revokes voice, `participant` grants it). */
  role: Role;
  /** Why, shown to the occupant and the room. */
  reason?: string | undefined;
}

/** An entry of an affiliation list ({@link getAffiliated}). */
export interface AffiliatedEntity {
  /** The entity's JID (bare, or a domain). */
  jid: JID;
  /** Its affiliation (the one asked for). */
  affiliation: Affiliation;
  /** The nick it reserved, when the service tells. */
  nick?: string;
  /** The reason recorded with the affiliation (e.g. a ban's). */
  reason?: string;
}

/** An entry of a role list ({@link getRoles}). */
export interface RoleHolder {
  /** The occupant's nick. */
  nick: string;
  /** Its real JID, when the room discloses it. */
  jid?: JID;
  /** Its role (the one asked for). */
  role: Role;
  /** Its affiliation, when the service tells. */
  affiliation?: Affiliation;
}

/** Options of {@link setAffiliations} and {@link setRoles}. */
export interface SetChangesOptions extends MucRequestOptions {
  /**
   * Send every change in ONE IQ (XEP-0045 §9.5, §10.5: the service applies all or none).
   * Default `false`: one IQ per change, sent one after the other, because Prosody 0.12 applies
   * only the FIRST item of a muc#admin set and still acknowledges the whole IQ (ejabberd
   * 23.01 applies all). Use `true` where the service is known to apply batches.
   */
  oneIq?: boolean | undefined;
}

/** Send `items` as one IQ, or one IQ per item in order (stopping at the first error). */
async function sendItems(conn: XmppConnection, room: JID, items: AdminItem[], options: SetChangesOptions): Promise<void> {
  if (options.oneIq === true) {
    await iqRequest(conn, 'set', room, adminQuery.encode({ items }), options);
    return;
  }
  for (const item of items) await iqRequest(conn, 'set', room, adminQuery.encode({ items: [item] }), options);
}

function checkReason(reason: unknown, i: number): void {
  if (reason !== undefined && typeof reason !== 'string') throw new InvalidArgumentError(`changes[${i}].reason must be a string`);
}

function checkNick(nick: unknown, what: string): string {
  if (typeof nick !== 'string' || nick === '') throw new InvalidArgumentError(`${what} must be a non-empty string`);
  prepareNickname(nick);
  return nick;
}

function checkList<T>(changes: readonly T[], what: string): void {
  if (!Array.isArray(changes) || changes.length === 0) throw new InvalidArgumentError(`${what}: expected a non-empty array of changes`);
}

/** The `<query/>` of a result, or `PayloadError`. */
function resultQuery(reply: Element, options: MucRequestOptions): AdminItem[] {
  const query = adminQuery.findIn(reply, { logger: options.logger });
  if (query === undefined) throw new PayloadError("The reply has no <query xmlns='http://jabber.org/protocol/muc#admin'/>");
  return query.items;
}

/**
 * Change the affiliations of one or more entities (XEP-0045 §9, §10): ban (`outcast`),
 * grant or revoke membership, admin or owner status. With `oneIq: true` all changes go in
 * one muc#admin IQ; by default one IQ per change, in order, stopping at the first refusal
 * (the changes before it stay applied; see {@link SetChangesOptions.oneIq} for why).
 * Resolves when the server has acknowledged every IQ. Rejects with `StanzaError` from the
 * server (`forbidden` / `not-allowed` without the privilege, `conflict` for the last
 * owner), `TimeoutError`, `AbortError`; with `InvalidArgumentError` before anything is sent
 * for a non-bare room JID, an empty list, a full entity JID or an unknown affiliation.
 *
 * @example
 * ```ts
 * await setAffiliations(conn, 'room@conference.example.org', [
 *   { jid: 'bob@example.org', affiliation: 'member', reason: 'welcome' },
 *   { jid: 'troll@example.org', affiliation: 'outcast', reason: 'spam' },
 * ]);
 * ```
 */
export async function setAffiliations(
  conn: XmppConnection,
  roomJid: JID | string,
  changes: readonly AffiliationChange[],
  options: SetChangesOptions = {},
): Promise<void> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  checkList(changes, 'setAffiliations');
  if (options.oneIq !== undefined && typeof options.oneIq !== 'boolean') throw new InvalidArgumentError('oneIq must be a boolean');
  const items: AdminItem[] = changes.map((c, i) => {
    const jid = toJid(c.jid, `changes[${i}].jid`);
    if (!jid.isBare) throw new InvalidArgumentError(`changes[${i}].jid must be a bare JID or a domain: ${jid.toString()}`);
    if (!isAffiliation(c.affiliation))
      throw new InvalidArgumentError(`changes[${i}].affiliation: unknown affiliation ${JSON.stringify(c.affiliation)}`);
    checkReason(c.reason, i);
    const item: AdminItem = { affiliation: c.affiliation, jid };
    if (c.nick !== undefined) item.nick = checkNick(c.nick, `changes[${i}].nick`);
    if (c.reason !== undefined) item.reason = c.reason;
    return item;
  });
  await sendItems(conn, room, items, options);
}

/**
 * Change the roles of one or more occupants by nick (XEP-0045 §8): kick (`none`), grant or
 * revoke voice (`participant` / `visitor`), moderator status. One IQ per change by default,
 * all in one with `oneIq: true`, as {@link setAffiliations}. Resolves when the server has
 * acknowledged. Rejects like {@link setAffiliations}
 * (`InvalidArgumentError` for an empty list, a bad nick or an unknown role).
 *
 * @example
 * ```ts
 * await setRoles(conn, 'room@conference.example.org', [{ nick: 'pistol', role: 'none', reason: 'Avaunt, you cullion!' }]);
 * ```
 */
export async function setRoles(
  conn: XmppConnection,
  roomJid: JID | string,
  changes: readonly RoleChange[],
  options: SetChangesOptions = {},
): Promise<void> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  checkList(changes, 'setRoles');
  if (options.oneIq !== undefined && typeof options.oneIq !== 'boolean') throw new InvalidArgumentError('oneIq must be a boolean');
  const items: AdminItem[] = changes.map((c, i) => {
    const nick = checkNick(c.nick, `changes[${i}].nick`);
    if (!isRole(c.role)) throw new InvalidArgumentError(`changes[${i}].role: unknown role ${JSON.stringify(c.role)}`);
    checkReason(c.reason, i);
    const item: AdminItem = { nick, role: c.role };
    if (c.reason !== undefined) item.reason = c.reason;
    return item;
  });
  await sendItems(conn, room, items, options);
}

/**
 * List the entities with `affiliation` (`owner`, `admin`, `member`, `outcast`; XEP-0045
 * §9.5, §9.8, §10.5, §10.8). Items without a valid JID are skipped (logged). Rejects with
 * `StanzaError` (`forbidden` without the privilege), `PayloadError` for a result without the
 * query, `TimeoutError`, `AbortError`; `InvalidArgumentError` for a bad room JID or
 * affiliation (including `none`, which no server lists).
 *
 * @example
 * ```ts
 * for (const { jid, reason } of await getAffiliated(conn, 'room@conference.example.org', 'outcast')) {
 *   console.log(`${jid} banned: ${reason ?? ''}`);
 * }
 * ```
 */
export async function getAffiliated(
  conn: XmppConnection,
  roomJid: JID | string,
  affiliation: Affiliation,
  options: MucRequestOptions = {},
): Promise<AffiliatedEntity[]> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  if (!isAffiliation(affiliation) || affiliation === 'none') {
    throw new InvalidArgumentError(`getAffiliated: expected owner, admin, member or outcast, got ${JSON.stringify(affiliation)}`);
  }
  const reply = await iqRequest(conn, 'get', room, adminQuery.encode({ items: [{ affiliation }] }), options);
  const logger = options.logger ?? silentLogger;
  const out: AffiliatedEntity[] = [];
  for (const item of resultQuery(reply, options)) {
    if (item.jid === undefined) {
      logger.warn('skipping an affiliation list item without a valid jid', { room: room.toString(), affiliation });
      continue;
    }
    const entry: AffiliatedEntity = { jid: item.jid, affiliation: item.affiliation ?? affiliation };
    if (item.nick !== undefined) entry.nick = item.nick;
    if (item.reason !== undefined && item.reason !== '') entry.reason = item.reason;
    out.push(entry);
  }
  return out;
}

/**
 * List the occupants with `role` (`moderator`, `participant`, `visitor`; XEP-0045 §8.5,
 * §9.11). Items without a nick are skipped (logged). Rejects like {@link getAffiliated}
 * (`InvalidArgumentError` for `none`).
 *
 * @example
 * ```ts
 * const moderators = await getRoles(conn, 'room@conference.example.org', 'moderator');
 * ```
 */
export async function getRoles(
  conn: XmppConnection,
  roomJid: JID | string,
  role: Role,
  options: MucRequestOptions = {},
): Promise<RoleHolder[]> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  if (!isRole(role) || role === 'none') {
    throw new InvalidArgumentError(`getRoles: expected moderator, participant or visitor, got ${JSON.stringify(role)}`);
  }
  const reply = await iqRequest(conn, 'get', room, adminQuery.encode({ items: [{ role }] }), options);
  const logger = options.logger ?? silentLogger;
  const out: RoleHolder[] = [];
  for (const item of resultQuery(reply, options)) {
    if (item.nick === undefined || item.nick === '') {
      logger.warn('skipping a role list item without a nick', { room: room.toString(), role });
      continue;
    }
    const entry: RoleHolder = { nick: item.nick, role: item.role ?? role };
    if (item.jid !== undefined) entry.jid = item.jid;
    if (item.affiliation !== undefined) entry.affiliation = item.affiliation;
    out.push(entry);
  }
  return out;
}
