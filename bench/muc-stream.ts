/**
 * Server-side XML for the in-process MUC benchmarks, scaled up from stanzas captured from
 * Prosody 0.12.3 (`test/fixtures/xep0045/prosody-occupant-presence-jid.xml`,
 * `prosody-self-presence-join.xml`, `prosody-history-message.xml`,
 * `prosody-subject-on-join-delayed.xml`, `prosody-live-message.xml`), written in the form
 * Prosody puts on a c2s stream (no whitespace between elements, no `xmlns='jabber:client'`,
 * single quotes). Occupants get distinct nicks (every 7th non-ASCII), real JIDs (a non-anonymous
 * room: the self-presence carries status 100 and 110), occupant ids, entity caps on all and
 * show/status on every 5th. History messages carry `delay` and `stanza-id`; live messages
 * `origin-id`, `occupant-id` and `stanza-id`, with mixed UTF-8 bodies.
 *
 * Everything is built before a measurement starts and handed over as 64 KiB `Buffer`s (one
 * socket read each).
 */
import { createHash } from 'node:crypto';

/** Bytes per simulated socket read. */
export const READ_BYTES = Number(process.env.BENCH_READ_BYTES ?? 64 * 1024);
/** Our full JID in the in-memory stream. */
export const SELF_JID = 'bench@localhost/mem';
/** Our nick in every room. */
export const SELF_NICK = 'benchuser';
/** The MUC service of the benchmark rooms. */
export const SERVICE = 'conference.localhost';

const CAPS = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' ver='JbfqiPA7VV0sRSMeyBP8qWkhJzc='/>";
const NON_ASCII = ['Jürgen', 'Zoë', '李雷', 'Ольга', 'Siân', 'Ḿarta', 'Ådne'];

/** A stable 44-character base64 occupant id for `key`, as Prosody makes them (a hash). */
export function occupantId(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}

/** A 24-character stanza id, distinct per `key`. */
export function stanzaId(key: string): string {
  return createHash('sha1').update(key).digest('base64').replace(/[+/=]/g, 'x').slice(0, 24);
}

/** The nick of occupant `i` (distinct; every 7th is non-ASCII). */
export function nickOf(i: number, prefix = 'user'): string {
  return i % 7 === 3 ? `${NON_ASCII[i % NON_ASCII.length]}-${i}` : `${prefix}${i}`;
}

/** An occupant's available presence as Prosody relays it to us. */
export function occupantPresence(room: string, nick: string, i: number, to = SELF_JID): string {
  const show = i % 5 === 1 ? `<show>away</show><status>back in ${i % 60} minutes</status>` : '';
  const role = i === 0 ? "role='moderator' affiliation='owner'" : "role='participant' affiliation='none'";
  return (
    `<presence from='${room}/${nick}' to='${to}' xml:lang='en' id='p${i}-${room.length}'>${show}${CAPS}` +
    `<x xmlns='vcard-temp:x:update'><photo/></x>` +
    `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='${occupantId(`${room}/${nick}`)}'/>` +
    `<x xmlns='http://jabber.org/protocol/muc#user'><item jid='user${i}@localhost/res${i % 3}' ${role}/></x></presence>`
  );
}

/** An occupant leaving (unavailable). */
export function occupantUnavailable(room: string, nick: string, i: number, to = SELF_JID): string {
  return (
    `<presence from='${room}/${nick}' to='${to}' type='unavailable' xml:lang='en'>` +
    `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='${occupantId(`${room}/${nick}`)}'/>` +
    `<x xmlns='http://jabber.org/protocol/muc#user'><item jid='user${i}@localhost/res${i % 3}' role='none' affiliation='none'/></x></presence>`
  );
}

/** Our self-presence (status 100: non-anonymous room; 110: self). */
export function selfPresence(room: string, to = SELF_JID, nick = SELF_NICK): string {
  return (
    `<presence from='${room}/${nick}' to='${to}' xml:lang='en'>${CAPS}<x xmlns='vcard-temp:x:update'><photo/></x>` +
    `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='${occupantId(`${room}/${nick}`)}'/>` +
    `<x xmlns='http://jabber.org/protocol/muc#user'><status code='100'/><item jid='${to}' role='participant' affiliation='none'/><status code='110'/></x></presence>`
  );
}

