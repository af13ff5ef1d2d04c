import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/errors.js';
import { RoomPosition } from './position.js';

describe('RoomPosition', () => {
  it('writes `<id>@<time>` and reads it back', () => {
    const p = new RoomPosition({ stanzaId: 'ftGg3KABXstLH0P85D3VaSQb', at: new Date('2026-01-01T10:00:00.250Z') });
    expect(p.toString()).toBe('ftGg3KABXstLH0P85D3VaSQb@2026-01-01T10:00:00.250Z');
    expect(RoomPosition.parse(p.toString()).equals(p)).toBe(true);
    expect(JSON.stringify({ p })).toBe('{"p":"ftGg3KABXstLH0P85D3VaSQb@2026-01-01T10:00:00.250Z"}');
  });

  it('allows either part alone', () => {
    expect(new RoomPosition({ at: new Date('2026-01-01T10:00:00Z') }).toString()).toBe('@2026-01-01T10:00:00Z');
    expect(new RoomPosition({ stanzaId: '1795607338122259' }).toString()).toBe('1795607338122259@');
    const onlyTime = RoomPosition.parse('@2026-01-01T10:00:00Z');
    expect([onlyTime.stanzaId, onlyTime.at?.toISOString()]).toEqual([undefined, '2026-01-01T10:00:00.000Z']);
    const onlyId = RoomPosition.parse('abc@');
    expect([onlyId.stanzaId, onlyId.at]).toEqual(['abc', undefined]);
  });

  it('percent-encodes ids holding @, spaces or other characters, and reads them back', () => {
    for (const id of ['a@b', 'x y', 'a/b+c=', 'é€😀', '%41']) {
      const p = new RoomPosition({ stanzaId: id, at: new Date(0) });
      expect(p.toString().split('@')).toHaveLength(2);
      expect(RoomPosition.parse(p.toString()).stanzaId).toBe(id);
    }
    expect(RoomPosition.parse('a+b@').stanzaId).toBe('a+b');
  });

  it('reads times with an offset', () => {
    expect(RoomPosition.parse('x@2026-01-01T12:00:00+02:00').at?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
  });

  it('copies the Date it is given', () => {
    const at = new Date(1000);
    const p = new RoomPosition({ at });
    at.setTime(5000);
    expect(p.at?.getTime()).toBe(1000);
  });

  it('rejects garbage with InvalidArgumentError', () => {
    const bad = [
      '',
      '@',
      'abc',
      'a@b@c',
      'x@yesterday',
      'x@2026-13-01T00:00:00Z',
      'x@ 2026-01-01T00:00:00Z',
      '%E0%A4%A@',
      'a b@',
      'a\u0000@',
      `${'a'.repeat(3000)}@`,
      '{"stanzaId":"x"}',
    ];
    for (const s of bad) expect(() => RoomPosition.parse(s), JSON.stringify(s)).toThrow(InvalidArgumentError);
    expect(() => RoomPosition.parse(42 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => new RoomPosition({})).toThrow(InvalidArgumentError);
    expect(() => new RoomPosition({ stanzaId: '' })).toThrow(InvalidArgumentError);
    expect(() => new RoomPosition({ at: new Date(Number.NaN) })).toThrow(InvalidArgumentError);
  });

  it('compares by id and time', () => {
    const a = new RoomPosition({ stanzaId: 'a', at: new Date(1) });
    expect(a.equals(new RoomPosition({ stanzaId: 'a', at: new Date(1) }))).toBe(true);
    expect(a.equals(new RoomPosition({ stanzaId: 'a', at: new Date(2) }))).toBe(false);
    expect(a.equals(new RoomPosition({ stanzaId: 'b', at: new Date(1) }))).toBe(false);
    expect(a.equals(new RoomPosition({ stanzaId: 'a' }))).toBe(false);
  });
});
