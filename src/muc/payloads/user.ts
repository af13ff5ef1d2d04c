/**
 * The muc#user payload (`<x xmlns='http://jabber.org/protocol/muc#user'/>`, XEP-0045 §19.1):
 * status codes, items, invitations, declines, room destruction.
 */
import type { Element } from 'ltx';
import { isElement } from '../../xml/element.js';
import { type JID, tryParseOnce } from '../../core/jid.js';
import { NS } from '../../core/namespaces.js';
import { type Codec, type DecodeOptions, element, required } from '../../xml/codec.js';
import { attr, child, childText, children, custom, enumAttr, intAttr, jidAttr, parseInteger } from '../../xml/fields.js';
import { AFFILIATIONS, type Affiliation, ROLES, type Role } from '../constants.js';

export { type History, type MucJoin, history, mucJoin } from './muc.js';

/** `<actor/>`: who performed a kick, ban, role or affiliation change. */
export interface Actor {
  /** The actor's real JID, when the service discloses it. */
  jid?: JID;
  /** The actor's nick in the room. */
  nick?: string;
}

/** `<continue/>`: a one-to-one conversation continued in the room (XEP-0045 §7.9). */
export interface Continue {
  /** The thread being continued. */
  thread?: string;
}

/** `<item/>` of muc#user: an occupant's affiliation, role, real JID and nick. */
export interface UserItem {
  /** The affiliation; an unknown value is dropped (logged). */
  affiliation?: Affiliation;
  /** The role; an unknown value is dropped (logged). */
  role?: Role;
  /** The occupant's real JID (absent in anonymous rooms). */
  jid?: JID;
  /** The nick (the new one in a 303 presence). */
  nick?: string;
  /** The reason given by the actor. */
  reason?: string;
  /** Who made the change. */
  actor?: Actor;
  /** A continued thread. */
  continue?: Continue;
}

/** `<status code/>`. */
export interface Status {
  /** The status code (unknown codes pass through). */
  code: number;
}

/** `<invite/>`: a mediated invitation (XEP-0045 §7.8.2). */
export interface Invite {
  /** The inviter, as stated by the room (never proven). */
  from?: JID;
  /** The invitee (when sending through the room). */
  to?: JID;
  /** The reason text. */
  reason?: string;
  /** A continued thread. */
  continue?: Continue;
}

/** `<decline/>`: a declined mediated invitation. */
export interface Decline {
  /** Who declined (as stated by the room). */
  from?: JID;
  /** Whom the decline is for. */
  to?: JID;
  /** The reason text. */
  reason?: string;
}

/** `<destroy/>`: the room was (or is to be) destroyed, with an optional alternate venue. */
export interface Destroy {
  /** The alternate venue. */
  jid?: JID;
  /** Why the room was destroyed. */
  reason?: string;
  /** The alternate venue's password. */
  password?: string;
}

/** The whole muc#user `<x/>`. Every `<item/>` is kept, in order. */
export interface UserExt {
  /** The status codes, in document order (unknown codes kept as numbers). */
  statusCodes: Set<number>;
  /** Every `<item/>`. */
  items: UserItem[];
  /** The `<destroy/>` of a destroyed room. */
  destroy?: Destroy;
  /** Every `<invite/>`. */
  invites: Invite[];
  /** The `<decline/>`. */
  decline?: Decline;
  /** The room password (of a mediated invitation). */
  password?: string;
}

/** Codec of `<actor/>`. */
export const actor: Codec<Actor> = element<Actor>(NS.MUC_USER, 'actor', {
  jid: jidAttr('jid'),
  nick: attr('nick'),
});

/** Codec of `<continue/>`. */
export const continueEl: Codec<Continue> = element<Continue>(NS.MUC_USER, 'continue', {
  thread: attr('thread'),
});

/** Codec of muc#user `<item/>`. */
export const userItem: Codec<UserItem> = element<UserItem>(NS.MUC_USER, 'item', {
  affiliation: enumAttr('affiliation', AFFILIATIONS, { strict: true }),
  role: enumAttr('role', ROLES, { strict: true }),
  jid: jidAttr('jid'),
  nick: attr('nick'),
  actor: child(actor),
  reason: childText('reason'),
  continue: child(continueEl),
});

/** Codec of `<status/>`. */
export const status: Codec<Status> = element<Status>(NS.MUC_USER, 'status', {
  code: required(intAttr('code')),
});

/** Codec of `<invite/>`. */
export const invite: Codec<Invite> = element<Invite>(NS.MUC_USER, 'invite', {
  from: jidAttr('from'),
  to: jidAttr('to'),
  reason: childText('reason'),
  continue: child(continueEl),
});

/** Codec of `<decline/>`. */
export const decline: Codec<Decline> = element<Decline>(NS.MUC_USER, 'decline', {
  from: jidAttr('from'),
  to: jidAttr('to'),
  reason: childText('reason'),
});

/** The codec of `<destroy/>` in namespace `ns` (muc#user here; `owner.ts` has its own, ordered as its schema). */
export function destroyCodec(ns: string): Codec<Destroy> {
  return element<Destroy>(ns, 'destroy', {
    jid: jidAttr('jid'),
    reason: childText('reason'),
    password: childText('password'),
  });
}

