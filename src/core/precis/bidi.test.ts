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
    expect(hasRtl('李雷')).toBe(false);
    expect(hasRtl('a\u200f')).toBe(true); // RIGHT-TO-LEFT MARK is R
    expect(hasRtl('\ufb1d')).toBe(true);
    expect(hasRtl('\u{1e900}')).toBe(true); // Adlam
  });

  it('finds every R, AL and AN code point of the table, and nothing else', () => {
    const missed: string[] = [];
    const extra: string[] = [];
    let rtl = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates: not code points of a string
      const c = bidiClass(cp);
      const want = c === 'R' || c === 'AL' || c === 'AN';
      if (want) rtl++;
      const got = hasRtl(String.fromCodePoint(cp));
      if (want && !got && missed.length < 5) missed.push(`U+${cp.toString(16)} ${c}`);
      if (!want && got && extra.length < 5) extra.push(`U+${cp.toString(16)} ${c}`);
    }
    expect(missed).toEqual([]);
    expect(extra).toEqual([]);
    expect(rtl).toBeGreaterThan(2000);
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
