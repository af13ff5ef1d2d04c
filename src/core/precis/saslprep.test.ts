import reference from '@mongodb-js/saslprep';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { bidiCategory, saslprep, saslprepSets } from './saslprep.js';

/** The reference's own RFC 3454 tables (Unicode 3.2), loaded past its `exports` map. */
interface BitSet {
  get(cp: number): boolean;
}
const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('@mongodb-js/saslprep'));
const tables = (
  require(join(dist, 'memory-code-points.js')) as { createMemoryCodePoints(data: unknown): Record<string, BitSet> }
).createMemoryCodePoints((require(join(dist, 'code-points-data.js')) as { default: unknown }).default) as Record<
  | 'unassigned_code_points'
  | 'commonly_mapped_to_nothing'
  | 'non_ASCII_space_characters'
  | 'prohibited_characters'
  | 'bidirectional_r_al'
  | 'bidirectional_l',
  BitSet
>;

type Outcome = { ok: string } | { error: true };

/** The reference (the table-driven npm package, Unicode 3.2 tables) as a query string. */
function viaReference(s: string): Outcome {
  try {
    return { ok: reference(s, { allowUnassigned: true }) };
  } catch (e) {
    // The package fails with a TypeError when the mapping leaves nothing; ours returns ''.
    if (e instanceof TypeError) return { ok: '' };
    return { error: true };
  }
}

function viaOurs(s: string): Outcome {
  try {
    return { ok: saslprep(s) };
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return { error: true };
  }
}

describe('saslprep (RFC 4013)', () => {
  it('maps, normalises and passes the RFC 4013 §3 examples', () => {
    expect(saslprep('I\u00adX')).toBe('IX'); // soft hyphen mapped to nothing
    expect(saslprep('user')).toBe('user');
    expect(saslprep('USER')).toBe('USER'); // case preserved
    expect(saslprep('\u00aa')).toBe('a'); // NFKC
    expect(saslprep('\u2168')).toBe('IX'); // NFKC
    expect(saslprep('a\u00a0b')).toBe('a b'); // non-ASCII space mapped to SPACE
    expect(saslprep('')).toBe('');
    expect(() => saslprep('\u0007')).toThrow(/prohibited character U\+0007/);
    expect(() => saslprep('\u0627\u0031')).toThrow(/must start and end with a right-to-left character/);
    expect(() => saslprep('\u0627a\u0627')).toThrow(/mixes right-to-left/);
    expect(saslprep('\u0627\u0031\u0628')).toBe('\u0627\u0031\u0628');
  });

  it('uses the same RFC 3454 sets as the table-driven reference for every code point assigned in Unicode 3.2', () => {
    const differ: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (tables.unassigned_code_points.get(cp)) continue;
      const ours = saslprepSets(cp);
      const cat = bidiCategory(cp);
      const theirs = {
        space: tables.non_ASCII_space_characters.get(cp),
        nothing: tables.commonly_mapped_to_nothing.get(cp),
        prohibited: tables.prohibited_characters.get(cp),
      };
      if (ours.space !== theirs.space || ours.nothing !== theirs.nothing || ours.prohibited !== theirs.prohibited) {
        differ.push(`U+${cp.toString(16)} sets ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`);
      }
      // Prohibited characters never reach the bidirectional check.
      if (
        !theirs.prohibited &&
        ((cat === 'RandAL') !== tables.bidirectional_r_al.get(cp) || (cat === 'L') !== tables.bidirectional_l.get(cp))
      ) {
        differ.push(`U+${cp.toString(16)} bidi ${cat}`);
      }
    }
    // RFC 3454 C.4 lists FFFFE-FFFFF as non-characters; the reference's table misses them.
    expect(differ).toEqual([
      'U+ffffe sets {"space":false,"nothing":false,"prohibited":true} vs {"space":false,"nothing":false,"prohibited":false}',
      'U+fffff sets {"space":false,"nothing":false,"prohibited":true} vs {"space":false,"nothing":false,"prohibited":false}',
    ]);
  });

  it('prohibits lone surrogates', () => {
    expect(() => saslprep('a\ud800')).toThrow(InvalidArgumentError);
    expect(() => saslprep('\udfffb')).toThrow(InvalidArgumentError);
  });

  it('agrees with the reference on random strings of interesting characters', () => {
    const unit = fc.constantFrom(
      ...'aZ 1~\u00a0\u00ad\u00aa\u2168\u200b\u200d\u0301\u05d0\u0627\u0661\u06dd\ufb00Ａ\u3000\u2ff0\ue000\u0340\u0007\u2801\u17b4\u0cbf',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), (s) => {
        expect(viaOurs(s)).toEqual(viaReference(s));
      }),
      { numRuns: 2000 },
    );
  });
});
