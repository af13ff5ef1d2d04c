import { readdirSync } from 'node:fs';
import { type Element, Element as LtxElement } from 'ltx';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../../test/support/xml.js';
import { PayloadError } from '../../core/errors.js';
import { JID } from '../../core/jid.js';
import { NS } from '../../core/namespaces.js';
import { recordingLogger } from '../../core/logger.js';
import { adminQuery } from './admin.js';
import { directInvite } from './direct-invite.js';
import { ownerQuery } from './owner.js';
import { findUserExt, mucJoin, quickUserExt, userExt } from './user.js';

const j = (s: string) => JID.parse(s);

describe('userExt', () => {
  it('passes unknown status codes through and drops malformed ones (logged)', () => {
    const logger = recordingLogger();
    const ext = userExt.decode(
      x`<x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/><status code='999'/><status code='abc'/><status/><status code='110'/></x>`,
      { logger },
    );
    expect([...ext.statusCodes]).toEqual([110, 999]);
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([
      ['debug', 'dropping malformed attribute'],
      ['debug', 'dropping malformed child'],
      ['debug', 'dropping malformed child'],
    ]);
  });

  it('keeps every <item/> in order', () => {
    const ext = userExt.decode(
      x`<x xmlns='http://jabber.org/protocol/muc#user'>
        <item nick='a' role='participant'/><item nick='b' affiliation='member'/><item jid='c@example.org'/>
      </x>`,
    );
    expect(ext.items).toStrictEqual([
      { nick: 'a', role: 'participant' },
      { nick: 'b', affiliation: 'member' },
      { jid: j('c@example.org') },
    ]);
  });

  it('drops unknown roles, affiliations and malformed JIDs, keeping the rest of the item', () => {
    const logger = recordingLogger();
    const ext = userExt.decode(
      x`<x xmlns='http://jabber.org/protocol/muc#user'><item role='god' affiliation='king' jid='@/' nick='n'><reason>r</reason></item></x>`,
      { logger },
    );
    expect(ext.items).toStrictEqual([{ nick: 'n', reason: 'r' }]);
    expect(logger.records.map((r) => r.context?.attribute)).toEqual(['affiliation', 'role', 'jid']);
  });

  it('ignores children of other namespaces', () => {
    const ext = userExt.decode(
      x`<x xmlns='http://jabber.org/protocol/muc#user'><item xmlns='urn:evil' nick='evil'/><status xmlns='urn:evil' code='307'/></x>`,
    );
    expect(ext).toStrictEqual({ statusCodes: new Set(), items: [], invites: [] });
  });

  it('encodes items, destroy, status codes and password in order', () => {
    const el = userExt.encode({
      statusCodes: new Set([110, 307]),
      items: [{ role: 'none', affiliation: 'none', actor: { nick: 'mod' }, reason: 'bye' }],
      invites: [{ to: j('x@example.org'), reason: 'join us' }],
      password: 'pw',
    });
    expect(canonical(el)).toBe(
      canonical(x`<x xmlns='http://jabber.org/protocol/muc#user'>
        <invite to='x@example.org'><reason>join us</reason></invite>
        <item affiliation='none' role='none'><actor nick='mod'/><reason>bye</reason></item>
        <status code='110'/><status code='307'/>
        <password>pw</password>
      </x>`),
    );
  });
});

describe('findUserExt', () => {
  it('returns undefined when the stanza has no muc#user payload', () => {
    expect(findUserExt(x`<presence><x xmlns='http://jabber.org/protocol/muc'/></presence>`)).toBeUndefined();
  });

  it('finds the payload among foreign ones', () => {
    const ext = findUserExt(
      x`<presence><x xmlns='vcard-temp:x:update'/><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>`,
    );
    expect(ext?.statusCodes).toStrictEqual(new Set([110]));
  });

  it('finds an x whose namespace is inherited or prefixed, as ltx resolves it', () => {
    const status = () => new LtxElement('status', { code: '110' });
    const inherited = new LtxElement('presence', { xmlns: NS.MUC_USER }).cnode(new LtxElement('x')).cnode(status()).root();
    const emptyXmlns = new LtxElement('presence', { xmlns: NS.MUC_USER })
      .cnode(new LtxElement('x', { xmlns: '' }))
      .cnode(status())
      .root();
    const prefixed = x`<presence><u:x xmlns:u='http://jabber.org/protocol/muc#user'><u:status code='110'/></u:x></presence>`;
    for (const [name, stanza] of [
      ['inherited', inherited],
      ['empty xmlns', emptyXmlns],
      ['prefixed', prefixed],
    ] as const) {
      expect(stanza.getChildElements()[0]?.getNS(), name).toBe(NS.MUC_USER);
      expect(findUserExt(stanza)?.statusCodes, name).toStrictEqual(new Set([110]));
    }
  });

  it('skips an x of another namespace, also one inherited from the stanza', () => {
    const inherited = new LtxElement('presence', { xmlns: NS.MUC_OWNER }).cnode(new LtxElement('x')).root();
    expect(findUserExt(inherited)).toBeUndefined();
    const stanza = x`<presence><x xmlns='jabber:x:data'><status code='110'/></x><x xmlns='http://jabber.org/protocol/muc#user'><status code='201'/></x></presence>`;
    expect(findUserExt(stanza)?.statusCodes).toStrictEqual(new Set([201]));
  });
});

