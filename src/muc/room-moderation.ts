/**
 * Moderation of a joined room: kick, ban, role and affiliation changes and lists, over the
 * muc#admin IQs of admin.ts. Each action needs the room entered (else `NotJoinedError`, nothing
 * sent); the server decides the privileges and its refusals are passed through as `StanzaError`.
 * @internal
 */
import type { Element } from 'ltx';
import type { AbortOptions } from '../core/abort.js';
import { InvalidArgumentError } from '../core/errors.js';
import { type JID, prepareNickname } from '../core/jid.js';
import {
  type AffiliatedEntity,
  type AffiliationChange,
  type RoleChange,
  type RoleHolder,
  type SetChangesOptions,
  getAffiliated,
  getRoles,
  setAffiliations,
  setRoles,
} from './admin.js';
import type { Affiliation, Role } from './constants.js';
import type { Occupant } from './occupant.js';
import { findUserExt } from './payloads/user.js';
import { toJid } from './requests.js';
import { type RoomContext, requestOptions } from './room-context.js';

/** Options of `Room.kick`, `Room.setRole` and `Room.setAffiliation`. */
export interface ModerationOptions extends AbortOptions {
  /** Why, shown to the occupant and the room. */
  reason?: string | undefined;
}

/** Options of `Room.ban`. */
export interface BanOptions extends ModerationOptions {
  /**
   * aioxmpp's `request_kick`. A ban always removes the occupant at once (XEP-0045 §9.1), so
   * `false` has no effect (as in aioxmpp).
   */
  requestKick?: boolean | undefined;
}

/** Options of `Room.setRoles` and `Room.setAffiliations` (`oneIq`: see {@link SetChangesOptions}). */
export type BatchOptions = Pick<SetChangesOptions, 'oneIq' | 'signal' | 'timeoutMs'>;

/** The moderation actions of one room. @internal */
export class RoomModeration {
  readonly #ctx: RoomContext;

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  #options(options: AbortOptions): SetChangesOptions {
    return { ...requestOptions(options), logger: this.#ctx.host.logger };
  }

  async kick(member: Occupant | string, options: ModerationOptions): Promise<void> {
    this.#ctx.requireActive();
    const nick = typeof member === 'string' ? prepareNickname(member) : member.nick;
    await this.setRoles([{ nick, role: 'none', reason: options.reason }], options);
  }

  async ban(member: Occupant | string, options: BanOptions): Promise<void> {
    this.#ctx.requireActive();
    const occupant = typeof member === 'string' ? this.#ctx.registry.get(member) : member;
    if (occupant === undefined) throw new InvalidArgumentError(`ban: no occupant ${JSON.stringify(member)} in ${this.#ctx.jid.toString()}`);
    const jid = occupant.directJid;
    if (jid === undefined) {
      throw new InvalidArgumentError(
        `ban: the real JID of ${JSON.stringify(occupant.nick)} is hidden by the room (semi-anonymous room and we are not a moderator); use setAffiliation() with the real JID`,
      );
    }
    await this.setAffiliations([{ jid: jid.bare(), affiliation: 'outcast', reason: options.reason }], options);
  }

  async setRole(nick: string, role: Role, options: ModerationOptions): Promise<void> {
    this.#ctx.requireActive();
    await this.setRoles([{ nick, role, reason: options.reason }], options);
  }

  async setAffiliation(jid: JID | string, affiliation: Affiliation, options: ModerationOptions): Promise<void> {
    this.#ctx.requireActive();
    await this.setAffiliations([{ jid: toJid(jid, 'jid').bare(), affiliation, reason: options.reason }], options);
  }

  async setRoles(changes: readonly RoleChange[], options: BatchOptions): Promise<void> {
    this.#ctx.requireActive();
    await setRoles(this.#ctx.host.connection, this.#ctx.jid, changes, { ...this.#options(options), oneIq: options.oneIq });
  }

  async setAffiliations(changes: readonly AffiliationChange[], options: BatchOptions): Promise<void> {
    this.#ctx.requireActive();
    await setAffiliations(this.#ctx.host.connection, this.#ctx.jid, changes, { ...this.#options(options), oneIq: options.oneIq });
  }

  async getAffiliated(affiliation: Affiliation, options: AbortOptions): Promise<AffiliatedEntity[]> {
    this.#ctx.requireActive();
    return getAffiliated(this.#ctx.host.connection, this.#ctx.jid, affiliation, this.#options(options));
  }

  /**
   * A non-groupchat message from the room's bare JID carrying a muc#user item (and no
   * invitation or decline): an out-of-room affiliation notice. Returns whether claimed.
   */
  handleNotice(stanza: Element, from: JID): boolean {
    const ctx = this.#ctx;
    const type = stanza.attrs.type as string | undefined;
    if (from.resource !== undefined || ctx.closed || type === 'groupchat' || type === 'error') return false;
    const ext = findUserExt(stanza, { logger: ctx.host.logger });
    const item = ext?.items[0];
    if (ext === undefined || item === undefined || ext.invites.length > 0 || ext.decline !== undefined) return false;
    ctx.emit('affiliationNotice', {
      stanza,
      jid: item.jid?.bare(),
      affiliation: item.affiliation,
      actor: item.actor,
      reason: item.reason,
      statusCodes: ext.statusCodes,
    });
    return true;
  }

  async getRoles(role: Role, options: AbortOptions): Promise<RoleHolder[]> {
    this.#ctx.requireActive();
    return getRoles(this.#ctx.host.connection, this.#ctx.jid, role, this.#options(options));
  }
}
