import { describe, expect, it } from 'vitest';
import { JID } from '../core/jid.js';
import { Occupant } from '../muc/occupant.js';
import { MucJoinError } from '../muc/join-error.js';
import { StanzaError } from '../core/errors.js';
import { dataForm, formField } from '../forms/form.js';
import {
  type CliEvent,
  describeError,
  discoJson,
  formatDisco,
  formatJson,
  formatOccupants,
  formatText,
  formatTime,
  occupantRow,
} from './format.js';

const ROOM = 'room@conference.localhost';
const T = new Date('2026-11-25T09:05:07.123Z');
const at = { room: ROOM, time: T };

describe('formatText', () => {
  it.each<[CliEvent, string]>([
    [{ ...at, type: 'message', nick: 'alice', text: 'hello', history: false, self: false }, '[09:05:07] <alice> hello'],
    [
      { ...at, type: 'message', nick: 'alice', text: 'old\nnews', history: true, self: false },
      '[2026-11-25 09:05:07] <alice> old\n    news',
    ],
    [{ ...at, type: 'message', nick: 'alice', text: '/me waves', history: false, self: false }, '[09:05:07] * alice waves'],
    [
      { ...at, type: 'message', nick: undefined, text: 'This room is not anonymous', history: false, self: false },
      '[09:05:07] ** This room is not anonymous',
    ],
    [{ ...at, type: 'private', nick: 'bob', text: 'psst' }, '[09:05:07] [private] <bob> psst'],
    [
      { ...at, type: 'enter', nick: 'bob', role: 'moderator', affiliation: 'owner', created: true },
      `[09:05:07] -> entered ${ROOM} as bob (moderator, owner), created the room`,
    ],
    [
      { ...at, type: 'enter', nick: 'bob', role: undefined, affiliation: undefined, created: false },
      `[09:05:07] -> entered ${ROOM} as bob (?, ?)`,
    ],
    [{ ...at, type: 'exit', mode: 'kicked', reason: 'spam', actor: 'alice' }, `[09:05:07] <- left ${ROOM} (kicked by alice: spam)`],
    [{ ...at, type: 'exit', mode: 'normal' }, `[09:05:07] <- left ${ROOM} (normal)`],
    [
      { ...at, type: 'join', nick: 'carol', role: 'participant', affiliation: 'none', jid: 'carol@localhost/x' },
      '[09:05:07] * carol joined (participant, none) [carol@localhost/x]',
    ],
    [{ ...at, type: 'join', nick: 'carol', role: 'visitor', affiliation: 'none' }, '[09:05:07] * carol joined (visitor, none)'],
    [{ ...at, type: 'leave', nick: 'carol', mode: 'banned', actor: 'alice' }, '[09:05:07] * carol left (banned by alice)'],
    [{ ...at, type: 'leave', nick: 'carol', mode: 'normal', reason: 'bye' }, '[09:05:07] * carol left (normal: bye)'],
    [{ ...at, type: 'nick', oldNick: 'carol', newNick: 'caz', self: false }, '[09:05:07] * carol is now known as caz'],
    [{ ...at, type: 'topic', nick: 'alice', topic: 'Release day' }, '[09:05:07] * topic set by alice: Release day'],
    [{ ...at, type: 'topic', nick: undefined, topic: '' }, '[09:05:07] * no topic'],
    [{ ...at, type: 'role', nick: 'carol', role: 'moderator' }, '[09:05:07] * carol is now moderator'],
    [{ ...at, type: 'affiliation', nick: 'carol', affiliation: 'member' }, '[09:05:07] * carol is now member'],
    [{ ...at, type: 'affiliation', nick: 'carol', affiliation: 'none' }, '[09:05:07] * carol is now not affiliated'],
  ])('%#: %j', (event, line) => {
    expect(formatText(event, { utc: true })).toBe(line);
  });

  it('uses the local time zone by default', () => {
    const local = `${String(T.getHours()).padStart(2, '0')}:${String(T.getMinutes()).padStart(2, '0')}:07`;
    expect(formatTime(T, false)).toBe(local);
    expect(formatText({ ...at, type: 'nick', oldNick: 'a', newNick: 'b', self: true })).toBe(`[${local}] * a is now known as b`);
  });
});

