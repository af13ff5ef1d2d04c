import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../test/support/xml.js';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { InviteMode } from '../im/conversation.js';
import { declineMessage, directInviteMessage, mediatedInviteMessage, readDecline, readInvitation } from './invitations.js';

const j = (s: string) => JID.parse(s);
const INV = 'capinv@conference.localhost';

describe('readInvitation', () => {
  it('reads a mediated invitation relayed by Prosody: inviter is the occupant JID, the legacy x:conference is ignored', () => {
    const stanza = loadFixture('prosody-mediated-invite-continue');
    expect(readInvitation(stanza)).toStrictEqual({
      stanza,
      roomAddress: j(INV),
      inviterAddress: j(`${INV}/alice`),
      mode: InviteMode.MEDIATED,
      reason: 'come',
    });
  });

  it('reads a mediated invitation relayed by ejabberd: real full JID, <continue/> kept', () => {
    const stanza = loadFixture('ejabberd-mediated-invite-continue');
    expect(readInvitation(stanza)).toStrictEqual({
      stanza,
      roomAddress: j(INV),
      inviterAddress: j('alice@localhost/150664844882854730971250'),
      mode: InviteMode.MEDIATED,
      reason: 'come',
      continued: true,
      continueThread: 'thr-1',
    });
  });

  it('reads the room password of a mediated invitation; an empty reason is no reason (both servers)', () => {
    const prosody = readInvitation(loadFixture('prosody-mediated-invite-password'));
    expect(prosody).toMatchObject({
      roomAddress: j('capinvpw@conference.localhost'),
      inviterAddress: j('capinvpw@conference.localhost/alice'),
      password: 'pw9',
    });
    expect(prosody).not.toHaveProperty('reason');
    const ejabberd = readInvitation(loadFixture('ejabberd-mediated-invite-password'));
    expect(ejabberd).toMatchObject({
      mode: InviteMode.MEDIATED,
      password: 'pw9',
      inviterAddress: j('alice@localhost/8939340886577520392275'),
    });
    expect(ejabberd).not.toHaveProperty('reason');
  });

  it('reads the captured and XEP examples of mediated invitations', () => {
    expect(readInvitation(loadFixture('prosody-mediated-invite'))).toMatchObject({
      roomAddress: j('probe@conference.localhost'),
      mode: 'mediated',
      reason: 'come',
    });
    expect(readInvitation(loadFixture('ejabberd-mediated-invite'))).toMatchObject({
      inviterAddress: j('alice@localhost/probe'),
      reason: 'come',
    });
    const xep = readInvitation(loadFixture('xep-mediated-invite'));
    expect(xep).toMatchObject({
      roomAddress: j('coven@chat.shakespeare.lit'),
      inviterAddress: j('crone1@shakespeare.lit/desktop'),
      password: 'cauldronburn',
    });
  });

  it('reads a direct invitation: the inviter is the sender (both servers)', () => {
    for (const [server, sender] of [
      ['prosody', 'alice@localhost/VIQqvF8SFRZi'],
      ['ejabberd', 'alice@localhost/150664844882854730971250'],
    ]) {
      const stanza = loadFixture(`${server}-direct-invite`);
      expect(readInvitation(stanza), server).toStrictEqual({
        stanza,
        roomAddress: j(INV),
        inviterAddress: j(sender!),
        mode: InviteMode.DIRECT,
        password: 'pw',
        reason: 'hi',
        continued: true,
        continueThread: 'thr-2',
      });
    }
  });

  it('returns undefined for messages without invitations, of type groupchat or error, or malformed (logged)', () => {
    const logger = recordingLogger();
    const none = [
      x`<message from="alice@localhost/r"><body>hi</body></message>`,
      x`<message from="${INV}" type="groupchat"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="a@b"/></x></message>`,
      x`<message from="${INV}" type="error"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="a@b"/></x></message>`,
      x`<message from="alice@localhost/r" type="groupchat"><x xmlns="jabber:x:conference" jid="${INV}"/></message>`,
      x`<presence from="${INV}"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="a@b"/></x></presence>`,
      x`<message from="alice@localhost/r"><x xmlns="jabber:x:conference" reason="no room"/></message>`,
      x`<message from="alice@localhost/r"><x xmlns="jabber:x:conference" jid="conference.localhost"/></message>`,
      x`<message from="alice@localhost/r"><x xmlns="jabber:x:conference" jid="${INV}/nick"/></message>`,
      x`<message from="conference.localhost"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="a@b"/></x></message>`,
      x`<message><x xmlns="http://jabber.org/protocol/muc#user"><invite from="a@b"/></x></message>`,
    ];
    for (const stanza of none) expect(readInvitation(stanza, { logger }), stanza.toString()).toBeUndefined();
    expect(logger.records.map((r) => r.message)).toEqual([
      'ignoring a malformed direct invitation',
      'ignoring a direct invitation to something that is not a room',
      'ignoring a direct invitation to something that is not a room',
      'ignoring a mediated invitation not sent by a room',
      'ignoring a mediated invitation not sent by a room',
    ]);
  });

  it('a mediated invitation naming no inviter, or a malformed one, has an undefined inviter', () => {
    const inv = readInvitation(x`<message from="${INV}"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="@@"/></x></message>`);
    expect(inv).toMatchObject({ mode: 'mediated', inviterAddress: undefined, roomAddress: j(INV) });
  });
});

