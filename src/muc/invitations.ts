/**
 * MUC invitations: reading received ones (XEP-0249 direct, XEP-0045 §7.8.2 mediated) and
 * declines, and building the stanzas to invite and to decline. Pure functions: no I/O.
 *
 * Trust: a DIRECT invitation's inviter is the stanza's sender (checked by the sender's
 * server). A MEDIATED invitation is relayed by the room, and the inviter it names (the
 * `from` of its `<invite/>`) is only the room's claim: any room, spam rooms included, can
 * name anyone. Prosody 0.12 names the inviter's occupant JID (`room/nick`), ejabberd 23.01
 * the inviter's real full JID. Treat a mediated inviter that is not an occupant JID of the
 * invitation's room as unproven.
 */
import { Element } from 'ltx';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { InviteMode } from '../im/conversation.js';
import { type DirectInvite, directInvite } from './payloads/direct-invite.js';
import { type UserExt, userExt } from './payloads/user.js';
import { toJid, toRoomJid } from './requests.js';

/** A received invitation (aioxmpp's `on_muc_invitation` arguments). */
export interface Invitation {
  /** The message that carried it. */
  stanza: Element;
  /** The room invited to (bare). */
  roomAddress: JID;
  /**
   * The inviter. DIRECT: the sender of the message (full or bare JID). MEDIATED: the
   * `from` the room put in `<invite/>` (an occupant JID or a real JID), never proven (see
   * the module notes); `undefined` when the room names nobody.
   */
  inviterAddress: JID | undefined;
  /** How it was sent. */
  mode: InviteMode;
  /** The room password, when the invitation carries one. */
  password?: string;
  /** The inviter's text. */
  reason?: string;
  /** The thread of a one-to-one chat this invitation continues (XEP-0045 §7.9, XEP-0249 `thread`). */
  continueThread?: string;
  /** Whether the invitation continues a one-to-one chat (`<continue/>`, XEP-0249 `continue`). */
  continued?: boolean;
}

/** A received decline of a mediated invitation we sent (XEP-0045 §7.8.2). */
export interface DeclinedInvitation {
  /** The message that carried it. */
  stanza: Element;
  /** The room of the invitation (bare). */
  roomAddress: JID;
  /** Who declined, as the room states it (never proven). */
  from: JID | undefined;
  /** Their text. */
  reason?: string;
}

/** Options of the invitation readers. */
export interface ReadInvitationOptions {
  /** Where malformed invitations that were ignored are reported (debug level). */
  logger?: Logger | undefined;
}

/** The bare room JID a message came from, or `undefined` when it is not a room's. */
function roomOf(stanza: Element): JID | undefined {
  const from = JID.tryParse(stanza.attrs.from as string | undefined);
  return from?.local === undefined ? undefined : from.bare();
}

function isInvitationCarrier(stanza: Element): boolean {
  const type = stanza.attrs.type as string | undefined;
  return stanza.name === 'message' && type !== 'error' && type !== 'groupchat';
}

function readUserExt(stanza: Element, logger: Logger): UserExt | undefined {
  const x = stanza.getChildElements().find((c) => userExt.matches(c));
  if (x === undefined) return undefined;
  try {
    return userExt.decode(x, { logger });
  } catch (error) {
    logger.debug('ignoring a malformed muc#user payload', { error });
    return undefined;
  }
}

const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s);

/**
 * Read an invitation from a received message, or `undefined` when it carries none (or only
 * a malformed one, logged). A muc#user `<invite/>` is MEDIATED (the room is the sender; the
 * `jabber:x:conference` copy both servers add next to it is ignored); a lone
 * `jabber:x:conference` is DIRECT (XEP-0249). Messages of type `groupchat` or `error`
 * never carry invitations. Never throws.
 *
 * @example
 * ```ts
 * conn.events.on('stanza', ({ stanza }) => {
 *   const invitation = readInvitation(stanza);
 *   if (invitation?.mode === InviteMode.DIRECT) muc.join(invitation.roomAddress, 'me', { password: invitation.password });
 * });
 * ```
 */
export function readInvitation(stanza: Element, options: ReadInvitationOptions = {}): Invitation | undefined {
  if (!isInvitationCarrier(stanza)) return undefined;
  const logger = options.logger ?? silentLogger;
  const ext = readUserExt(stanza, logger);
  if (ext !== undefined && ext.invites.length > 0) {
    const room = roomOf(stanza);
    if (room === undefined) {
      logger.debug('ignoring a mediated invitation not sent by a room', { from: stanza.attrs.from });
      return undefined;
    }
    const invite = ext.invites[0]!;
    const out: Invitation = { stanza, roomAddress: room, inviterAddress: invite.from, mode: InviteMode.MEDIATED };
    const password = nonEmpty(ext.password);
    const reason = nonEmpty(invite.reason);
    if (password !== undefined) out.password = ext.password!;
    if (reason !== undefined) out.reason = invite.reason!;
    if (invite.continue !== undefined) {
      out.continued = true;
      if (invite.continue.thread) out.continueThread = invite.continue.thread;
    }
    return out;
  }
  const x = stanza.getChildElements().find((c) => directInvite.matches(c));
  if (x === undefined) return undefined;
  let direct: DirectInvite;
  try {
    direct = directInvite.decode(x, { logger });
  } catch (error) {
    logger.debug('ignoring a malformed direct invitation', { error });
    return undefined;
  }
  if (direct.jid.local === undefined || !direct.jid.isBare) {
    logger.debug('ignoring a direct invitation to something that is not a room', { jid: direct.jid.toString() });
    return undefined;
  }
  const sender = JID.tryParse(stanza.attrs.from as string | undefined);
  const out: Invitation = { stanza, roomAddress: direct.jid, inviterAddress: sender, mode: InviteMode.DIRECT };
  if (nonEmpty(direct.password) !== undefined) out.password = direct.password!;
  if (nonEmpty(direct.reason) !== undefined) out.reason = direct.reason!;
  if (direct.continue === true) out.continued = true;
  if (direct.thread) out.continueThread = direct.thread;
  return out;
}

