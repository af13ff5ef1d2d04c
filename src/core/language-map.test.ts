import { parse, type Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { LanguageMap } from './language-map.js';

describe('LanguageMap.lookup', () => {
  const map = new LanguageMap([
    ['en-GB', 'colour'],
    ['en-US', 'color'],
    ['de', 'Farbe'],
    ['zh-Hant-TW', 'yan se'],
  ]);

  it('returns the exact tag first', () => {
    expect(map.lookup(['en-US'])).toBe('color');
    expect(map.lookup(['DE'])).toBe('Farbe');
  });

  it('matches a range against longer keys, first in sorted order', () => {
    expect(map.lookup(['en'])).toBe('colour');
  });

  it('truncates the range subtag by subtag', () => {
    expect(map.lookup(['de-AT-x-foo'])).toBe('Farbe');
    expect(map.lookup(['zh-Hant-HK'])).toBe('yan se');
  });

  it('tries the ranges in order of preference', () => {
    expect(map.lookup(['fr', 'de', 'en'])).toBe('Farbe');
  });

  it('falls back to the null entry, then to any value', () => {
    const withNull = new LanguageMap([
      ['fr', 'couleur'],
      [null, 'plain'],
    ]);
    expect(withNull.lookup(['it'])).toBe('plain');
    expect(new LanguageMap([['fr', 'couleur']]).lookup(['it'])).toBe('couleur');
    expect(new LanguageMap().lookup(['it'])).toBeUndefined();
  });

  it('treats * as matching any tag', () => {
    expect(
      new LanguageMap([
        [null, 'plain'],
        ['fr', 'couleur'],
      ]).lookup(['*']),
    ).toBe('couleur');
  });

  it('any() prefers the null entry', () => {
    expect(
      new LanguageMap([
        ['fr', 'a'],
        [null, 'b'],
      ]).any(),
    ).toBe('b');
    expect(new LanguageMap([['fr', 'a']]).any()).toBe('a');
    expect(new LanguageMap().any()).toBeUndefined();
  });
});

describe('LanguageMap.langOf', () => {
  const doc = parse(`<message xml:lang="de"><body>Hallo</body><body xml:lang="en">Hi</body><x xml:lang=""><y/></x></message>`) as Element;
  it('resolves xml:lang through ancestors', () => {
    const [de, en] = doc.getChildren('body');
    expect(LanguageMap.langOf(de!)).toBe('de');
    expect(LanguageMap.langOf(en!)).toBe('en');
    expect(LanguageMap.langOf(doc.getChild('x')!.getChild('y')!)).toBeNull();
    expect(LanguageMap.langOf(parse('<a/>') as Element)).toBeNull();
  });
});