describe('readDecline', () => {
  it('reads the decline the room relays (both servers, and the XEP example)', () => {
    for (const [server, from] of [
      ['prosody', 'bob@localhost/SHmonlLQnc8C'],
      ['ejabberd', 'bob@localhost/143524809000167802501282'],
    ]) {
      const stanza = loadFixture(`${server}-decline`);
      expect(readDecline(stanza), server).toStrictEqual({ stanza, roomAddress: j(INV), from: j(from!), reason: 'busy' });
    }
    expect(readDecline(loadFixture('xep-decline'))).toMatchObject({
      roomAddress: j('coven@chat.shakespeare.lit'),
      from: j('hecate@shakespeare.lit'),
    });
    expect(readInvitation(loadFixture('prosody-decline'))).toBeUndefined();
    expect(readDecline(loadFixture('prosody-mediated-invite-continue'))).toBeUndefined();
  });

  it('ignores declines not from a room (logged) and non-messages', () => {
    const logger = recordingLogger();
    expect(
      readDecline(x`<message from="bob@localhost/r"><x xmlns="http://jabber.org/protocol/muc#user"><decline/></x></message>`, { logger }),
    ).toStrictEqual(expect.objectContaining({ roomAddress: j('bob@localhost') }));
    expect(
      readDecline(x`<message from="localhost"><x xmlns="http://jabber.org/protocol/muc#user"><decline/></x></message>`, { logger }),
    ).toBeUndefined();
    expect(
      readDecline(x`<message from="${INV}" type="error"><x xmlns="http://jabber.org/protocol/muc#user"><decline/></x></message>`),
    ).toBeUndefined();
    expect(logger.records.map((r) => r.message)).toEqual(['ignoring a decline not sent by a room']);
  });
});

describe('builders', () => {
  it('builds the mediated invitation sent to the room (XEP-0045 Example 56 and §7.9 continue)', () => {
    expect(
      canonical(
        mediatedInviteMessage('coven@chat.shakespeare.lit', 'hecate@shakespeare.lit', {
          reason: 'Hey Hecate, this is the place for all good witches!',
          id: 'nzd143v8',
        }),
      ),
    ).toBe(
      canonical(x`<message id="nzd143v8" to="coven@chat.shakespeare.lit"><x xmlns="http://jabber.org/protocol/muc#user">
        <invite to="hecate@shakespeare.lit"><reason>Hey Hecate, this is the place for all good witches!</reason></invite></x></message>`),
    );
    expect(canonical(mediatedInviteMessage(j(INV), j('bob@localhost'), { reason: 'come', continueThread: 'thr-1', id: 'inv-1' }))).toBe(
      canonical(
        x`<message to="${INV}" id="inv-1"><x xmlns="http://jabber.org/protocol/muc#user"><invite to="bob@localhost"><reason>come</reason><continue thread="thr-1"/></invite></x></message>`,
      ),
    );
    expect(canonical(mediatedInviteMessage(INV, 'bob@localhost', { continueThread: true, id: 'i' }))).toBe(
      canonical(
        x`<message to="${INV}" id="i"><x xmlns="http://jabber.org/protocol/muc#user"><invite to="bob@localhost"><continue/></invite></x></message>`,
      ),
    );
    expect(mediatedInviteMessage(INV, 'bob@localhost').attrs.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('builds the direct invitation sent to the invitee (XEP-0249), which reads back', () => {
    const el = directInviteMessage('carol@localhost', INV, { password: 'pw', reason: 'hi', continueThread: 'thr-2', id: 'dinv-1' });
    expect(canonical(el)).toBe(
      canonical(
        x`<message to="carol@localhost" id="dinv-1"><x xmlns="jabber:x:conference" jid="${INV}" password="pw" reason="hi" continue="true" thread="thr-2"/></message>`,
      ),
    );
    el.attrs.from = 'alice@localhost/r';
    expect(readInvitation(el)).toMatchObject({
      mode: 'direct',
      roomAddress: j(INV),
      inviterAddress: j('alice@localhost/r'),
      password: 'pw',
      continueThread: 'thr-2',
    });
    expect(canonical(directInviteMessage('carol@localhost', INV, { id: 'd' }))).toBe(
      canonical(x`<message to="carol@localhost" id="d"><x xmlns="jabber:x:conference" jid="${INV}"/></message>`),
    );
  });

  it('builds the decline sent to the room (XEP-0045 Example 58)', () => {
    const expected = loadFixture('xep-decline-send');
    delete expected.attrs.from;
    delete expected.attrs.xmlns;
    const built = declineMessage('coven@chat.shakespeare.lit', 'crone1@shakespeare.lit', {
      reason: "Sorry, I'm too busy right now.",
      id: 'jk2vs61v',
    });
    const reason = expected.getChild('x')!.getChild('decline')!.getChild('reason')!;
    reason.children = [reason.getText().trim().replace(/\s+/g, ' ')];
    expect(canonical(built)).toBe(canonical(expected));
  });

  it('refuses bad addresses and texts', () => {
    expect(() => mediatedInviteMessage(`${INV}/nick`, 'bob@localhost')).toThrow(InvalidArgumentError);
    expect(() => mediatedInviteMessage(INV, '@@')).toThrow(InvalidArgumentError);
    expect(() => mediatedInviteMessage(INV, 'bob@localhost', { reason: 3 as never })).toThrow(InvalidArgumentError);
    expect(() => directInviteMessage('bob@localhost', 'conference.localhost')).toThrow(InvalidArgumentError);
    expect(() => directInviteMessage('bob@localhost', INV, { password: {} as never })).toThrow(InvalidArgumentError);
    expect(() => declineMessage(INV, '')).toThrow(InvalidArgumentError);
  });
});
