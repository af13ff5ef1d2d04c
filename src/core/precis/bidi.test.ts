import { describe, expect, it } from 'vitest';
import { bidiClass, bidiRuleViolation, hasRtl } from './bidi.js';

describe('bidiClass', () => {
  it('reads Bidi_Class for ASCII, Hebrew, Arabic and astral code points', () => {
    expect(bidiClass(0x61)).toBe('L');
    expect(bidiClass(0x31)).toBe('EN');
    expect(bidiClass(0x2d)).toBe('ES');
    expect(bidiClass(0x2e)).toBe('CS');
    expect(bidiClass(0x5f)).toBe('ON');
    expect(bidiClass(0x5d0)).toBe('R');
    expect(bidiClass(0x627)).toBe('AL');
    expect(bidiClass(0x661)).toBe('AN');
    expect(bidiClass(0x300)).toBe('NSM');
    expect(bidiClass(0x10900)).toBe('R');
  });

  it('detects right-to-left strings (R, AL or AN)', () => {
    expect(hasRtl('juliet')).toBe(false);
    expect(hasRtl('ελληνικά')).toBe(false);
    expect(hasRtl('a\u05d0')).toBe(true);
    expect(hasRtl('\u0661')).toBe(true);
  });
});

describe('bidiRuleViolation (RFC 5893 §2)', () => {
  it.each([
    ['abc', undefined],
    ['a1', undefined],
    ['\u05d0\u05d1', undefined],
    ['\u05d0\u05d11', undefined],
    ['\u0627\u0628\u064e', undefined], // trailing NSM is skipped
    ['\u0627\u0661', undefined],
    ['1\u05d0', 'starts with a character of bidi class EN'],
    ['-\u05d0', 'starts with a character of bidi class ES'],
    ['\u05d0a', 'right-to-left string holds bidi class L'],
    ['a\u05d0', 'left-to-right string holds bidi class R'],
    ['a\u0661', 'left-to-right string holds bidi class AN'],
    ['\u05d0-', 'right-to-left string ends with bidi class ES'],
    ['a-', 'left-to-right string ends with bidi class ES'],
    ['\u06271\u0661', 'mixes European and Arabic-Indic digits'],
  ] as const)('%j -> %s', (s, expected) => {
    expect(bidiRuleViolation(s)).toBe(expected);
  });
});
