/**
 * A typed view of a message stanza (aioxmpp `Message`) with the MUC-relevant extensions:
 * XEP-0203 delay, XEP-0359 stanza-id/origin-id, XEP-0421 occupant-id and the muc#user marker.
 */
import { Element } from 'ltx';
import { type JID, parseJid } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { ownString } from '../core/own-string.js';
import { NS } from '../core/namespaces.js';
import { textOf } from '../xml/element.js';
import { parseDateTime } from '../xml/fields.js';

/** The message types of RFC 6121 §5.2.2 (an unknown type is read as `normal`). */
export type MessageType = 'normal' | 'chat' | 'groupchat' | 'headline' | 'error';

const TYPES: ReadonlySet<string> = new Set(['normal', 'chat', 'groupchat', 'headline', 'error']);

/** A XEP-0359 `<stanza-id/>`: an id assigned by `by` (trust it only when `by` is the room). */
export interface StanzaId {
  /** The id. */
  id: string;
  /** The entity that assigned it. */
  by: JID;
}

/** A XEP-0203 `<delay/>`. */
export interface Delay {
  /** When the message was originally sent. */
  stamp: Date;
  /** Who delayed it (for MUC history: the room). */
  from?: JID;
}

/** A received message, read leniently by {@link readMessage}. */
export interface Message {
  /** The `id` attribute. */
  id?: string;
  /** The type (`normal` when absent or unknown). */
  type: MessageType;
  /** The sender; `undefined` when absent or malformed. */
  from?: JID;
  /** The recipient; `undefined` when absent or malformed. */
  to?: JID;
  /** The `<body/>` texts by language (empty when none). */
  body: LanguageMap;
  /** The `<subject/>` texts by language; present (possibly `''`) whenever a `<subject/>` is, even empty. */
  subject?: LanguageMap;
  /** The `<thread/>`. */
  thread?: string;
  /** Every well-formed XEP-0359 `<stanza-id/>` in order (the room decides which `by` to trust). */
  stanzaId?: StanzaId[];
  /** The XEP-0359 `<origin-id/>`. */
  originId?: string;
  /** The XEP-0421 `<occupant-id/>`. */
  occupantId?: string;
  /** The XEP-0203 `<delay/>` (undefined when its stamp is malformed). */
  delay?: Delay;
  /** Whether the message carries `<x xmlns='http://jabber.org/protocol/muc#user'/>` (MUC PMs, invitations). */
  hasMucUserMarker: boolean;
  /** The stanza as received. */
  element: Element;
}

/** Occupant ids recur on every message of an occupant: owned copies, reused (bounded). */
const occupantIds = new Map<string, string>();
const OCCUPANT_ID_CACHE_SIZE = 512;

/** The last occupant id read (consecutive messages often come from one occupant). */
let lastOccupantId = '';

/** An owned copy of an occupant id, the same string for the same id while cached. */
function ownOccupantId(raw: string): string {
  if (raw === lastOccupantId) return lastOccupantId;
  let v = occupantIds.get(raw);
  if (v === undefined) {
    v = ownString(raw);
    if (occupantIds.size >= OCCUPANT_ID_CACHE_SIZE) occupantIds.clear();
    occupantIds.set(v, v);
  }
  lastOccupantId = v;
  return v;
}

function strAttr(el: Element, name: string): string | undefined {
  const v = el.attrs[name] as unknown;
  return typeof v === 'string' ? v : undefined;
}

/** The last JID read from one attribute: the `to` of every message is our JID, the `by` of every stanza-id the room's. */
class LastJid {
  raw = '';
  jid: JID | undefined;
}
const lastTo = new LastJid();
const lastBy = new LastJid();

function jidAttr(el: Element, name: string, logger: Logger, last?: LastJid): JID | undefined {
  const raw = strAttr(el, name);
  if (raw === undefined) return undefined;
  if (last !== undefined && last.jid !== undefined && last.raw === raw) return last.jid;
  try {
    const jid = parseJid(raw); // memoised: the same room and occupant JIDs recur on every message
    if (last !== undefined) {
      last.raw = raw;
      last.jid = jid;
    }
    return jid;
  } catch {
    logger.debug('dropping malformed JID', { element: el.name, attribute: name });
    return undefined;
  }
}

function setLang(map: LanguageMap, el: Element): void {
  const lang = LanguageMap.langOf(el);
  if (!map.has(lang)) map.set(lang, ownString(textOf(el)));
}

/**
 * Read a `<message/>` stanza into a {@link Message}. Lenient and cheap: one pass over the
 * direct children, malformed parts dropped (logged at debug level), never throws.
 *
 * @example
 * ```ts
 * const m = readMessage(stanza);
 * if (m.type === 'groupchat' && m.subject === undefined) console.log(m.body.any());
 * ```
 */
export function readMessage(el: Element, logger: Logger = silentLogger): Message {
  return readMessageFrom(el, logger, undefined);
}

/**
 * {@link readMessage}, with the `from` JID already parsed from `el.attrs.from` (by whoever
 * routed the stanza), so that it is not looked up again.
 * @internal
 */
