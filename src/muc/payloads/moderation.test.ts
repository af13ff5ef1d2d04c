import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../../test/support/xml.js';
import { JID } from '../../core/jid.js';
import { recordingLogger } from '../../core/logger.js';
import { adminQuery } from './admin.js';
import { ownerDestroy, ownerQuery } from './owner.js';
import { registerQuery } from './register.js';
import { rsmSet } from './rsm.js';
import { uniqueCodec } from './unique.js';

const j = (s: string) => JID.parse(s);

describe('registerQuery', () => {
  it('decodes the captured registration answers', () => {
    const prosody = registerQuery.findIn(loadFixture('prosody-register-registered'));
    expect(prosody).toStrictEqual({ registered: true, username: 'caro', remove: false });
    const ejabberd = registerQuery.findIn(loadFixture('ejabberd-register-form'))!;
    expect(ejabberd).toMatchObject({
      registered: false,
      nick: '',
      remove: false,
      instructions: 'You need a client that supports x:data to register the nickname',
    });
    expect(ejabberd.form?.fields.map((f) => f.var)).toEqual(['FORM_TYPE', 'muc#register_roomnick']);
  });

  it('drops a malformed form (logged) and round-trips', () => {
    const logger = recordingLogger();
    const q = registerQuery.decode(x`<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data'/><remove/></query>`, { logger });
    expect(q).toStrictEqual({ registered: false, remove: true });
    expect(logger.records.map((r) => r.message)).toEqual(['dropping malformed child']);
    const el = registerQuery.encode({ registered: true, username: 'thirdwitch', remove: false });
    expect(canonical(el)).toBe(canonical(x`<query xmlns='jabber:iq:register'><registered/><username>thirdwitch</username></query>`));
  });
});

describe('rsmSet', () => {
  it('decodes the captured ejabberd page and the XEP example, drops malformed numbers', () => {
    const set = rsmSet.findIn(loadFixture('ejabberd-room-list-page1').getChild('query')!);
    expect(set).toStrictEqual({ count: 4, first: { id: 'capadm' }, last: 'caplist1' });
    const logger = recordingLogger();
    expect(
      rsmSet.decode(
        x`<set xmlns='http://jabber.org/protocol/rsm'><first index='0'>alls-well@chat.shakespeare.lit</first><last>henry@chat.shakespeare.lit</last><count>-3</count><max>x</max></set>`,
        { logger },
      ),
    ).toStrictEqual({ first: { id: 'alls-well@chat.shakespeare.lit', index: 0 }, last: 'henry@chat.shakespeare.lit' });
    expect(logger.records.map((r) => r.context?.element)).toEqual(['max', 'count']);
  });

  it('encodes a page request', () => {
    expect(canonical(rsmSet.encode({ max: 10, after: 'caplist1' }))).toBe(
      canonical(x`<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>caplist1</after></set>`),
    );
  });
});

describe('uniqueCodec', () => {
  it('decodes the captured name and encodes the request', () => {
    expect(uniqueCodec.findIn(loadFixture('prosody-unique-result'))).toStrictEqual({ name: 'blnte6hagkuxsq7naxrkduhb' });
    expect(canonical(uniqueCodec.encode({ name: '' }))).toBe(canonical(x`<unique xmlns='http://jabber.org/protocol/muc#unique'/>`));
  });
});

describe('ownerQuery / adminQuery with moderation payloads', () => {
  it('encodes destroy with password before reason, and decodes it', () => {
    const destroy = { jid: j('capinv@conference.localhost'), reason: 'moving', password: 'pw' };
    expect(canonical(ownerQuery.encode({ destroy }))).toBe(
      canonical(
        x`<query xmlns='http://jabber.org/protocol/muc#owner'><destroy jid='capinv@conference.localhost'><password>pw</password><reason>moving</reason></destroy></query>`,
      ),
    );
    expect(
      ownerDestroy.decode(
        x`<destroy xmlns='http://jabber.org/protocol/muc#owner' jid='capinv@conference.localhost'><reason>moving</reason><password>pw</password></destroy>`,
      ),
    ).toStrictEqual(destroy);
  });

  it('decodes the captured admin lists of both servers', () => {
    expect(adminQuery.findIn(loadFixture('ejabberd-admin-outcast-list'))).toStrictEqual({
      items: [{ jid: j('dave@localhost'), affiliation: 'outcast', reason: 'spam' }],
    });
    expect(adminQuery.findIn(loadFixture('prosody-admin-member-list'))).toStrictEqual({
      items: [{ jid: j('bob@localhost'), affiliation: 'member', nick: 'bobby' }],
    });
  });
});
