import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateTime, parseDateTimeFull, parseUtcDateTimeFast } from './fields.js';

const iso = (d: Date | undefined | null) => (d === null ? null : d === undefined ? undefined : d.getTime());

describe('parseUtcDateTimeFast', () => {
  it('reads the UTC forms servers send, with and without a fraction', () => {
    expect(parseUtcDateTimeFast('2026-11-25T11:44:32Z')?.toISOString()).toBe('2026-11-25T11:44:32.000Z');
    expect(parseUtcDateTimeFast('2026-11-25T11:44:32.123Z')?.toISOString()).toBe('2026-11-25T11:44:32.123Z');
    expect(parseUtcDateTimeFast('2026-11-25T11:44:32.123456Z')?.toISOString()).toBe('2026-11-25T11:44:32.123Z');
    expect(parseUtcDateTimeFast('2026-11-25T11:44:32.5Z')?.toISOString()).toBe('2026-11-25T11:44:32.500Z');
    expect(parseUtcDateTimeFast('2004-02-29T00:00:00Z')?.toISOString()).toBe('2004-02-29T00:00:00.000Z');
    expect(parseUtcDateTimeFast('2000-02-29T00:00:00Z')?.toISOString()).toBe('2000-02-29T00:00:00.000Z');
    expect(parseUtcDateTimeFast('2016-12-31T23:59:60Z')?.toISOString()).toBe('2016-12-31T23:59:59.000Z');
  });

  it('rejects out-of-range fields in the fast form', () => {
    for (const s of [
      '2002-13-10T23:41:07Z',
      '2002-00-10T23:41:07Z',
      '2002-09-00T23:41:07Z',
      '2002-09-31T23:41:07Z',
      '2001-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2002-09-10T24:00:00Z',
      '2002-09-10T23:60:00Z',
      '2002-09-10T23:59:61Z',
    ]) {
      expect(parseUtcDateTimeFast(s), s).toBeUndefined();
      expect(parseDateTimeFull(s), s).toBeUndefined();
      expect(parseDateTime(s), s).toBeUndefined();
    }
  });

  it('leaves every other form to the full parser', () => {
    for (const s of [
      '1969-07-20T21:56:15-05:00',
      '20020910T23:41:07',
      ' 2002-09-10T23:41:07Z',
      '2002-09-10T23:41:07Z ',
      '2002-09-10T23:41:07.Z',
      '2002-09-10T23:41:07.1a2Z',
      '2002-09-10 23:41:07Z',
      '2002-09-10T23-41-07Z',
      '0050-09-10T23:41:07Z',
      '2002-9-10T23:41:07Z',
      '2002-09-1xT23:41:07Z',
      '２００２-09-10T23:41:07Z',
      '2002-09-10T23:41:07z',
      '',
    ]) {
      expect(parseUtcDateTimeFast(s), s).toBeNull();
    }
    expect(parseDateTime(' 2002-09-10T23:41:07Z')?.toISOString()).toBe('2002-09-10T23:41:07.000Z');
    expect(parseDateTime('1969-07-20T21:56:15-05:00')?.toISOString()).toBe('1969-07-21T02:56:15.000Z');
    expect(parseDateTime('0050-09-10T23:41:07Z')?.getTime()).toBe(parseDateTimeFull('0050-09-10T23:41:07Z')?.getTime());
  });

  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const stamp = fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 0, max: 99 }),
      d: fc.integer({ min: 0, max: 99 }),
      h: fc.integer({ min: 0, max: 99 }),
      mi: fc.integer({ min: 0, max: 99 }),
      s: fc.integer({ min: 0, max: 99 }),
      frac: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    })
    .map(
      ({ y, mo, d, h, mi, s, frac }) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac === undefined ? '' : `.${frac}`}Z`,
    );

  it('agrees with the full parser on generated stamps (property)', () => {
    fc.assert(
      fc.property(stamp, (s) => {
        const fast = parseUtcDateTimeFast(s);
        if (fast !== null) expect(iso(fast)).toBe(iso(parseDateTimeFull(s)));
        expect(iso(parseDateTime(s))).toBe(iso(parseDateTimeFull(s)));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the full parser on mutated and arbitrary strings (property)', () => {
    const mutated = fc
      .tuple(stamp, fc.nat(), fc.constantFrom('0', '9', '-', ':', 'T', 'Z', '.', ' ', 'x', '+', '٣'))
      .map(([s, i, c]) => s.slice(0, i % (s.length + 1)) + c + s.slice((i % (s.length + 1)) + 1));
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string()), (s) => {
        const fast = parseUtcDateTimeFast(s);
        if (fast !== null) expect(iso(fast)).toBe(iso(parseDateTimeFull(s)));
        expect(iso(parseDateTime(s))).toBe(iso(parseDateTimeFull(s)));
      }),
      { numRuns: 5000 },
    );
  });
});