export function readMessageFrom(el: Element, logger: Logger, from: JID | undefined): Message {
  const rawType = strAttr(el, 'type');
  const msg: Message = {
    type: rawType !== undefined && TYPES.has(rawType) ? (rawType as MessageType) : 'normal',
    body: new LanguageMap(),
    hasMucUserMarker: false,
    element: el,
  };
  try {
    const id = strAttr(el, 'id');
    if (id !== undefined) msg.id = ownString(id);
    const sender = from ?? jidAttr(el, 'from', logger);
    if (sender !== undefined) msg.from = sender;
    const to = jidAttr(el, 'to', logger, lastTo);
    if (to !== undefined) msg.to = to;
    const children = el.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (c === undefined || typeof c === 'string') continue;
      const ns = c.attrs.xmlns as unknown;
      if (ns === undefined || ns === NS.CLIENT) {
        switch (c.name) {
          case 'body':
            setLang(msg.body, c);
            break;
          case 'subject':
            msg.subject ??= new LanguageMap();
            setLang(msg.subject, c);
            break;
          case 'thread':
            if (msg.thread === undefined) msg.thread = ownString(textOf(c));
            break;
        }
        continue;
      }
      switch (ns) {
        case NS.DELAY:
          if (c.name === 'delay' && msg.delay === undefined) readDelay(msg, c, logger);
          break;
        case NS.SID:
          if (c.name === 'stanza-id') readStanzaId(msg, c, logger);
          else if (c.name === 'origin-id' && msg.originId === undefined) {
            const oid = strAttr(c, 'id');
            if (oid) msg.originId = ownString(oid);
          }
          break;
        case NS.OCCUPANT_ID:
          if (c.name === 'occupant-id' && msg.occupantId === undefined) {
            const oid = strAttr(c, 'id');
            if (oid) msg.occupantId = ownOccupantId(oid);
          }
          break;
        case NS.MUC_USER:
          if (c.name === 'x') msg.hasMucUserMarker = true;
          break;
      }
    }
  } catch (error) {
    // Defensive: a tree built by hand can hold anything; keep what was read.
    logger.debug('error while reading message', { error });
  }
  return msg;
}

function readDelay(msg: Message, c: Element, logger: Logger): void {
  const raw = strAttr(c, 'stamp');
  const stamp = raw === undefined ? undefined : parseDateTime(raw);
  if (stamp === undefined) {
    logger.debug('dropping delay with malformed stamp', { stamp: raw });
    return;
  }
  const from = jidAttr(c, 'from', logger);
  msg.delay = from === undefined ? { stamp } : { stamp, from };
}

function readStanzaId(msg: Message, c: Element, logger: Logger): void {
  const id = strAttr(c, 'id');
  const by = jidAttr(c, 'by', logger, lastBy);
  if (!id || by === undefined) {
    logger.debug('dropping malformed stanza-id', { id, by: c.attrs.by });
    return;
  }
  const entry = { id: ownString(id), by };
  // The first as a literal (a push onto `[]` would make room for 16).
  if (msg.stanzaId === undefined) msg.stanzaId = [entry];
  else msg.stanzaId.push(entry);
}

/** What {@link buildMessage} builds. */
export interface MessageInit {
  /** The recipient (a room's bare JID, or an occupant JID for a PM). */
  to: JID | string;
  /** The type. Default `groupchat`. */
  type?: MessageType;
  /** The `id` attribute. */
  id?: string;
  /** The body: a text (no language) or texts by language. */
  body?: string | LanguageMap;
  /** The subject: a text or texts by language; `''` sends an empty `<subject/>` (clears the topic). */
  subject?: string | LanguageMap;
  /** The `<thread/>`. */
  thread?: string;
  /** A XEP-0359 origin-id. */
  originId?: string;
  /** Add `<x xmlns='http://jabber.org/protocol/muc#user'/>` (MUC private messages). */
  mucUserMarker?: boolean;
  /** More children to append, as they are. */
  extra?: readonly Element[];
}

function addLangChildren(el: Element, name: string, value: string | LanguageMap): void {
  const map = typeof value === 'string' ? new LanguageMap([[null, value]]) : value;
  for (const [lang, text] of map) {
    const child = el.c(name, lang === null ? {} : { 'xml:lang': lang });
    if (text !== '') child.t(text);
    child.up();
  }
}

/**
 * Build a `<message/>`: body, subject, thread, origin-id, muc#user marker, then `extra`.
 *
 * @example
 * ```ts
 * buildMessage({ to: room.jid, id: 'm1', body: 'hello', originId: 'm1' });
 * ```
 */
export function buildMessage(init: MessageInit): Element {
  const attrs: Record<string, string> = { to: init.to.toString(), type: init.type ?? 'groupchat' };
  if (init.id !== undefined) attrs.id = init.id;
  const el = new Element('message', attrs);
  if (init.body !== undefined) addLangChildren(el, 'body', init.body);
  if (init.subject !== undefined) addLangChildren(el, 'subject', init.subject);
  if (init.thread !== undefined) el.c('thread').t(init.thread);
  if (init.originId !== undefined) el.c('origin-id', { xmlns: NS.SID, id: init.originId });
  if (init.mucUserMarker) el.c('x', { xmlns: NS.MUC_USER });
  for (const child of init.extra ?? []) el.cnode(child);
  return el;
}
