import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { enforceNickname, enforceOpaqueString, enforceUsernameCaseMapped, nicknameComparisonForm, widthMap } from './profiles.js';

function rejects(f: (s: string) => string, input: string, message: string): void {
  let error: unknown;
  try {
    f(input);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as Error).message).toBe(message);
}

describe('UsernameCaseMapped (RFC 8265 §3.3)', () => {
  it.each([
    // RFC 8265 §3.5 examples (case-mapped)
    ['juliet@example.com', 'juliet@example.com'],
    ['fussball', 'fussball'],
    ['fußball', 'fußball'],
    ['π', 'π'],
    ['Σ', 'σ'],
    ['σ', 'σ'],
    ['ς', 'ς'],
    // width mapping, case mapping, NFC
    ['ＪＵＬＩＥＴ', 'juliet'],
    ['ｊｕｌｉｅｔ１２', 'juliet12'],
    ['JuLiEt', 'juliet'],
    ['e\u0301', '\u00e9'],
    ['\u212a', 'k'], // KELVIN SIGN: NFC to K, lower-cased
    ['İ', 'i\u0307'], // Turkish dotted capital I: locale-independent toLowerCase, not "i"
    ['ı', 'ı'], // dotless i stays distinct
    ['\u05d0\u05d1', '\u05d0\u05d1'],
    ['\u0915\u094d\u200d\u0937', '\u0915\u094d\u200d\u0937'],
  ])('%j -> %j', (input, output) => {
    expect(enforceUsernameCaseMapped(input)).toBe(output);
  });

  it.each([
    ['foo bar', 'U+0020 is disallowed'],
    ['henry\u2163', 'U+2173 is disallowed'], // reported after case mapping (ⅳ)
    ['\u265a', 'U+265A is disallowed'],
    ['\ufb00', 'U+FB00 is disallowed'], // ligatures are not mapped in identifiers
    ['a\u200bb', 'U+200B is disallowed'],
    ['a\u200db', 'U+200D is not allowed in this context'],
    ['a\u0000b', 'U+0000 is disallowed'],
    ['a\ud800', 'U+D800 is disallowed'],
    ['a\u3000b', 'U+0020 is disallowed'], // IDEOGRAPHIC SPACE width-maps to a space
    ['\u05d0a', 'violates the Bidi Rule (RFC 5893): right-to-left string holds bidi class L'],
    ['a\u05d0', 'violates the Bidi Rule (RFC 5893): left-to-right string holds bidi class R'],
  ])('rejects %j (%s)', (input, reason) => {
    rejects(enforceUsernameCaseMapped, input, `Invalid username ${JSON.stringify(input)}: ${reason}`);
  });

  it('rejects the empty string', () => {
    rejects(enforceUsernameCaseMapped, '', 'Invalid username "": empty');
  });
});

describe('OpaqueString (RFC 8265 §4.2)', () => {
  it.each([
    // RFC 8265 §4.3 examples
    ['correct horse battery staple', 'correct horse battery staple'],
    ['Correct Horse Battery Staple', 'Correct Horse Battery Staple'],
    ['πßå', 'πßå'],
    ['Jack of \u2666s', 'Jack of \u2666s'],
    ['foo\u1680bar', 'foo bar'], // OGHAM SPACE MARK to SPACE
    ['ＡＢＣ', 'ＡＢＣ'], // no width mapping
    ['\ufb00', '\ufb00'], // NFC keeps the ligature
  ])('%j -> %j', (input, output) => {
    expect(enforceOpaqueString(input)).toBe(output);
  });

  it('rejects the empty string and control characters', () => {
    rejects(enforceOpaqueString, '', 'Invalid opaque string "": empty');
    rejects(enforceOpaqueString, 'my cat is a \u0009by', 'Invalid opaque string "my cat is a \\tby": U+0009 is disallowed');
  });
});

