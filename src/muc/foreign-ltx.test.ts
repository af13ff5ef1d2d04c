/**
 * Stanzas built by another copy of ltx: xmpp.js parses with `ltx/lib/Element.js` (the CommonJS
 * build), a different class from the `ltx` xmuc imports, so everything `fromXmppJs` hands a room
 * fails `instanceof Element`. The same captured stanzas, fed once as xmuc's elements and once as
 * xmpp.js's, must give the same events and the same room.
 */
import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { recordAll } from '../../test/support/record-events.js';
import { XmppJsElement } from '../../test/support/xmppjs-client.js';
import { EMPTY_SUBJECT, PROSODY_ALICE, PROSODY_BOB_SELF, ROOM, setup } from '../../test/support/muc-setup.js';
import { parse } from 'ltx';
import { stripWhitespace } from '../testing/xml.js';
import { JID } from '../core/jid.js';
import { isElement } from '../xml/element.js';
import { Occupant } from './occupant.js';

const ForeignElement = XmppJsElement;

/** A deep copy of `el` built with xmpp.js's ltx class. */
function foreign(el: Element): Element {
  const copy = new ForeignElement(el.name, { ...el.attrs });
  for (const c of el.children) {
    if (typeof c === 'string') copy.t(c);
    else copy.cnode(foreign(c as Element));
  }
  return copy;
}

const STREAM = [
  'prosody-occupant-presence',
  'prosody-occupant-presence-jid',
  'prosody-nick-change-unavailable',
  'prosody-nick-change-available',
  'prosody-role-change-visitor',
  'prosody-live-message',
  'prosody-subject-change',
  'prosody-kick-observer',
];

/** A comparable copy of an event payload: elements as XML, maps and sets as arrays, occupants by their state. */
function plain(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (isElement(v)) return `xml:${v.toString()}`;
  if (v instanceof JID) return `jid:${v.toString()}`;
  if (depth > 4) return '…';
  if (v instanceof Map || v instanceof Set) return [...v].map((x) => plain(x, depth + 1));
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v instanceof Occupant) return { nick: v.nick, uid: v.uid, role: v.role, status: plain(v.presenceStatus, depth + 1) };
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, depth + 1)]));
}

/** Join the room of the transcripts, feed {@link STREAM}; what the room emitted and holds. */
function run(convert: (el: Element) => Element) {
  const env = setup();
  const { room } = env.muc.join(ROOM, 'bob');
  const rec = recordAll(room);
  const feed = (el: Element) => env.conn.receive(convert(el));
  for (const s of [PROSODY_ALICE, PROSODY_BOB_SELF, EMPTY_SUBJECT]) feed(stripWhitespace(parse(s.trim()) as Element));
  for (const name of STREAM) feed(loadFixture(name));
  const occupants = room.members.map((o) => ({
    nick: o.nick,
    role: o.role,
    affiliation: o.affiliation,
    jid: o.directJid?.toString(),
    occupantId: o.occupantId,
    uid: o.uid,
    state: o.presenceState,
    status: [...o.presenceStatus],
  }));
  const events = rec.map(([name, payload]) => [name, plain(payload)]);
  return { events, occupants, state: room.state, subject: [...room.subject] };
}

describe('stanzas from another copy of ltx (xmpp.js)', () => {
  it('the copy is really another class, with the same tree', () => {
    const el = foreign(loadFixture('prosody-occupant-presence'));
    expect(el instanceof Element).toBe(false);
    expect(el.toString()).toBe(loadFixture('prosody-occupant-presence').toString());
  });

  it('give the same events and the same room as xmuc elements', () => {
    const native = run((el) => el);
    const names = native.events.map((e) => e[0]);
    for (const name of ['join', 'enter', 'message', 'topicChanged', 'roleChanged']) expect(names).toContain(name);
    expect(native.occupants.length).toBeGreaterThan(1);
    expect(run(foreign)).toEqual(native);
  });
});
