import { describe, expect, it } from 'vitest';
import { contextJAllows, contextOAllows, isVirama } from './context-rules.js';
import { derivedProperty, stringClassViolation, type DerivedProperty } from './derived-property.js';

const cps = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);

describe('derivedProperty (RFC 8264 §8)', () => {
  const table: [number, DerivedProperty, DerivedProperty, string][] = [
    // [code point, IdentifierClass, FreeformClass, why]
    [0x61, 'PVALID', 'PVALID', 'ASCII7'],
    [0x7e, 'PVALID', 'PVALID', 'ASCII7 tilde'],
    [0x20, 'DISALLOWED', 'PVALID', 'SPACE is Zs, not ASCII7'],
    [0x09, 'DISALLOWED', 'DISALLOWED', 'control'],
    [0x7f, 'DISALLOWED', 'DISALLOWED', 'DEL is a control'],
    [0x85, 'DISALLOWED', 'DISALLOWED', 'C1 control'],
    [0xe9, 'PVALID', 'PVALID', 'é is a letter'],
    [0xdf, 'PVALID', 'PVALID', 'ß exception'],
    [0x3c2, 'PVALID', 'PVALID', 'final sigma exception'],
    [0x640, 'DISALLOWED', 'DISALLOWED', 'tatweel exception'],
    [0x3031, 'DISALLOWED', 'DISALLOWED', 'vertical kana repeat mark exception'],
    [0xb7, 'CONTEXTO', 'CONTEXTO', 'middle dot'],
    [0x661, 'CONTEXTO', 'CONTEXTO', 'Arabic-Indic digit'],
    [0x200c, 'CONTEXTJ', 'CONTEXTJ', 'ZWNJ'],
    [0x200d, 'CONTEXTJ', 'CONTEXTJ', 'ZWJ'],
    [0x200b, 'DISALLOWED', 'DISALLOWED', 'ZERO WIDTH SPACE is default-ignorable'],
    [0xfeff, 'DISALLOWED', 'DISALLOWED', 'BOM is default-ignorable'],
    [0xad, 'DISALLOWED', 'DISALLOWED', 'soft hyphen is default-ignorable'],
    [0xfffe, 'DISALLOWED', 'DISALLOWED', 'noncharacter'],
    [0x10ffff, 'DISALLOWED', 'DISALLOWED', 'noncharacter'],
    [0x378, 'UNASSIGNED', 'UNASSIGNED', 'unassigned'],
    [0x1100, 'DISALLOWED', 'DISALLOWED', 'old Hangul jamo'],
    [0xac00, 'PVALID', 'PVALID', 'Hangul syllable'],
    [0xfb00, 'DISALLOWED', 'PVALID', 'ligature ff has a compatibility mapping'],
    [0xff21, 'DISALLOWED', 'PVALID', 'fullwidth A has a compatibility mapping'],
    [0x2163, 'DISALLOWED', 'PVALID', 'ROMAN NUMERAL FOUR'],
    [0x265a, 'DISALLOWED', 'PVALID', 'chess king is a symbol'],
    [0x2665, 'DISALLOWED', 'PVALID', 'heart suit is a symbol'],
    [0x21, 'PVALID', 'PVALID', 'ASCII punctuation is ASCII7'],
    [0x2014, 'DISALLOWED', 'PVALID', 'em dash is punctuation'],
    [0x1c5, 'DISALLOWED', 'PVALID', 'titlecase Dž (HasCompat)'],
    [0x300, 'PVALID', 'PVALID', 'combining grave is Mn'],
    [0x20dd, 'DISALLOWED', 'PVALID', 'enclosing circle is Me'],
    [0xe000, 'DISALLOWED', 'DISALLOWED', 'private use'],
    [0xd800, 'DISALLOWED', 'DISALLOWED', 'surrogate'],
    [0x2028, 'DISALLOWED', 'DISALLOWED', 'line separator'],
    [0x202e, 'DISALLOWED', 'DISALLOWED', 'RIGHT-TO-LEFT OVERRIDE is Cf'],
    [0x1f600, 'DISALLOWED', 'PVALID', 'emoji is a symbol'],
    [0x4e2d, 'PVALID', 'PVALID', 'Han ideograph'],
    [0x1f88, 'DISALLOWED', 'PVALID', 'titlecase without a compatibility mapping (Lt)'],
    [0x2c6, 'PVALID', 'PVALID', 'modifier letter circumflex (Lm)'],
    [0x966, 'PVALID', 'PVALID', 'Devanagari digit zero (Nd)'],
    [0x903, 'PVALID', 'PVALID', 'Devanagari visarga (Mc)'],
    [0x3164, 'DISALLOWED', 'DISALLOWED', 'HANGUL FILLER is Lo and default-ignorable'],
    [0xfe00, 'DISALLOWED', 'DISALLOWED', 'variation selector is Mn and default-ignorable'],
    [0x2065, 'UNASSIGNED', 'UNASSIGNED', 'unassigned and default-ignorable'],
    [0xe0002, 'UNASSIGNED', 'UNASSIGNED', 'unassigned tag range, default-ignorable'],
    [0xe0001, 'DISALLOWED', 'DISALLOWED', 'LANGUAGE TAG is Cf and default-ignorable'],
    [0x10fffd, 'DISALLOWED', 'DISALLOWED', 'private use, plane 16'],
  ];
  it.each(table)('code point %d: %s / %s (%s)', (cp, identifier, freeform) => {
    expect(derivedProperty(cp, 'identifier')).toBe(identifier);
    expect(derivedProperty(cp, 'freeform')).toBe(freeform);
  });
});