describe('Nickname (RFC 8266)', () => {
  it.each([
    // enforcement keeps case, maps and trims spaces, applies NFKC
    ['Nick Name ', 'Nick Name'],
    ['  Nick   Name  ', 'Nick Name'],
    ['\u00a0Nick\u2003Name\u3000', 'Nick Name'],
    ['ＮＩＣＫ', 'NICK'],
    ['\ufb00', 'ff'],
    ['Richard \u2163', 'Richard IV'],
    ['\u212b', '\u00c5'],
    ['\u03d4', '\u03ab'],
    ['\u265a', '\u265a'],
    ['foo@bar/baz', 'foo@bar/baz'],
    ['abc \u05d0\u05d1\u05d2', 'abc \u05d0\u05d1\u05d2'], // RFC 8266 has no directionality rule
    ['a\u00a8', 'a \u0308'], // NFKC of DIAERESIS is SPACE + COMBINING DIAERESIS
    ['\u00a8', '\u0308'], // ... whose leading space the second round trims
  ])('enforce %j -> %j', (input, output) => {
    expect(enforceNickname(input)).toBe(output);
  });

  it.each([
    // RFC 8266 §5 comparison examples
    ['Foo', 'foo'],
    ['foo', 'foo'],
    ['Foo Bar', 'foo bar'],
    ['foo bar', 'foo bar'],
    ['\u03a3', '\u03c3'],
    ['\u03c3', '\u03c3'],
    ['\u03c2', '\u03c2'],
    ['\u03d4', '\u03cb'],
    ['\u221e', '\u221e'],
    ['Richard \u2163', 'richard iv'],
    // and some more
    ['ＮＩＣＫ', 'nick'],
    ['\u212b', '\u00e5'],
    ['İ', 'i\u0307'],
    ['Nick Name ', 'nick name'],
  ])('compare %j -> %j', (input, output) => {
    expect(nicknameComparisonForm(input)).toBe(output);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['\u3000', 'empty'],
    ['a\u200bb', 'U+200B is disallowed'],
    ['\u200b', 'U+200B is disallowed'],
    ['a\tb', 'U+0009 is disallowed'],
    ['\tnick', 'U+0009 is disallowed'],
    ['nick\n', 'U+000A is disallowed'],
    ['a\u0000', 'U+0000 is disallowed'],
    ['\ud800nick', 'U+D800 is disallowed'],
    ['nick\udfff', 'U+DFFF is disallowed'],
    ['\ufeffnick', 'U+FEFF is disallowed'],
    ['a\u202eb', 'U+202E is disallowed'],
    ['\ue000', 'U+E000 is disallowed'],
    ['a\u0378', 'U+0378 is unassigned'],
  ])('rejects %j (%s)', (input, reason) => {
    rejects(enforceNickname, input, `Invalid nickname ${JSON.stringify(input)}: ${reason}`);
    expect(() => nicknameComparisonForm(input)).toThrow(InvalidArgumentError);
  });
});

describe('widthMap', () => {
  it('maps fullwidth and halfwidth forms only', () => {
    expect(widthMap('ＡＢＣ１！\u3000ｱ')).toBe('ABC1! \u30a2');
    expect(widthMap('\ufb00\u2163')).toBe('\ufb00\u2163');
  });
});

describe('idempotence (RFC 8264 §7)', () => {
  const profiles: [string, (s: string) => string][] = [
    ['UsernameCaseMapped', enforceUsernameCaseMapped],
    ['OpaqueString', enforceOpaqueString],
    ['Nickname', enforceNickname],
    ['Nickname comparison', nicknameComparisonForm],
  ];
  const inputs = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom(...'aZ 1\u00a0\u00a8\u0301\u212b\u03d4\u2163\ufb00ＡΣ\u05d0\u0627\u0661\u200c\u200d\u094d\u0915'),
      maxLength: 8,
    }),
  );
  it.each(profiles)('%s: enforcing an enforced string is the identity', (_name, enforce) => {
    fc.assert(
      fc.property(inputs, (s) => {
        let out: string;
        try {
          out = enforce(s);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidArgumentError);
          return;
        }
        expect(enforce(out)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });

  it('the comparison form of an enforced nickname equals that of the original', () => {
    fc.assert(
      fc.property(inputs, (s) => {
        let enforced: string;
        try {
          enforced = enforceNickname(s);
        } catch {
          return;
        }
        expect(nicknameComparisonForm(enforced)).toBe(nicknameComparisonForm(s));
      }),
      { numRuns: 2000 },
    );
  });
});