/**
 * Read a decline of a mediated invitation from a message the room relayed, or `undefined`
 * (also for one not sent by a room, logged). Never throws.
 *
 * @example
 * ```ts
 * const declined = readDecline(stanza);
 * if (declined) console.log(`${declined.from} declined: ${declined.reason ?? ''}`);
 * ```
 */
export function readDecline(stanza: Element, options: ReadInvitationOptions = {}): DeclinedInvitation | undefined {
  if (!isInvitationCarrier(stanza)) return undefined;
  const logger = options.logger ?? silentLogger;
  const decline = readUserExt(stanza, logger)?.decline;
  if (decline === undefined) return undefined;
  const room = roomOf(stanza);
  if (room === undefined) {
    logger.debug('ignoring a decline not sent by a room', { from: stanza.attrs.from });
    return undefined;
  }
  const out: DeclinedInvitation = { stanza, roomAddress: room, from: decline.from };
  if (nonEmpty(decline.reason) !== undefined) out.reason = decline.reason!;
  return out;
}

/** Options of {@link mediatedInviteMessage}. */
export interface MediatedInviteOptions {
  /** Text for the invitee. */
  reason?: string | undefined;
  /** Mark the invitation as continuing a one-to-one chat (`<continue/>`), optionally naming its thread. */
  continueThread?: string | true | undefined;
  /** The message id (default: a random UUID). */
  id?: string | undefined;
}

/** Options of {@link directInviteMessage}. */
export interface DirectInviteOptions {
  /** Text for the invitee. */
  reason?: string | undefined;
  /** The room password. */
  password?: string | undefined;
  /** Mark the invitation as continuing a one-to-one chat, optionally naming its thread. */
  continueThread?: string | true | undefined;
  /** The message id (default: a random UUID). */
  id?: string | undefined;
}

/** Options of {@link declineMessage}. */
export interface DeclineOptions {
  /** Text for the inviter. */
  reason?: string | undefined;
  /** The message id (default: a random UUID). */
  id?: string | undefined;
}

const newId = () => globalThis.crypto.randomUUID();

function checkText(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a string`);
}

/**
 * The message inviting `invitee` through the room (XEP-0045 §7.8.2): sent to the room,
 * which relays it. Throws {@link InvalidArgumentError} for a non-bare room JID or a
 * malformed invitee.
 *
 * @example
 * ```ts
 * await conn.send(mediatedInviteMessage('coven@chat.shakespeare.lit', 'hecate@shakespeare.lit', { reason: 'Hey Hecate!' }));
 * ```
 */
export function mediatedInviteMessage(roomJid: JID | string, invitee: JID | string, options: MediatedInviteOptions = {}): Element {
  const room = toRoomJid(roomJid);
  const to = toJid(invitee, 'invitee');
  checkText(options.reason, 'reason');
  const message = new Element('message', { to: room.toString(), id: options.id ?? newId() });
  const ext: UserExt = { statusCodes: new Set(), items: [], invites: [{ to }] };
  if (options.reason !== undefined) ext.invites[0]!.reason = options.reason;
  if (options.continueThread !== undefined)
    ext.invites[0]!.continue = options.continueThread === true ? {} : { thread: options.continueThread };
  message.cnode(userExt.encode(ext));
  return message;
}

/**
 * The XEP-0249 direct invitation to `invitee` (sent to the invitee, not to the room).
 * Throws {@link InvalidArgumentError} for a non-bare room JID or a malformed invitee.
 *
 * @example
 * ```ts
 * await conn.send(directInviteMessage('hecate@shakespeare.lit', 'coven@chat.shakespeare.lit', { reason: 'Hey Hecate!', password: 'cauldronburn' }));
 * ```
 */
export function directInviteMessage(invitee: JID | string, roomJid: JID | string, options: DirectInviteOptions = {}): Element {
  const to = toJid(invitee, 'invitee');
  const room = toRoomJid(roomJid);
  checkText(options.reason, 'reason');
  checkText(options.password, 'password');
  const invite: DirectInvite = { jid: room };
  if (options.password !== undefined) invite.password = options.password;
  if (options.reason !== undefined) invite.reason = options.reason;
  if (options.continueThread !== undefined) {
    invite.continue = true;
    if (options.continueThread !== true) invite.thread = options.continueThread;
  }
  const message = new Element('message', { to: to.toString(), id: options.id ?? newId() });
  message.cnode(directInvite.encode(invite));
  return message;
}

/**
 * The message declining a mediated invitation (XEP-0045 §7.8.2): sent to the room, which
 * relays it to `inviter` (the `inviterAddress` of the {@link Invitation}). Throws
 * {@link InvalidArgumentError} for a non-bare room JID or a malformed inviter.
 *
 * @example
 * ```ts
 * await conn.send(declineMessage(invitation.roomAddress, invitation.inviterAddress!, { reason: "Sorry, I'm too busy right now." }));
 * ```
 */
export function declineMessage(roomJid: JID | string, inviter: JID | string, options: DeclineOptions = {}): Element {
  const room = toRoomJid(roomJid);
  const to = toJid(inviter, 'inviter');
  checkText(options.reason, 'reason');
  const message = new Element('message', { to: room.toString(), id: options.id ?? newId() });
  const ext: UserExt = { statusCodes: new Set(), items: [], invites: [], decline: { to } };
  if (options.reason !== undefined) ext.decline!.reason = options.reason;
  message.cnode(userExt.encode(ext));
  return message;
}