describe('findUserExt without the generic codec (quickUserExt)', () => {
  const MUC_USER = 'http://jabber.org/protocol/muc#user';
  const payloadOf = (stanza: Element) => stanza.getChildElements().find((c) => userExt.matches(c));

  it('decodes every captured muc#user payload exactly as the codec does', () => {
    const names = readdirSync(new URL('../../../test/fixtures/xep0045/', import.meta.url)).filter((f) => f.endsWith('.xml'));
    let quick = 0;
    let checked = 0;
    for (const name of names) {
      const stanza = loadFixture(name);
      const payload = payloadOf(stanza);
      if (!payload) continue;
      checked++;
      if (quickUserExt(payload) !== undefined) quick++;
      expect(findUserExt(stanza), name).toStrictEqual(userExt.decode(payload));
    }
    expect(checked).toBeGreaterThan(40);
    expect(quick).toBeGreaterThan(25); // occupant and self presences, kicks, bans, nick changes...
  });

  it('takes the usual occupant presence shape (items without children, status codes)', () => {
    const payload = x`<x xmlns='${MUC_USER}'><status code='100'/><item jid='Bob@Example.org/Phone' role='moderator' affiliation='owner' nick='b'/><status code='110'/>text<status code='100'/></x>`;
    const ext = quickUserExt(payload);
    expect(ext).toStrictEqual({
      invites: [],
      items: [{ affiliation: 'owner', role: 'moderator', jid: j('bob@example.org/Phone'), nick: 'b' }],
      statusCodes: new Set([100, 110]),
    });
    expect(ext).toStrictEqual(userExt.decode(payload));
  });

  it.each([
    ['an item with an actor', `<item role='none'><actor nick='mod'/></item>`],
    ['an item with a reason', `<item role='none'><reason>bye</reason></item>`],
    ['an unknown role', `<item role='god'/>`],
    ['an unknown affiliation', `<item affiliation='king'/>`],
    ['a malformed real JID', `<item jid='@/'/>`],
    ['a malformed status code', `<status code='abc'/>`],
    ['a status without code', `<status/>`],
    ['a child of another namespace', `<item xmlns='urn:evil' nick='evil'/>`],
    ['an explicit namespace', `<item xmlns='${MUC_USER}' nick='a'/>`],
    ['an invitation', `<invite to='x@example.org'/>`],
    ['a destroy', `<destroy jid='other@conference.example.org'/>`],
    ['a password', `<password>pw</password>`],
  ])('leaves %s to the codec, which logs what it drops', (_, child) => {
    const stanza = x`<presence><x xmlns='${MUC_USER}'><status code='110'/>${child}</x></presence>`;
    const payload = payloadOf(stanza)!;
    expect(quickUserExt(payload)).toBeUndefined();
    const viaFind = recordingLogger();
    const viaCodec = recordingLogger();
    expect(findUserExt(stanza, { logger: viaFind })).toStrictEqual(userExt.decode(payload, { logger: viaCodec }));
    expect(viaFind.records).toEqual(viaCodec.records);
  });

  it('leaves a prefixed <x/> to the codec (its children are in another default namespace)', () => {
    const stanza = x`<presence><u:x xmlns:u='${MUC_USER}'><u:status code='110'/><item nick='a'/></u:x></presence>`;
    expect(quickUserExt(payloadOf(stanza)!)).toBeUndefined();
    expect(findUserExt(stanza)).toStrictEqual({ invites: [], items: [], statusCodes: new Set([110]) });
  });
});

describe('mucJoin', () => {
  it('encodes history and password', () => {
    const el = mucJoin.encode({
      history: { maxChars: 0, maxStanzas: 5, seconds: 180, since: new Date('2020-01-02T03:04:05.678Z') },
      password: 'pw',
    });
    expect(canonical(el)).toBe(
      canonical(x`<x xmlns='http://jabber.org/protocol/muc'>
        <history maxchars='0' maxstanzas='5' seconds='180' since='2020-01-02T03:04:05.678Z'/><password>pw</password>
      </x>`),
    );
    expect(canonical(mucJoin.encode({}))).toBe(canonical(x`<x xmlns='http://jabber.org/protocol/muc'/>`));
  });
});

describe('adminQuery / ownerQuery / directInvite', () => {
  it('encodes a role change by nick', () => {
    expect(canonical(adminQuery.encode({ items: [{ nick: 'bob', role: 'visitor', reason: 'shh' }] }))).toBe(
      canonical(x`<query xmlns='http://jabber.org/protocol/muc#admin'><item nick='bob' role='visitor'><reason>shh</reason></item></query>`),
    );
  });

  it('encodes an instant-room submission (empty submit form)', () => {
    const form = x`<x xmlns='jabber:x:data' type='submit'/>`;
    expect(canonical(ownerQuery.encode({ form }))).toBe(
      canonical(x`<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query>`),
    );
    expect(ownerQuery.decode(x`<query xmlns='http://jabber.org/protocol/muc#owner'/>`)).toStrictEqual({});
  });

  it('rejects a direct invitation without a room JID', () => {
    expect(() => directInvite.decode(x`<x xmlns='jabber:x:conference' reason='hi'/>`)).toThrow(PayloadError);
    expect(directInvite.decode(x`<x xmlns='jabber:x:conference' jid='room@muc.example' continue='true' thread='t'/>`)).toStrictEqual({
      jid: j('room@muc.example'),
      continue: true,
      thread: 't',
    });
  });
});
