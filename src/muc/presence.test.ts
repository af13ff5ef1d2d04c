import { describe, expect, it } from 'vitest';
import type { Element } from 'ltx';
import { JID } from '../core/jid.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { x } from '../../test/support/xml.js';
import { findUserExt } from './payloads/user.js';
import { OccupantRegistry } from './occupant-registry.js';
import { diffPresence, occupantFromPresence, readOccupantPresence } from './presence.js';

function read(stanza: Element) {
  return readOccupantPresence(stanza, JID.parse(String(stanza.attrs.from)), findUserExt(stanza));
}

const BOB = () =>
  x(
    `<presence from="probe@conference.localhost/bob"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none" jid="bob@localhost/probe"/></x></presence>`,
  );

describe('diffPresence', () => {
  it('join for an unknown available nick', () => {
    const reg = new OccupantRegistry();
    const stanza = BOB();
    const events = diffPresence(reg, read(stanza));
    const member = reg.get('bob')!;
    expect(events).toEqual([['join', { member, presence: stanza }]]);
    expect(member.directJid?.toString()).toBe('bob@localhost/probe');
  });

  it('a repeated identical presence is a presenceChanged that changed nothing xmuc keeps (as aioxmpp)', () => {
    const reg = new OccupantRegistry();
    diffPresence(reg, read(BOB()));
    const again = BOB();
    expect(diffPresence(reg, read(again))).toEqual([['presenceChanged', { member: reg.get('bob'), presence: again, changed: [] }]]);
  });

  it("presenceChanged says 'status' when the status texts change, appear or go, and not otherwise", () => {
    const reg = new OccupantRegistry();
    const bobWith = (status: string) =>
      x(
        `<presence from="probe@conference.localhost/bob">${status}<x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`,
      );
    diffPresence(reg, read(bobWith('')));
    const bob = reg.get('bob')!;
    const changes = (status: string) => {
      const [[name, payload]] = diffPresence(reg, read(bobWith(status))) as unknown as [[string, { changed: string[] }]];
      expect(name).toBe('presenceChanged');
      return payload.changed;
    };
    expect(changes('')).toEqual([]);
    expect(bob.presenceStatus.size).toBe(0);
    expect(changes('<status>lunch</status>')).toEqual(['status']);
    expect(changes('<status>lunch</status>')).toEqual([]);
    expect(changes('<status>lunch</status><status xml:lang="de">Mittag</status>')).toEqual(['status']);
    expect([...bob.presenceStatus]).toEqual([
      [null, 'lunch'],
      ['de', 'Mittag'],
    ]);
    expect(changes('<status>back</status>')).toEqual(['status']);
    expect(changes('')).toEqual(['status']);
    expect(bob.presenceStatus.size).toBe(0);
    expect(changes('')).toEqual([]);
  });

  it('presenceChanged, roleChanged, affiliationChanged in that order for one stanza', () => {
    const reg = new OccupantRegistry();
    diffPresence(reg, read(BOB()));
    const bob = reg.get('bob')!;
    const stanza = x(
      `<presence from="probe@conference.localhost/bob"><show>dnd</show><x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="admin"><actor nick="alice"/><reason>promoted</reason></item></x></presence>`,
    );
    const events = diffPresence(reg, read(stanza));
    const common = { member: bob, presence: stanza, actor: { nick: 'alice' }, reason: 'promoted', statusCodes: new Set() };
    expect(events).toEqual([
      ['presenceChanged', { member: bob, presence: stanza, changed: ['show'] }],
      ['roleChanged', { ...common, oldRole: 'participant', newRole: 'moderator' }],
      ['affiliationChanged', { ...common, oldAffiliation: 'none', newAffiliation: 'admin' }],
    ]);
    expect(bob.role).toBe('moderator');
    expect(bob.affiliation).toBe('admin');
  });

  it('normal leave: roleChanged to none then leave (normal)', () => {
    const reg = new OccupantRegistry();
    diffPresence(reg, read(BOB()));
    const bob = reg.get('bob')!;
    const stanza = x(
      `<presence from="probe@conference.localhost/bob" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="none" affiliation="none"/></x></presence>`,
    );
    const events = diffPresence(reg, read(stanza));
    expect(events.map(([n]) => n)).toEqual(['roleChanged', 'leave']);
    expect(events[1]).toEqual([
      'leave',
      { member: bob, mode: 'normal', actor: undefined, reason: undefined, statusCodes: new Set(), presence: stanza, destroy: undefined },
    ]);
    expect(bob.presenceState.available).toBe(false);
    expect(reg.get('bob')).toBeUndefined();
  });

  it('nick change keeps the object; the unavailable half yields only nickChanged', () => {
    const reg = new OccupantRegistry();
    const carol = x(
      `<presence from="probe@conference.localhost/carol"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/></x></presence>`,
    );
    diffPresence(reg, read(carol));
    const occupant = reg.get('carol')!;
    const events = diffPresence(reg, read(loadFixture('ejabberd-nick-change-unavailable')));
    expect(events).toEqual([['nickChanged', { member: occupant, oldNick: 'carol', newNick: 'carol2', statusCodes: new Set([303]) }]]);
    const available = loadFixture('ejabberd-nick-change-available');
    expect(diffPresence(reg, read(available))).toEqual([['presenceChanged', { member: occupant, presence: available, changed: ['jid'] }]]);
    expect(occupant.uid).toBe('jid:carol@localhost');
    expect(reg.get('carol2')).toBe(occupant);
  });

  it('exit instead of leave for our own occupant (destroy: reason and venue)', () => {
    const reg = new OccupantRegistry();
    const self = occupantFromPresence(read(loadFixture('prosody-self-presence-create')), true);
    reg.add(self);
    const stanza = loadFixture('prosody-destroy-self');
    const events = diffPresence(reg, read(stanza), { self });
    expect(events.map(([n]) => n)).toEqual(['roleChanged', 'exit']);
    expect(events[1]![1]).toMatchObject({ occupant: self, mode: 'destroyed', reason: 'probe over' });
  });

  it('ignores an unavailable presence of an unknown nick', () => {
    const reg = new OccupantRegistry();
    expect(diffPresence(reg, read(loadFixture('prosody-kick-observer')))).toEqual([]);
    expect(reg.size).toBe(0);
  });

  it('treats a 303 without a usable new nick as a leave', () => {
    const reg = new OccupantRegistry();
    diffPresence(reg, read(BOB()));
    const stanza = x(
      `<presence from="probe@conference.localhost/bob" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="303"/></x></presence>`,
    );
    expect(diffPresence(reg, read(stanza)).map(([n]) => n)).toEqual(['leave']);
  });

  it('drops a stale occupant holding the new nick of a 303', () => {
    const reg = new OccupantRegistry();
    diffPresence(reg, read(BOB()));
    diffPresence(
      reg,
      read(
        x(
          `<presence from="probe@conference.localhost/bobby"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant"/></x></presence>`,
        ),
      ),
    );
    const bob = reg.get('bob')!;
    diffPresence(
      reg,
      read(
        x(
          `<presence from="probe@conference.localhost/bob" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item nick="bobby"/><status code="303"/></x></presence>`,
        ),
      ),
    );
    expect(reg.get('bobby')).toBe(bob);
    expect(reg.size).toBe(1);
  });
});
