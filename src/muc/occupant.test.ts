import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { x } from '../../test/support/xml.js';
import { JID } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { recordingLogger } from '../core/logger.js';
import {
  Occupant,
  ServiceMember,
  occupantUid,
  readOccupantId,
  readPresenceParts,
  readPresenceState,
  readPresenceStatus,
} from './occupant.js';

const j = (s: string) => JID.parse(s);
let counter = 0;
const seq = () => `r${++counter}`;

describe('occupantUid', () => {
  it('derives from the real bare JID when known (any resource)', () => {
    expect(occupantUid(j('Bob@Localhost/phone'), 'oid-1', seq)).toBe('jid:bob@localhost');
    expect(occupantUid(j('bob@localhost/laptop'), undefined, seq)).toBe('jid:bob@localhost');
  });

  it('derives from the XEP-0421 occupant id when the real JID is hidden', () => {
    expect(occupantUid(undefined, 'JDBQX+Onjm7=', seq)).toBe('oid:JDBQX+Onjm7=');
  });

  it('is random otherwise, and different each time', () => {
    const a = occupantUid(undefined, undefined);
    const b = occupantUid(undefined, undefined);
    expect(a).toMatch(/^rnd:[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
    expect(occupantUid(undefined, undefined, () => 'fixed')).toBe('rnd:fixed');
  });

  it('cannot be forged across kinds (a nick or id that looks like a JID stays in its namespace)', () => {
    expect(occupantUid(undefined, 'bob@localhost')).toBe('oid:bob@localhost');
    expect(occupantUid(undefined, 'bob@localhost')).not.toBe(occupantUid(j('bob@localhost'), undefined));
  });
});

describe('Occupant.fromPresence', () => {
  it('reads role, affiliation, real JID and occupant id (Prosody, moderator view)', () => {
    const o = Occupant.fromPresence(loadFixture('prosody-occupant-presence-jid'), { isSelf: false })!;
    expect(o.nick).toBe('bob');
    expect(o.conversationJid).toStrictEqual(j('probe@conference.localhost/bob'));
    expect(o.directJid).toStrictEqual(j('bob@localhost/probe'));
    expect(o.role).toBe('participant');
    expect(o.affiliation).toBe('none');
    expect(o.occupantId).toBe('/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is=');
    expect(o.uid).toBe('jid:bob@localhost');
    expect(o.isSelf).toBe(false);
    expect(o.presenceState).toStrictEqual({ available: true });
    expect(o.presenceStatus.size).toBe(0);
  });

  it('uses the occupant id when the room hides the real JID (Prosody)', () => {
    const o = Occupant.fromPresence(loadFixture('prosody-occupant-presence'), { isSelf: false })!;
    expect(o.directJid).toBeUndefined();
    expect(o.uid).toBe('oid:JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=');
    expect(o.role).toBe('moderator');
    expect(o.affiliation).toBe('owner');
  });

  it('falls back to a random uid when neither is known (ejabberd, anonymous view)', () => {
    const a = Occupant.fromPresence(loadFixture('ejabberd-occupant-presence'), { isSelf: false, randomId: () => 'x1' })!;
    const b = Occupant.fromPresence(loadFixture('ejabberd-occupant-presence'), { isSelf: false, randomId: () => 'x2' })!;
    expect(a.uid).toBe('rnd:x1');
    expect(b.uid).toBe('rnd:x2');
    expect(a.nick).toBe('alice');
  });

  it('builds the local occupant from the self-presence', () => {
    const o = Occupant.fromPresence(loadFixture('ejabberd-self-presence-create'), { isSelf: true })!;
    expect(o.isSelf).toBe(true);
    expect(o.uid).toBe('jid:alice@localhost');
    expect(o.role).toBe('moderator');
    expect(o.affiliation).toBe('owner');
  });

  it('refuses a presence from the bare room JID or without from (logged)', () => {
    const logger = recordingLogger();
    expect(Occupant.fromPresence(loadFixture('ejabberd-room-caps-presence'), { isSelf: false, logger })).toBeUndefined();
    expect(Occupant.fromPresence(x`<presence/>`, { isSelf: false, logger })).toBeUndefined();
    expect(logger.records.map((r) => r.message)).toEqual(['presence without an occupant JID', 'presence without an occupant JID']);
  });

  it('drops unknown roles and affiliations and reads show and status', () => {
    const o = Occupant.fromPresence(
      x`<presence from='room@muc.example/nick'>
        <show>dnd</show><status>busy</status><status xml:lang='de'>beschäftigt</status>
        <x xmlns='http://jabber.org/protocol/muc#user'><item role='god' affiliation='king'/></x>
      </presence>`,
      { isSelf: false },
    )!;
    expect(o.role).toBeUndefined();
    expect(o.affiliation).toBeUndefined();
    expect(o.presenceState).toStrictEqual({ available: true, show: 'dnd' });
    expect(o.presenceStatus).toStrictEqual(
      new LanguageMap([
        [null, 'busy'],
        ['de', 'beschäftigt'],
      ]),
    );
  });
});

describe('Occupant state', () => {
  it('keeps identity across update and a nick change; uid changes once, when the real JID becomes known', () => {
    const o = Occupant.fromPresence(loadFixture('prosody-occupant-presence'), { isSelf: false })!;
    expect(o.uid).toBe('oid:JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=');
    const uid = 'jid:alice@localhost';
    const next = Occupant.fromPresence(
      x`<presence from='probe@conference.localhost/alice'><show>away</show>
        <x xmlns='http://jabber.org/protocol/muc#user'><item role='participant' affiliation='owner' jid='alice@localhost/probe'/></x>
      </presence>`,
      { isSelf: false },
    )!;
    o.update(next);
    expect(o.uid).toBe(uid);
    expect(o.presenceState).toStrictEqual({ available: true, show: 'away' });
    expect(o.role).toBe('participant');
    expect(o.directJid).toStrictEqual(j('alice@localhost/probe'));
    expect(o.occupantId).toBe('JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=');
    o.nick = 'alice2';
    expect(o.conversationJid).toStrictEqual(j('probe@conference.localhost/alice2'));
    expect(o.nick).toBe('alice2');
    expect(o.uid).toBe(uid);
  });

  it('keeps no status map until one is asked for; a map given is kept as it is', () => {
    const o = Occupant.fromPresence(loadFixture('prosody-occupant-presence'), { isSelf: false })!;
    const status = o.presenceStatus;
    expect(status).toStrictEqual(new LanguageMap());
    expect(o.presenceStatus).toBe(status);
    const mine = new LanguageMap();
    o.presenceStatus = mine;
    expect(o.presenceStatus).toBe(mine);
    const given = new LanguageMap();
    expect(new Occupant({ conversationJid: j('probe@conference.localhost/x'), isSelf: false, presenceStatus: given }).presenceStatus).toBe(
      given,
    );
  });

  it('keeps the uid of the real JID it was made with, whatever is assigned to directJid later', () => {
    const o = Occupant.fromPresence(loadFixture('prosody-occupant-presence-jid'), { isSelf: false })!;
    o.directJid = j('mallory@localhost/x');
    expect(o.uid).toBe('jid:bob@localhost');
    const early = Occupant.fromPresence(loadFixture('prosody-occupant-presence-jid'), { isSelf: false })!;
    expect(early.uid).toBe('jid:bob@localhost');
    early.directJid = j('mallory@localhost/x');
    expect(early.uid).toBe('jid:bob@localhost');
    expect(new Occupant({ conversationJid: j('probe@conference.localhost/x'), isSelf: false, directJid: j('example.org/r') }).uid).toBe(
      'jid:example.org',
    );
  });

  it('does not forget a known real JID when a later presence hides it', () => {
    const o = Occupant.fromPresence(loadFixture('prosody-occupant-presence-jid'), { isSelf: false })!;
    o.update(new Occupant({ conversationJid: j('probe@conference.localhost/bob'), isSelf: false, role: 'visitor' }));
    expect(o.directJid).toStrictEqual(j('bob@localhost/probe'));
    expect(o.role).toBe('visitor');
    expect(o.affiliation).toBeUndefined();
  });
});

describe('ServiceMember', () => {
  it('is the room itself: bare JID, no nick, unavailable, fixed uid', () => {
    const s = new ServiceMember(j('room@muc.example/ignored'));
    expect(s.conversationJid).toStrictEqual(j('room@muc.example'));
    expect(s.directJid).toStrictEqual(j('room@muc.example'));
    expect(s.uid).toBe('svc:room@muc.example');
    expect(s.nick).toBeUndefined();
    expect(s.isSelf).toBe(false);
    expect(s.presenceState).toStrictEqual({ available: false });
    expect(s.presenceStatus.size).toBe(0);
    expect(s.role).toBeUndefined();
    expect(s.affiliation).toBeUndefined();
  });
});

describe('presence readers', () => {
  it('read state, status and occupant id leniently', () => {
    expect(readPresenceState(x`<presence type='unavailable'><show>away</show></presence>`)).toStrictEqual({ available: false });
    expect(readPresenceState(x`<presence><show>sleeping</show></presence>`)).toStrictEqual({ available: true });
    expect(readPresenceState(x`<presence><show>xa</show></presence>`)).toStrictEqual({ available: true, show: 'xa' });
    expect(readPresenceStatus(x`<presence><status xmlns='urn:evil'>no</status></presence>`).size).toBe(0);
    expect(readOccupantId(x`<presence><occupant-id xmlns='urn:xmpp:occupant-id:0' id=''/></presence>`)).toBeUndefined();
    expect(readOccupantId(x`<presence><occupant-id xmlns='urn:evil' id='a'/></presence>`)).toBeUndefined();
    expect(readOccupantId(loadFixture('prosody-kick-self'))).toBe('/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is=');
  });

  it('read in one pass (readPresenceParts) what the three readers read', () => {
    const stanzas = [
      x`<presence type='unavailable'><show>away</show><status>gone</status><occupant-id xmlns='urn:xmpp:occupant-id:0' id='o1'/></presence>`,
      x`<presence><show>sleeping</show><show>dnd</show><status xml:lang='de'>weg</status><status xml:lang='de'>2</status></presence>`,
      x`<presence xml:lang='fr'><status>a</status><status xmlns='urn:evil'>b</status><show xmlns='urn:other'>chat</show></presence>`,
      x`<presence><occupant-id xmlns='urn:xmpp:occupant-id:0' id=''/><occupant-id xmlns='urn:evil' id='e'/><occupant-id xmlns='urn:xmpp:occupant-id:0' id='o2'/></presence>`,
      x`<presence><show> xa </show></presence>`,
      x`<presence/>`,
      loadFixture('prosody-kick-self'),
    ];
    for (const p of stanzas) {
      const parts = readPresenceParts(p);
      expect(parts.state).toStrictEqual(readPresenceState(p));
      expect([...parts.status]).toStrictEqual([...readPresenceStatus(p)]);
      expect(parts.occupantId).toBe(readOccupantId(p));
      expect(Object.isFrozen(parts.state)).toBe(true);
    }
    expect(readPresenceParts(stanzas[1]!).state).toStrictEqual({ available: true });
    expect(readPresenceParts(stanzas[2]!).state).toStrictEqual({ available: true, show: 'chat' });
    expect(readPresenceParts(stanzas[3]!).occupantId).toBe('o2');
    expect(readPresenceParts(stanzas[4]!).state).toStrictEqual({ available: true, show: 'xa' });
  });
});
