/**
 * Voice requests (XEP-0045 §7.13, §8.6): the visitor's request, the form the room relays to
 * moderators, and the moderator's answer. Pure functions: no I/O.
 */
import { Element } from 'ltx';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { DataFormCodec, formType } from '../forms/form.js';
import { VoiceRequestForm, type VoiceRequestFormInstance } from './forms.js';
import { toRoomJid } from './requests.js';

/** A voice request relayed by a room to a moderator. */
export interface VoiceRequest {
  /** The message that carried it. */
  stanza: Element;
  /** The room (bare). */
  roomAddress: JID;
  /** The request, typed: `roomnick`, `jid`, `role`; set `request_allow` to answer. */
  form: VoiceRequestFormInstance;
}

const newId = () => globalThis.crypto.randomUUID();

/**
 * The message a visitor sends to the room to ask for voice (XEP-0045 §7.13): a submitted
 * `muc#request` form with `muc#role` = `participant`. Throws {@link InvalidArgumentError}
 * for a non-bare room JID.
 *
 * @example
 * ```ts
 * await conn.send(voiceRequestMessage('coven@chat.shakespeare.lit'));
 * ```
 */
export function voiceRequestMessage(roomJid: JID | string, options: { id?: string | undefined } = {}): Element {
  const room = toRoomJid(roomJid);
  const message = new Element('message', { to: room.toString(), id: options.id ?? newId() });
  message.cnode(
    DataFormCodec.encode({
      type: 'submit',
      instructions: [],
      items: [],
      fields: [
        { var: 'FORM_TYPE', required: false, values: [NS.MUC_REQUEST], options: [] },
        { var: 'muc#role', type: 'list-single', label: 'Requested role', required: false, values: ['participant'], options: [] },
      ],
    }),
  );
  return message;
}

/**
 * Read a voice request the room relayed to us as moderator (a `muc#request` form in a
 * message from the room's bare JID), or `undefined` (malformed forms logged). Never throws.
 *
 * @example
 * ```ts
 * const request = readVoiceRequest(stanza);
 * if (request) await conn.send(voiceRequestAnswer(request, true));
 * ```
 */
export function readVoiceRequest(stanza: Element, options: { logger?: Logger | undefined } = {}): VoiceRequest | undefined {
  const type = stanza.attrs.type as string | undefined;
  if (stanza.name !== 'message' || type === 'error' || type === 'groupchat') return undefined;
  const x = stanza.getChildElements().find((c) => DataFormCodec.matches(c));
  if (x === undefined) return undefined;
  const logger = options.logger ?? silentLogger;
  const from = JID.tryParse(stanza.attrs.from as string | undefined);
  if (from?.local === undefined || !from.isBare) return undefined;
  try {
    const form = DataFormCodec.decode(x, { logger });
    if (formType(form) !== NS.MUC_REQUEST) return undefined;
    return { stanza, roomAddress: from, form: VoiceRequestForm.fromForm(form) };
  } catch (error) {
    logger.debug('ignoring a malformed voice request form', { error });
    return undefined;
  }
}

/**
 * The moderator's answer to a voice request (XEP-0045 §8.6): the request's form submitted
 * back to the room with `muc#request_allow` set to `allow`. Throws
 * {@link InvalidArgumentError} when the form has no `muc#request_allow` field.
 *
 * @example
 * ```ts
 * await conn.send(voiceRequestAnswer(request, true, { id: 'approve-1' }));
 * ```
 */
export function voiceRequestAnswer(request: VoiceRequest, allow: boolean, options: { id?: string | undefined } = {}): Element {
  if (typeof allow !== 'boolean') throw new InvalidArgumentError('voiceRequestAnswer: allow must be a boolean');
  request.form.request_allow = allow;
  const message = new Element('message', { to: request.roomAddress.toString(), id: options.id ?? newId() });
  message.cnode(request.form.render());
  return message;
}
