/**
 * Room configuration and destruction over muc#owner IQs (XEP-0045 §10.2, §10.9), usable
 * without joining the room. The stanzas are those `Room.createInstant`/`createConfigured`/
 * `getConfiguration` send: `<iq to=room><query xmlns=muc#owner>[form | destroy]</query></iq>`.
 */
import { Element } from 'ltx';
import { isElement } from '../xml/element.js';
import type { XmppConnection } from '../core/connection.js';
import { InvalidArgumentError, PayloadError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { NS } from '../core/namespaces.js';
import { type DataForm, DataFormCodec, formType } from '../forms/form.js';
import { ConfigurationForm, type ConfigurationFormInstance } from './forms.js';
import type { Destroy } from './payloads/user.js';
import { ownerQuery } from './payloads/owner.js';
import { type MucRequestOptions, checkOptions, iqRequest, toJid, toRoomJid } from './requests.js';

/**
 * A configuration to submit: a {@link ConfigurationFormInstance} (or any form instance: its
 * `render()`), a `DataForm` of type `submit`, or the `<x xmlns='jabber:x:data' type='submit'/>`
 * element.
 */
export type ConfigSubmission =
  | DataForm
  | {
      /** Build the form's `<x xmlns='jabber:x:data'/>` element. */
      render(): Element;
    }
  | Element;

/** Options of {@link destroyRoom}. */
export interface DestroyRoomOptions extends MucRequestOptions {
  /** Why the room is destroyed, shown to its occupants. */
  reason?: string | undefined;
  /** A room the occupants are asked to move to (a bare room JID). */
  alternateVenue?: JID | string | undefined;
  /** The alternate venue's password. */
  password?: string | undefined;
}

function ownerQueryElement(child?: Element): Element {
  const query = new Element('query', { xmlns: NS.MUC_OWNER });
  if (child) query.cnode(child);
  return query;
}

function submissionElement(form: ConfigSubmission): Element {
  let el: Element;
  if (isElement(form)) el = form;
  else if (typeof form === 'object' && form !== null && 'render' in form && typeof form.render === 'function') el = form.render();
  else if (typeof form === 'object' && form !== null && 'fields' in form) el = DataFormCodec.encode(form);
  else throw new InvalidArgumentError('setRoomConfig: expected a form instance, a DataForm or a jabber:x:data element');
  if (el.name !== 'x' || el.getNS() !== NS.DATA_FORMS)
    throw new InvalidArgumentError("setRoomConfig: expected an <x xmlns='jabber:x:data'/> element");
  if (el.attrs.type !== 'submit') {
    throw new InvalidArgumentError(
      `setRoomConfig: the form must be of type 'submit' (got '${String(el.attrs.type)}'): submit renderReply() of the received form`,
    );
  }
  return el;
}

/**
 * Fetch the room's configuration form (XEP-0045 §10.2) as a typed
 * {@link ConfigurationFormInstance} (the raw form is its `form`). Rejects with `StanzaError`
 * (`forbidden` unless owner, `item-not-found`), `PayloadError` when the reply has no form or
 * a form of another `FORM_TYPE`, `TimeoutError`, `AbortError`; `InvalidArgumentError` for a
 * non-bare room JID (nothing sent).
 *
 * @example
 * ```ts
 * const config = await getRoomConfig(conn, 'room@conference.example.org');
 * config.membersonly = true;
 * await setRoomConfig(conn, 'room@conference.example.org', config);
 * ```
 */
export async function getRoomConfig(
  conn: XmppConnection,
  roomJid: JID | string,
  options: MucRequestOptions = {},
): Promise<ConfigurationFormInstance> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  const reply = await iqRequest(conn, 'get', room, ownerQueryElement(), options);
  const query = ownerQuery.findIn(reply, { logger: options.logger });
  if (query?.form === undefined)
    throw new PayloadError("The reply has no <query xmlns='http://jabber.org/protocol/muc#owner'/> with a data form");
  const form = DataFormCodec.decode(query.form, { logger: options.logger });
  const type = formType(form);
  if (type !== undefined && type !== NS.MUC_ROOMCONFIG)
    throw new PayloadError(`The configuration form has FORM_TYPE '${type}', expected '${NS.MUC_ROOMCONFIG}'`);
  return ConfigurationForm.fromForm(form);
}

/**
 * Submit a room configuration (XEP-0045 §10.2; also unlocks a new room, §10.1.3). Resolves
 * when the server accepts; occupants are then told with status 104 (and 170-174 for
 * logging and anonymity changes). Rejects with `StanzaError` (`not-acceptable` for a bad
 * value, `forbidden`), `TimeoutError`, `AbortError`; `InvalidArgumentError` before sending
 * for a non-bare room JID or a form that is not a submission.
 *
 * @example
 * ```ts
 * await setRoomConfig(conn, roomJid, config); // config from getRoomConfig, changed
 * ```
 */
export async function setRoomConfig(
  conn: XmppConnection,
  roomJid: JID | string,
  form: ConfigSubmission,
  options: MucRequestOptions = {},
): Promise<void> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  await iqRequest(conn, 'set', room, ownerQueryElement(submissionElement(form)), options);
}

/**
 * Cancel a configuration started with {@link getRoomConfig} (XEP-0045 §10.1.3, §10.2): a
 * `cancel` form. Cancelling the initial configuration of a room still locked destroys it.
 * Rejects like {@link setRoomConfig}.
 *
 * @example
 * ```ts
 * await cancelRoomConfig(conn, 'room@conference.example.org');
 * ```
 */
export async function cancelRoomConfig(conn: XmppConnection, roomJid: JID | string, options: MucRequestOptions = {}): Promise<void> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  await iqRequest(conn, 'set', room, ownerQueryElement(new Element('x', { xmlns: NS.DATA_FORMS, type: 'cancel' })), options);
}

/**
 * Destroy the room (XEP-0045 §10.9): every occupant leaves with the reason and the
 * alternate venue. Resolves when the server acknowledges. Rejects with `StanzaError`
 * (`forbidden` unless owner), `TimeoutError`, `AbortError`; `InvalidArgumentError` before
 * sending for a non-bare room JID or alternate venue.
 *
 * @example
 * ```ts
 * await destroyRoom(conn, 'heath@chat.example.org', { reason: 'Macbeth doth come.', alternateVenue: 'coven@chat.example.org' });
 * ```
 */
export async function destroyRoom(conn: XmppConnection, roomJid: JID | string, options: DestroyRoomOptions = {}): Promise<void> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  const destroy: Destroy = {};
  if (options.alternateVenue !== undefined) {
    const venue = toJid(options.alternateVenue, 'alternate venue');
    if (!venue.isBare || venue.local === undefined)
      throw new InvalidArgumentError(`The alternate venue must be a bare room JID: ${venue.toString()}`);
    destroy.jid = venue;
  }
  if (options.reason !== undefined) destroy.reason = String(options.reason);
  if (options.password !== undefined) destroy.password = String(options.password);
  await iqRequest(conn, 'set', room, ownerQuery.encode({ destroy }), options);
}
