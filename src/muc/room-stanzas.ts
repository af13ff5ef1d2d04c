/**
 * The stanzas a {@link Room} sends (join, leave, nick change, groupchat, PM; the muc#owner ones are in owner.ts)
 * and a small deferred-promise helper. Pure builders: no I/O, no state.
 * @internal
 */
import { Element } from 'ltx';
import type { JID } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { type MessageInit, buildMessage } from './message.js';
import type { ConfigSubmission } from './owner.js';
import { type History, mucJoin } from './payloads/muc.js';

/** A message to send: everything of {@link MessageInit} but the address and type, which the room sets. */
export type OutgoingMessage = Omit<MessageInit, 'to' | 'type'>;

/** A form to submit with `Room.createConfigured`: the same as {@link ConfigSubmission} (owner.ts, which builds the muc#owner stanzas). */
export type SubmittableForm = ConfigSubmission;

/** The settle functions of a promise. */
export interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A promise with its settle functions. */
export function deferred<T>(): { promise: Promise<T> } & Pending<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `<presence to=room/nick id><x xmlns=muc><history/><password/></x></presence>`. */
export function joinPresence(room: JID, nick: string, id: string, history: History | undefined, password: string | undefined): Element {
  const presence = new Element('presence', { to: room.withResource(nick).toString(), id });
  presence.cnode(mucJoin.encode({ ...(history ? { history } : {}), ...(password !== undefined ? { password } : {}) }));
  return presence;
}

/** `<presence to=room/nick type=unavailable/>`. */
export function leavePresence(room: JID, nick: string): Element {
  return new Element('presence', { to: room.withResource(nick).toString(), type: 'unavailable' });
}

/** `<presence to=room/newNick id/>` (nick change, XEP-0045 §7.6). */
export function nickPresence(room: JID, nick: string, id: string): Element {
  return new Element('presence', { to: room.withResource(nick).toString(), id });
}

/** A groupchat message to `room` with an id (given or new) and an origin-id (given or the id). */
export function groupchatMessage(room: JID, message: string | OutgoingMessage, newId: () => string): Element {
  const init: OutgoingMessage = typeof message === 'string' ? { body: message } : message;
  const id = init.id ?? newId();
  return buildMessage({ ...init, to: room, type: 'groupchat', id, originId: init.originId ?? id });
}

/** A MUC private message to `room/nick` (type chat, muc#user marker). */
export function privateMessage(room: JID, nick: string, text: string, id: string): Element {
  return buildMessage({ to: room.withResource(nick), type: 'chat', id, body: text, originId: id, mucUserMarker: true });
}

/** The body texts of a built message, by language. */
export function bodyOf(stanza: Element): LanguageMap {
  const body = new LanguageMap();
  for (const b of stanza.getChildren('body')) {
    const lang = LanguageMap.langOf(b);
    if (!body.has(lang)) body.set(lang, b.getText());
  }
  return body;
}
