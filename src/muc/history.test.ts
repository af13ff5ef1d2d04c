import { describe, expect, it } from 'vitest';
import { JID } from '../core/jid.js';
import { Occupant } from './occupant.js';
import { OccupantRegistry } from './occupant-registry.js';
import { historyEnd, historySender, liveSender, provablySame } from './history.js';

const ROOM = 'probe@conference.localhost';
const alice = () =>
  new Occupant({ conversationJid: JID.parse(`${ROOM}/alice`), isSelf: false, directJid: JID.parse('alice@localhost/probe'), occupantId: 'oid-a' });

describe('historyEnd', () => {
  it('ends after a subject, before a live message or a presence, not on a delayed message', () => {
    expect(historyEnd({ kind: 'message', isSubject: true, delayed: true })).toBe('after');
    expect(historyEnd({ kind: 'message', isSubject: true, delayed: false })).toBe('after');
    expect(historyEnd({ kind: 'message', isSubject: false, delayed: false })).toBe('before');
    expect(historyEnd({ kind: 'message', isSubject: false, delayed: true })).toBe('no');
    expect(historyEnd({ kind: 'presence' })).toBe('before');
  });
});

describe('history senders', () => {
  it('needs nick AND (real bare JID or occupant id) to reuse a live occupant', () => {
    const a = alice();
    const from = JID.parse(`${ROOM}/ALICE`);
    expect(provablySame(a, { from, realJid: JID.parse('alice@localhost/other') })).toBe(true);
    expect(provablySame(a, { from, occupantId: 'oid-a' })).toBe(true);
    expect(provablySame(a, { from })).toBe(false);
    expect(provablySame(a, { from, realJid: JID.parse('mallory@evil/x') })).toBe(false);
    expect(provablySame(a, { from, occupantId: 'oid-m' })).toBe(false);
    expect(provablySame(a, { from: JID.parse(`${ROOM}/bob`), occupantId: 'oid-a' })).toBe(false);
  });

  it('returns the live occupant or a transitional one outside the registry', () => {
    const reg = new OccupantRegistry();
    const a = alice();
    reg.add(a);
    const from = JID.parse(`${ROOM}/alice`);
    expect(historySender(reg, { from, occupantId: 'oid-a' })).toBe(a);
    const t = historySender(reg, { from, realJid: JID.parse('mallory@evil/x') }, () => 'fixed');
    expect(t).not.toBe(a);
    expect(t.uid).toBe('jid:mallory@evil');
    expect(t.presenceState.available).toBe(false);
    expect(reg.get('alice')).toBe(a);
    expect(liveSender(reg, { from })).toBe(a);
    expect(liveSender(reg, { from, occupantId: 'oid-m' })).not.toBe(a);
    expect(liveSender(reg, { from: JID.parse(`${ROOM}/nobody`) }, () => 'r').uid).toBe('rnd:r');
  });
});
