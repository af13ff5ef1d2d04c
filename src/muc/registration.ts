/**
 * Registering with a room to reserve a nick (XEP-0045 §7.10) and discovering the reserved
 * nick (§7.12). Servers differ: Prosody 0.12 registers per room (members only; the service
 * itself answers `service-unavailable`) and answers the `x-roomuser-item` disco node;
 * ejabberd 23.01 registers per service (the room answers `service-unavailable`) and has no
 * `x-roomuser-item` node. These functions try the room first and fall back to the service.
 */
import { Element } from 'ltx';
import type { XmppConnection } from '../core/connection.js';
import { InvalidArgumentError, PayloadError, StanzaError } from '../core/errors.js';
import { JID, prepareNickname } from '../core/jid.js';
import { discoInfo } from '../disco/disco.js';
import { type DataForm, formType } from '../forms/form.js';
import { MUC_REGISTER_FORM_TYPE, RegisterForm, type RegisterFormInstance } from './forms.js';
import { NS_REGISTER, registerQuery } from './payloads/register.js';
import { type MucRequestOptions, checkOptions, iqRequest, toRoomJid } from './requests.js';

/** The disco#info node of a user's reserved nick in a room (XEP-0045 §7.12). */
export const RESERVED_NICK_NODE = 'x-roomuser-item';

/** The nick field of the `muc#register` form. */
const ROOMNICK_VAR = 'muc#register_roomnick';

/** What {@link getRegistrationForm} returns. */
export interface RegistrationInfo {
  /** Where registration happens: the room (Prosody) or its service (ejabberd). */
  target: JID;
  /** Whether the user is already registered there. */
  registered: boolean;
  /** The registered nick (`<username/>` on Prosody, `<nick/>` on ejabberd), when registered. */
  nick?: string;
  /** Instructions for the user, when the service gives some. */
  instructions?: string;
  /** The `muc#register` form to fill in, typed (its `roomnick` is the nick to reserve). */
  form?: RegisterFormInstance;
  /** The data form as received (also when it is not a `muc#register` form). */
  dataForm?: DataForm;
}

/** Whether `error` says "not here" (so the service may be asked instead of the room). */
function notSupportedHere(error: unknown): boolean {
  return error instanceof StanzaError && (error.condition === 'service-unavailable' || error.condition === 'feature-not-implemented');
}

async function queryRegistration(conn: XmppConnection, target: JID, options: MucRequestOptions): Promise<RegistrationInfo> {
  const reply = await iqRequest(conn, 'get', target, new Element('query', { xmlns: NS_REGISTER }), options);
  const query = registerQuery.findIn(reply, { logger: options.logger });
  if (query === undefined) throw new PayloadError(`The reply has no <query xmlns='${NS_REGISTER}'/>`);
  const info: RegistrationInfo = { target, registered: query.registered };
  const nick = query.username || query.nick;
  if (query.registered && nick) info.nick = nick;
  if (query.instructions) info.instructions = query.instructions;
  if (query.form !== undefined) {
    info.dataForm = query.form;
    const type = formType(query.form);
    if (type === undefined || type === MUC_REGISTER_FORM_TYPE) info.form = RegisterForm.fromForm(query.form);
  }
  return info;
}

/**
 * Ask how to register with a room (XEP-0045 §7.10): the room first, then its service when
 * the room answers `service-unavailable` / `feature-not-implemented` (ejabberd). Resolves
 * with the form to fill in, or `registered: true` and the registered nick. Rejects with
 * `StanzaError` (`registration-required` on Prosody for a non-member, `item-not-found`,
 * `not-allowed`), `PayloadError` for a result without the query, `TimeoutError`,
 * `AbortError`; `InvalidArgumentError` for a non-bare room JID.
 *
 * @example
 * ```ts
 * const info = await getRegistrationForm(conn, 'room@conference.example.org');
 * if (info.registered) console.log(`registered as ${info.nick}`);
 * ```
 */
export async function getRegistrationForm(
  conn: XmppConnection,
  roomJid: JID | string,
  options: MucRequestOptions = {},
): Promise<RegistrationInfo> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  try {
    return await queryRegistration(conn, room, options);
  } catch (error) {
    if (!notSupportedHere(error)) throw error;
    return queryRegistration(conn, JID.of(undefined, room.domain), options);
  }
}

/**
 * Reserve `nick` by registering with the room (XEP-0045 §7.10), where the service keeps
 * registrations (the room on Prosody, the service on ejabberd). Uses `form` when given (a
 * {@link getRegistrationForm} result, its `form` possibly filled in further), else fetches
 * it. Resolves when the registration is accepted. Rejects with `StanzaError` (`conflict`:
 * the nick is someone else's; `registration-required`, `not-allowed`, `bad-request`),
 * `TimeoutError`, `AbortError`; `InvalidArgumentError` for a bad room JID or nick, or a form
 * without a nick field.
 *
 * @example
 * ```ts
 * await registerNick(conn, 'room@conference.example.org', 'thirdwitch');
 * ```
 */
export async function registerNick(
  conn: XmppConnection,
  roomJid: JID | string,
  nick: string,
  form?: RegistrationInfo,
  options: MucRequestOptions = {},
): Promise<void> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  if (typeof nick !== 'string' || nick === '') throw new InvalidArgumentError('registerNick: nick must be a non-empty string');
  prepareNickname(nick);
  const info = form ?? (await getRegistrationForm(conn, room, options));
  const query = new Element('query', { xmlns: NS_REGISTER });
  if (info.form?.has('roomnick')) {
    info.form.roomnick = nick;
    query.cnode(info.form.render());
  } else if (info.dataForm !== undefined) {
    const type = formType(info.dataForm) ?? 'none';
    throw new InvalidArgumentError(`registerNick: the registration form (FORM_TYPE ${type}) has no '${ROOMNICK_VAR}' field`);
  } else {
    query.c('nick').t(nick);
  }
  await iqRequest(conn, 'set', info.target, query, options);
}

/**
 * The nick reserved for the user in a room (XEP-0045 §7.12), or `undefined` when none.
 * Asks the room's `x-roomuser-item` disco node (Prosody); where that node does not exist
 * (ejabberd answers `item-not-found`), falls back to the registration query
 * ({@link getRegistrationForm}). Rejects with `StanzaError` when neither answers (e.g.
 * `item-not-found` for a room that does not exist), `TimeoutError`, `AbortError`;
 * `InvalidArgumentError` for a non-bare room JID.
 *
 * @example
 * ```ts
 * const nick = (await getReservedNick(conn, roomJid)) ?? 'guest';
 * ```
 */
export async function getReservedNick(
  conn: XmppConnection,
  roomJid: JID | string,
  options: MucRequestOptions = {},
): Promise<string | undefined> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  try {
    const info = await discoInfo(conn, room, {
      node: RESERVED_NICK_NODE,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
    });
    const identity = info.identities.find((i) => i.category === 'conference' && i.name) ?? info.identities.find((i) => i.name);
    return identity?.name || undefined;
  } catch (error) {
    if (!(error instanceof StanzaError) || !['item-not-found', 'feature-not-implemented', 'service-unavailable'].includes(error.condition))
      throw error;
    let registration: RegistrationInfo;
    try {
      registration = await getRegistrationForm(conn, room, options);
    } catch (fallbackError) {
      options.logger?.debug('reserved nick: registration fallback failed', { room: room.toString(), error: fallbackError });
      throw error;
    }
    return registration.registered ? registration.nick : undefined;
  }
}
