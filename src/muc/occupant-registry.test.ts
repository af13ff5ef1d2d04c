import { describe, expect, it } from 'vitest';
import type { Element } from 'ltx';
import { JID } from '../core/jid.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { findUserExt } from './payloads/user.js';
import { OccupantRegistry } from './occupant-registry.js';
import { occupantFromPresence, readOccupantPresence } from './presence.js';

function read(stanza: Element) {
  return readOccupantPresence(stanza, JID.parse(String(stanza.attrs.from)), findUserExt(stanza));
}

describe('OccupantRegistry', () => {
  it('looks up by nick (RFC 8266 key) and by occupant id, and re-indexes on rename', () => {
    const reg = new OccupantRegistry();
    const o = occupantFromPresence(read(loadFixture('prosody-occupant-presence')), false);
    reg.add(o);
    expect(reg.get('ALICE')).toBe(o);
    expect(reg.getById('JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=')).toBe(o);
    o.nick = 'alice2';
    reg.reindex(o, 'alice', o.occupantId);
    expect(reg.get('alice')).toBeUndefined();
    expect(reg.get('alice2')).toBe(o);
    reg.remove(o);
    expect(reg.size).toBe(0);
    expect(reg.getById(o.occupantId)).toBeUndefined();
  });

  it("finds a nick spelled exactly as the occupant's first, and only while it is that occupant's nick", () => {
    const reg = new OccupantRegistry();
    const o = occupantFromPresence(read(loadFixture('prosody-occupant-presence')), false);
    reg.add(o);
    expect([reg.getExact('alice'), reg.getExact('ALICE'), reg.get('ALICE')]).toEqual([o, undefined, o]);
    // Renamed without a re-index (a caller's bug): the old spelling no longer answers.
    o.nick = 'Alice';
    expect(reg.getExact('alice')).toBeUndefined();
    reg.reindex(o, 'alice', o.occupantId);
    expect([reg.getExact('Alice'), reg.get('alice'), reg.get('Alice')]).toEqual([o, o, o]);
    // A newcomer under the same comparison key replaces it, in both indexes.
    const newcomer = occupantFromPresence(read(loadFixture('prosody-occupant-presence')), false);
    reg.add(newcomer);
    expect([reg.getExact('Alice'), reg.getExact('alice'), reg.get('ALICE'), reg.size]).toEqual([undefined, newcomer, newcomer, 1]);
    reg.remove(newcomer);
    expect([reg.getExact('alice'), reg.get('alice'), reg.size]).toEqual([undefined, undefined, 0]);
    reg.add(o);
    reg.clear();
    expect(reg.getExact('Alice')).toBeUndefined();
  });
});
