/** The muc#admin query (XEP-0045 §19.2): roles and affiliations, set and listed by moderators and admins. */
import type { JID } from '../../core/jid.js';
import { NS } from '../../core/namespaces.js';
import { type Codec, element } from '../../xml/codec.js';
import { attr, child, childText, children, enumAttr, jidAttr } from '../../xml/fields.js';
import { AFFILIATIONS, type Affiliation, ROLES, type Role } from '../constants.js';
import type { Actor } from './user.js';

/** `<item/>` of muc#admin: one role or affiliation (to set, or as listed). */
export interface AdminItem {
  /** The affiliation; an unknown value is dropped (logged). */
  affiliation?: Affiliation;
  /** The role; an unknown value is dropped (logged). */
  role?: Role;
  /** The entity's (bare) JID, for affiliations. */
  jid?: JID;
  /** The occupant's nick, for roles. */
  nick?: string;
  /** The reason. */
  reason?: string;
  /** Who made the change. */
  actor?: Actor;
}

/** `<query xmlns='http://jabber.org/protocol/muc#admin'/>`. */
export interface AdminQuery {
  /** Every `<item/>`, in order. */
  items: AdminItem[];
}

/** Codec of muc#admin `<actor/>`. */
export const adminActor: Codec<Actor> = element<Actor>(NS.MUC_ADMIN, 'actor', {
  jid: jidAttr('jid'),
  nick: attr('nick'),
});

/** Codec of muc#admin `<item/>`. */
export const adminItem: Codec<AdminItem> = element<AdminItem>(NS.MUC_ADMIN, 'item', {
  affiliation: enumAttr('affiliation', AFFILIATIONS, { strict: true }),
  role: enumAttr('role', ROLES, { strict: true }),
  jid: jidAttr('jid'),
  nick: attr('nick'),
  actor: child(adminActor),
  reason: childText('reason'),
});

/**
 * Codec of the muc#admin `<query/>`.
 *
 * @example
 * ```ts
 * adminQuery.encode({ items: [{ nick: 'pistol', role: 'none', reason: 'Avaunt, you cullion!' }] });
 * ```
 */
export const adminQuery: Codec<AdminQuery> = element<AdminQuery>(NS.MUC_ADMIN, 'query', {
  items: children(adminItem),
});