/** Codec of muc#user `<destroy/>`. */
export const destroy: Codec<Destroy> = destroyCodec(NS.MUC_USER);

const statusField = children(status);

/**
 * Codec of the muc#user `<x/>`. Never throws on content it can skip: malformed items,
 * status codes or JIDs are dropped (logged at debug level).
 *
 * @example
 * ```ts
 * const ext = userExt.findIn(presence);
 * if (ext?.statusCodes.has(StatusCode.SELF)) { ... }
 * ```
 */
export const userExt: Codec<UserExt> = element<UserExt>(NS.MUC_USER, 'x', {
  decline: child(decline),
  invites: children(invite),
  items: children(userItem),
  destroy: child(destroy),
  statusCodes: custom<Set<number>>({
    describe: statusField.describe,
    claims: statusField.claims,
    decode: (el, ctx) => new Set(statusField.decode(el, ctx).map((s) => s.code)),
    encode: (el, codes, ctx) =>
      statusField.encode(
        el,
        [...codes].map((code) => ({ code })),
        ctx,
      ),
  }),
  password: childText('password'),
});

/**
 * The muc#user `<x/>` of a stanza, decoded, or `undefined` when absent. Never throws (a
 * payload the codec rejects is reported as absent).
 */
export function findUserExt(stanza: Element, options?: DecodeOptions): UserExt | undefined {
  const children = stanza.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (!isElement(c) || !isUserX(c)) continue;
    try {
      return quickUserExt(c) ?? userExt.decode(c, options);
    } catch (error) {
      options?.logger?.debug('dropping malformed muc#user payload', { error });
      return undefined;
    }
  }
  return undefined;
}

/**
 * Whether `el` is a muc#user `<x/>` ({@link userExt}'s `matches`), without ltx's namespace
 * lookup for the common case: an unprefixed `x` with its own `xmlns` (ltx takes a missing or
 * empty `xmlns` from the parent, so those, and prefixed names, go the generic way).
 */
function isUserX(el: Element): boolean {
  const name = el.name;
  if (name === 'x') {
    const ns = el.attrs.xmlns as unknown;
    if (typeof ns === 'string' && ns !== '') return ns === NS.MUC_USER;
  } else if (!name.endsWith(':x')) return false;
  return userExt.matches(el);
}

const KNOWN_AFFILIATIONS = new Map<string, Affiliation>(AFFILIATIONS.map((a) => [a, a]));
const KNOWN_ROLES = new Map<string, Role>(ROLES.map((r) => [r, r]));

function attrValue(el: Element, name: string): string | undefined {
  const v = el.attrs[name] as unknown;
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * The {@link userExt} decoding of the muc#user `<x/>` of an occupant presence in its usual
 * shape (only `<item/>`s without children and `<status/>`es, every value well-formed), without
 * the codec's generic machinery: the same object the codec builds, or `undefined` for any other
 * shape (the codec decides then, and logs what it drops).
 * @internal
 */
export function quickUserExt(x: Element): UserExt | undefined {
  if (x.name !== 'x') return undefined; // a prefixed <x/> would change its children's default namespace
  // Made by the first item (as large as it): a push onto `[]` would give it room for 16.
  let items: UserItem[] | undefined;
  const statusCodes = new Set<number>();
  const children = x.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (!isElement(c)) continue;
    // No xmlns and no prefix: the child is in muc#user, as its parent.
    if (c.attrs.xmlns !== undefined) return undefined;
    if (c.name === 'item') {
      const item = quickItem(c);
      if (item === undefined) return undefined;
      if (items === undefined) items = [item];
      else items.push(item);
    } else if (c.name === 'status') {
      const raw = attrValue(c, 'code');
      const code = raw === undefined ? undefined : parseInteger(raw);
      if (code === undefined) return undefined;
      statusCodes.add(code);
    } else {
      return undefined;
    }
  }
  return { invites: [], items: items ?? [], statusCodes };
}

function quickItem(el: Element): UserItem | undefined {
  const children = el.children;
  for (let i = 0; i < children.length; i++) if (isElement(children[i])) return undefined; // actor, reason, continue
  const item: UserItem = {};
  const rawAffiliation = attrValue(el, 'affiliation');
  if (rawAffiliation !== undefined) {
    const affiliation = KNOWN_AFFILIATIONS.get(rawAffiliation);
    if (affiliation === undefined) return undefined;
    item.affiliation = affiliation;
  }
  const rawRole = attrValue(el, 'role');
  if (rawRole !== undefined) {
    const role = KNOWN_ROLES.get(rawRole);
    if (role === undefined) return undefined;
    item.role = role;
  }
  const rawJid = attrValue(el, 'jid');
  if (rawJid !== undefined) {
    const jid = tryParseOnce(rawJid); // the same JID as the codec's JID.tryParse
    if (jid === undefined) return undefined;
    item.jid = jid;
  }
  const nick = attrValue(el, 'nick');
  if (nick !== undefined) item.nick = nick;
  return item;
}