/** Our unavailable self-presence (the answer to a leave). */
export function selfUnavailable(room: string, to = SELF_JID, nick = SELF_NICK): string {
  return (
    `<presence from='${room}/${nick}' to='${to}' type='unavailable' xml:lang='en'>` +
    `<x xmlns='http://jabber.org/protocol/muc#user'><item jid='${to}' role='none' affiliation='none'/><status code='110'/></x></presence>`
  );
}

const BODIES = [
  'hello from the benchmark',
  'Grüße aus Köln — 你好，世界 😀 ✓',
  'a somewhat longer line of chat text, the kind people actually write when they explain something',
  'ok',
  'Ещё одно сообщение & <escaped> "quotes"',
];

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A groupchat message from `nick`; with `stamp`, a history message (delay from the room). With
 * `archived` false, as a room without an archive sends it (Prosody without `mod_muc_mam`): no
 * occupant-id and no stanza-id.
 */
export function groupchat(room: string, nick: string, i: number, stamp?: string, to = SELF_JID, archived = true): string {
  const body = escapeText(`${BODIES[i % BODIES.length]!} #${i}`);
  const delay = stamp === undefined ? '' : `<delay xmlns='urn:xmpp:delay' from='${room}' stamp='${stamp}'/>`;
  const head =
    `<message to='${to}' xml:lang='en' type='groupchat' from='${room}/${nick}' id='m${i}'>` +
    `<body>${body}</body><origin-id xmlns='urn:xmpp:sid:0' id='o${i}-${nick}'/>`;
  if (!archived) return `${head}${delay}</message>`;
  return (
    `${head}<occupant-id xmlns='urn:xmpp:occupant-id:0' id='${occupantId(`${room}/${nick}`)}'/>${delay}` +
    `<stanza-id xmlns='urn:xmpp:sid:0' by='${room}' id='${stanzaId(`${room}:${i}`)}'/></message>`
  );
}

/** The subject sent at the end of the join (delayed, from the occupant who set it). */
export function subject(room: string, nick: string, to = SELF_JID): string {
  return (
    `<message from='${room}/${nick}' type='groupchat' to='${to}'><subject>Benchmark room ${room}</subject>` +
    `<delay xmlns='urn:xmpp:delay' from='${room}' stamp='2026-11-25T11:44:32Z'/></message>`
  );
}

/**
 * Everything Prosody sends a joining client, in its order: the `occupants` presences, our
 * self-presence, `history` delayed messages (from the first occupants), the subject.
 */
export function joinAnswer(room: string, occupants: number, history: number, nickPrefix = 'user'): string {
  const parts: string[] = [];
  for (let i = 0; i < occupants; i++) parts.push(occupantPresence(room, nickOf(i, nickPrefix), i));
  parts.push(selfPresence(room));
  const senders = Math.max(1, Math.min(occupants, 10));
  for (let i = 0; i < history; i++) {
    const stamp = `2026-11-25T11:${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
    parts.push(groupchat(room, nickOf(i % senders, nickPrefix), i, stamp));
  }
  parts.push(subject(room, nickOf(0, nickPrefix)));
  return parts.join('');
}

/** Split UTF-8 bytes into reads of {@link READ_BYTES} (a read may end inside a character). */
export function toReads(xml: string | Buffer): Buffer[] {
  const buf = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += READ_BYTES) out.push(buf.subarray(i, i + READ_BYTES));
  return out;
}

/**
 * Build a long stream from `count` pieces without holding it as one string: pieces are joined
 * into ~1 MiB strings, each turned into bytes, then cut into reads.
 */
export function readsOf(count: number, piece: (i: number) => string): Buffer[] {
  const blocks: Buffer[] = [];
  let s = '';
  for (let i = 0; i < count; i++) {
    s += piece(i);
    if (s.length > 1 << 20) {
      blocks.push(Buffer.from(s, 'utf8'));
      s = '';
    }
  }
  if (s) blocks.push(Buffer.from(s, 'utf8'));
  return toReads(Buffer.concat(blocks));
}