describe('formatJson', () => {
  it('prints one line with an ISO time and without absent fields', () => {
    const line = formatJson({
      ...at,
      type: 'message',
      nick: 'alice',
      text: 'a "quoted"\nline',
      history: false,
      self: false,
      stanzaId: undefined,
    });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      room: ROOM,
      time: '2026-11-25T09:05:07.123Z',
      type: 'message',
      nick: 'alice',
      text: 'a "quoted"\nline',
      history: false,
      self: false,
    });
    expect(formatJson({ ...at, type: 'leave', nick: 'x', mode: 'kicked', reason: undefined, actor: 'alice' })).toBe(
      `{"room":"${ROOM}","time":"2026-11-25T09:05:07.123Z","type":"leave","nick":"x","mode":"kicked","actor":"alice"}`,
    );
  });
});

describe('occupants', () => {
  it('prints an aligned table marking ourselves', () => {
    const me = new Occupant({
      conversationJid: JID.parse(`${ROOM}/bob`),
      isSelf: true,
      role: 'moderator',
      affiliation: 'owner',
      directJid: JID.parse('bob@localhost/cli'),
    });
    const other = new Occupant({ conversationJid: JID.parse(`${ROOM}/alice`), isSelf: false, role: 'participant', affiliation: 'none' });
    const rows = [me, other].map(occupantRow);
    expect(rows[1]).toEqual({ nick: 'alice', role: 'participant', affiliation: 'none', jid: undefined, self: false });
    expect(formatOccupants(rows)).toEqual([
      'NICK       ROLE         AFFILIATION  JID',
      'bob (you)  moderator    owner        bob@localhost/cli',
      'alice      participant  none         -',
    ]);
  });
});

describe('disco', () => {
  const info = {
    identities: [{ category: 'conference', type: 'text', name: 'Chatrooms' }],
    features: new Set(['urn:b', 'http://jabber.org/protocol/muc']),
    forms: [
      dataForm({
        type: 'result',
        fields: [
          formField({ var: 'FORM_TYPE', type: 'hidden', values: ['http://jabber.org/protocol/muc#roominfo'] }),
          formField({ var: 'muc#roominfo_occupants', values: ['3'] }),
        ],
      }),
    ],
  };

  it('prints identities, sorted features and forms', () => {
    expect(formatDisco('conference.localhost', info)).toEqual([
      'conference.localhost',
      '  identity conference/text "Chatrooms"',
      '  feature  http://jabber.org/protocol/muc',
      '  feature  urn:b',
      '  form     http://jabber.org/protocol/muc#roominfo',
      '    muc#roominfo_occupants: 3',
    ]);
  });

  it('gives plain JSON data', () => {
    expect(discoJson('conference.localhost', info)).toEqual({
      jid: 'conference.localhost',
      identities: [{ category: 'conference', type: 'text', name: 'Chatrooms' }],
      features: ['http://jabber.org/protocol/muc', 'urn:b'],
      forms: [{ type: 'result', fields: { FORM_TYPE: ['http://jabber.org/protocol/muc#roominfo'], 'muc#roominfo_occupants': ['3'] } }],
    });
  });
});

describe('describeError', () => {
  it('names the condition of stanza errors and the reason of join refusals', () => {
    const forbidden = new StanzaError({ type: 'auth', condition: 'forbidden', text: 'not you' });
    expect(describeError(forbidden)).toBe('refused: auth/forbidden: not you');
    const conflict = new MucJoinError(new StanzaError({ type: 'cancel', condition: 'conflict' }));
    expect(describeError(conflict)).toMatch(/\[nick-conflict\]$/);
    expect(describeError(new Error('The server does not offer STARTTLS; set allowPlaintext: true'))).toMatch(/--insecure-plaintext/);
    expect(describeError('odd')).toBe('odd');
  });
});
