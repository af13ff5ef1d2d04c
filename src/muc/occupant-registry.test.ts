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
});