describe('derivedProperty against RFC 8264 §8 for every code point', () => {
  // The rules of §8 in their order, each in terms of the general category, which one regular
  // expression with a group per category tells.
  // biome-ignore format: one general category per entry would take 30 lines
  const all = ['Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Mn', 'Mc', 'Me', 'Nd', 'Nl', 'No', 'Pc', 'Pd', 'Ps', 'Pe', 'Pi', 'Pf', 'Po', 'Sm', 'Sc', 'Sk', 'So', 'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Cs', 'Co', 'Cn'];
  const reCategory = new RegExp(`^(?:${all.map((c) => `(?<${c}>\\p{${c}})`).join('|')})$`, 'u');
  const reNoncharacter = /^\p{Noncharacter_Code_Point}$/u;
  const reIgnorable = /^\p{Default_Ignorable_Code_Point}$/u;
  const letterDigits = new Set(['Ll', 'Lu', 'Lo', 'Nd', 'Lm', 'Mn', 'Mc']);
  const freeformOnly = new Set(['Lt', 'Nl', 'No', 'Me', 'Zs', 'Sm', 'Sc', 'Sk', 'So', 'Pc', 'Pd', 'Ps', 'Pe', 'Pi', 'Pf', 'Po']);
  const jamo: [number, number][] = [
    [0x1100, 0x11ff],
    [0xa960, 0xa97c],
    [0xd7b0, 0xd7c6],
    [0xd7cb, 0xd7fb],
  ];

  /** §8's rules, in order, for a code point that is not one of the exceptions (F). */
  function byTheRules(cp: number, cls: 'identifier' | 'freeform'): DerivedProperty {
    const ch = String.fromCodePoint(cp);
    const groups = reCategory.exec(ch)?.groups ?? {};
    const gc = all.find((c) => groups[c] !== undefined);
    const free = cls === 'freeform' ? 'PVALID' : 'DISALLOWED';
    if (gc === 'Cn' && !reNoncharacter.test(ch)) return 'UNASSIGNED'; // (J)
    if (cp >= 0x21 && cp <= 0x7e) return 'PVALID'; // (K)
    if (cp === 0x200c || cp === 0x200d) return 'CONTEXTJ'; // (H)
    if (jamo.some(([lo, hi]) => cp >= lo && cp <= hi)) return 'DISALLOWED'; // (I)
    if (reIgnorable.test(ch) || reNoncharacter.test(ch)) return 'DISALLOWED'; // (M)
    if (gc === 'Cc') return 'DISALLOWED'; // (L)
    if (ch.normalize('NFKC') !== ch) return free; // (Q)
    if (gc !== undefined && letterDigits.has(gc)) return 'PVALID'; // (A)
    if (gc !== undefined && freeformOnly.has(gc)) return free; // (R), (N), (O), (P)
    return 'DISALLOWED';
  }

  it('gives the same property as the rules in their order, in both classes', () => {
    const exceptions = new Set([
      0xdf, 0x3c2, 0x6fd, 0x6fe, 0xf0b, 0x3007, 0xb7, 0x375, 0x5f3, 0x5f4, 0x30fb, 0x640, 0x7fa, 0x302e, 0x302f, 0x303b,
    ]);
    for (let cp = 0x660; cp <= 0x669; cp++) exceptions.add(cp);
    for (let cp = 0x6f0; cp <= 0x6f9; cp++) exceptions.add(cp);
    for (let cp = 0x3031; cp <= 0x3035; cp++) exceptions.add(cp);
    const wrong: string[] = [];
    let checked = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (exceptions.has(cp)) continue;
      for (const cls of ['identifier', 'freeform'] as const) {
        const want = byTheRules(cp, cls);
        const got = derivedProperty(cp, cls);
        checked++;
        if (got !== want && wrong.length < 5) wrong.push(`U+${cp.toString(16)} ${cls}: ${got}, rules say ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(2 * (0x110000 - exceptions.size));
  });
});

describe('contextual rules (RFC 5892 Appendix A)', () => {
  it('allows ZWJ and ZWNJ only after a virama, or ZWNJ between joining letters', () => {
    expect(isVirama(0x94d)).toBe(true);
    expect(isVirama(0x915)).toBe(false);
    const devanagari = cps('\u0915\u094d\u200d\u0937');
    expect(contextJAllows(devanagari, 2)).toBe(true);
    expect(contextJAllows(cps('a\u200db'), 1)).toBe(false);
    expect(contextJAllows(cps('\u200d'), 0)).toBe(false);
    // BEH (dual-joining) ZWNJ ALEF (right-joining): allowed; the reverse order is not.
    expect(contextJAllows(cps('\u0628\u200c\u0627'), 1)).toBe(true);
    expect(contextJAllows(cps('\u0627\u200c\u0628'), 1)).toBe(false);
    // transparent marks between the letter and the ZWNJ are skipped
    expect(contextJAllows(cps('\u0628\u064e\u200c\u0627'), 2)).toBe(true);
    // ZWJ is not licensed by joining letters
    expect(contextJAllows(cps('\u0628\u200d\u0627'), 1)).toBe(false);
    // nothing after the ZWNJ
    expect(contextJAllows(cps('\u0628\u200c'), 1)).toBe(false);
  });

  it('applies the CONTEXTO rules', () => {
    expect(contextOAllows(cps('l\u00b7l'), 1)).toBe(true);
    expect(contextOAllows(cps('a\u00b7l'), 1)).toBe(false);
    expect(contextOAllows(cps('\u0375\u03b1'), 0)).toBe(true);
    expect(contextOAllows(cps('\u0375a'), 0)).toBe(false);
    expect(contextOAllows(cps('\u05d0\u05f3'), 1)).toBe(true);
    expect(contextOAllows(cps('a\u05f4'), 1)).toBe(false);
    expect(contextOAllows(cps('\u30a2\u30fb'), 1)).toBe(true);
    expect(contextOAllows(cps('\u30fb'), 0)).toBe(false);
    expect(contextOAllows(cps('a\u30fb'), 1)).toBe(false);
    expect(contextOAllows(cps('\u0661\u0662'), 0)).toBe(true);
    expect(contextOAllows(cps('\u0661\u06f2'), 0)).toBe(false);
    expect(contextOAllows(cps('\u06f1\u0662'), 0)).toBe(false);
  });
});

describe('stringClassViolation', () => {
  it('accepts valid strings and names the first offending code point', () => {
    expect(stringClassViolation('juliet', 'identifier')).toBeUndefined();
    expect(stringClassViolation('foo bar', 'freeform')).toBeUndefined();
    expect(stringClassViolation('foo bar', 'identifier')).toBe('U+0020 is disallowed');
    expect(stringClassViolation('a\u200bb', 'freeform')).toBe('U+200B is disallowed');
    expect(stringClassViolation('a\u0378', 'freeform')).toBe('U+0378 is unassigned');
    expect(stringClassViolation('a\u200db', 'freeform')).toBe('U+200D is not allowed in this context');
    expect(stringClassViolation('\u0915\u094d\u200d\u0937', 'identifier')).toBeUndefined();
    expect(stringClassViolation('\ud800', 'freeform')).toBe('U+D800 is disallowed');
    expect(stringClassViolation('\udc00x', 'freeform')).toBe('U+DC00 is disallowed');
  });

  it('reads astral code points whole, and finds the neighbours of a contextual rule after them', () => {
    expect(stringClassViolation('\u{1f600} ok \u{1d11e}', 'freeform')).toBeUndefined();
    expect(stringClassViolation('\u{1f600}', 'identifier')).toBe('U+1F600 is disallowed');
    // U+1F000 MAHJONG TILE EAST WIND is a symbol (freeform); U+E0001 LANGUAGE TAG is a format character.
    expect(stringClassViolation('\u{1f000}\u{e0001}', 'freeform')).toBe('U+E0001 is disallowed');
    // MIDDLE DOT between two l's, after astral characters: the rule looks at the right neighbours.
    expect(stringClassViolation('\u{1f600}\u{1f600}l\u00b7l', 'freeform')).toBeUndefined();
    expect(stringClassViolation('\u{1f600}l\u{1f600}\u00b7l', 'freeform')).toBe('U+00B7 is not allowed in this context');
    // A lone high surrogate before an astral character is one code point of its own.
    expect(stringClassViolation('a\ud800\u{1f600}', 'freeform')).toBe('U+D800 is disallowed');
  });

  it('gives each class its own answer for a code point met again (the remembered properties)', () => {
    // U+00BD VULGAR FRACTION ONE HALF has a compatibility decomposition: freeform only.
    for (let round = 0; round < 3; round++) {
      expect(stringClassViolation('\u00bd', 'freeform')).toBeUndefined();
      expect(stringClassViolation('\u00bd', 'identifier')).toBe('U+00BD is disallowed');
      expect(stringClassViolation('j\u00fcrgen', 'identifier')).toBeUndefined();
      expect(stringClassViolation('a\u200db', 'freeform')).toBe('U+200D is not allowed in this context');
    }
  });
});
