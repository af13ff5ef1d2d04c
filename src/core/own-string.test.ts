import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownString } from './own-string.js';

describe('ownString', () => {
  it('returns the same text, for slices of larger strings and for concatenations', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), (a, b) => {
        const big = `${a}${'-'.repeat(3000)}${b}`;
        expect(ownString(big.slice(a.length, a.length + 50))).toBe('-'.repeat(50));
        expect(ownString(a + b)).toBe(a + b);
        expect(ownString(big)).toBe(big);
      }),
      { numRuns: 200 },
    );
  });

  it('returns short strings as they are (V8 copies them when slicing anyway)', () => {
    expect(ownString('')).toBe('');
    expect(ownString('twelve chars')).toBe('twelve chars');
    expect(ownString('😀 ü')).toBe('😀 ü');
  });
});
