import { contextJAllows, contextOAllows } from './context-rules.js';

/**
 * The PRECIS derived property (RFC 8264 §8) of the IdentifierClass and FreeformClass string
 * classes, computed from the Unicode data of the JavaScript engine (regular-expression
 * property escapes and `String.prototype.normalize`), so it follows the engine's Unicode
 * version rather than a frozen table.
 */

/** The value of the PRECIS derived property for one code point in one string class. */
export type DerivedProperty = 'PVALID' | 'CONTEXTJ' | 'CONTEXTO' | 'DISALLOWED' | 'UNASSIGNED';

/** The two PRECIS string classes. */
export type StringClass = 'identifier' | 'freeform';

/** RFC 5892 §2.6 exceptions (F), which PRECIS applies before every other rule. */
const EXCEPTIONS: ReadonlyMap<number, DerivedProperty> = new Map<number, DerivedProperty>([
  [0x00df, 'PVALID'],
  [0x03c2, 'PVALID'],
  [0x06fd, 'PVALID'],
  [0x06fe, 'PVALID'],
  [0x0f0b, 'PVALID'],
  [0x3007, 'PVALID'],
  [0x00b7, 'CONTEXTO'],
  [0x0375, 'CONTEXTO'],
  [0x05f3, 'CONTEXTO'],
  [0x05f4, 'CONTEXTO'],
  [0x30fb, 'CONTEXTO'],
  ...range(0x0660, 0x0669, 'CONTEXTO'),
  ...range(0x06f0, 0x06f9, 'CONTEXTO'),
  [0x0640, 'DISALLOWED'],
  [0x07fa, 'DISALLOWED'],
  [0x302e, 'DISALLOWED'],
  [0x302f, 'DISALLOWED'],
  ...range(0x3031, 0x3035, 'DISALLOWED'),
  [0x303b, 'DISALLOWED'],
]);

function range(from: number, to: number, p: DerivedProperty): [number, DerivedProperty][] {
  const out: [number, DerivedProperty][] = [];
  for (let cp = from; cp <= to; cp++) out.push([cp, p]);
  return out;
}

/** Unassigned (J): gc = Cn and not a noncharacter. */
const RE_UNASSIGNED = /^(?!\p{Noncharacter_Code_Point})\p{Cn}$/u;
/** PrecisIgnorableProperties (M). */
const RE_IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]$/u;
/** Letters; with {@link RE_MARK_OR_DIGIT} and without {@link RE_TITLECASE}, LetterDigits (A). */
const RE_LETTER = /^\p{L}$/u;
const RE_TITLECASE = /^\p{Lt}$/u;
const RE_MARK_OR_DIGIT = /^[\p{Nd}\p{Mn}\p{Mc}]$/u;
/** OtherLetterDigits (R), Spaces (N), Symbols (O), Punctuation (P): ID_DIS / FREE_PVAL. */
const RE_FREEFORM_ONLY = /^[\p{Lt}\p{Nl}\p{No}\p{Me}\p{Zs}\p{Sm}\p{Sc}\p{Sk}\p{So}\p{P}]$/u;

/**
 * OldHangulJamo (I): Hangul_Syllable_Type L, V or T (not exposed to JS regular expressions,
 * hence the explicit ranges from Unicode's HangulSyllableType.txt).
 */
function isOldHangulJamo(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97c) || (cp >= 0xd7b0 && cp <= 0xd7c6) || (cp >= 0xd7cb && cp <= 0xd7fb)
  );
}

/** LetterDigits (A): gc in Ll, Lu, Lo, Nd, Lm, Mn, Mc. */
function isLetterDigit(ch: string): boolean {
  return RE_LETTER.test(ch) ? !RE_TITLECASE.test(ch) : RE_MARK_OR_DIGIT.test(ch);
}

/**
 * The PRECIS derived property of a code point in a string class (RFC 8264 §8).
 *
 * The rules are those of §8 in their order, except that Unassigned (J) is decided last: every
 * other set tested here (ASCII, join controls, old jamo, controls, compatibility
 * decompositions, letters, digits, marks, symbols, punctuation, spaces) holds assigned code
 * points only, except the ignorables, among which it is tested first. So a letter costs no test
 * against gc = Cn. Each of these regular expressions costs V8 about a millisecond to compile
 * (the union of the seven LetterDigits categories about four), paid by the first non-ASCII nick
 * or localpart a process meets.
 */
export function derivedProperty(cp: number, cls: StringClass): DerivedProperty {
  const exception = EXCEPTIONS.get(cp);
  if (exception) return exception;
  // (BackwardCompatible (G) is empty.)
  if (cp >= 0x21 && cp <= 0x7e) return 'PVALID'; // ASCII7 (K)
  if (cp === 0x200c || cp === 0x200d) return 'CONTEXTJ'; // JoinControl (H)
  if (isOldHangulJamo(cp)) return 'DISALLOWED';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'DISALLOWED'; // Controls (L): gc = Cc
  const ch = String.fromCodePoint(cp);
  if (RE_IGNORABLE.test(ch)) return RE_UNASSIGNED.test(ch) ? 'UNASSIGNED' : 'DISALLOWED';
  const freeform = cls === 'freeform' ? 'PVALID' : 'DISALLOWED';
  if (ch.normalize('NFKC') !== ch) return freeform; // HasCompat (Q)
  if (isLetterDigit(ch)) return 'PVALID';
  if (RE_FREEFORM_ONLY.test(ch)) return freeform;
  return RE_UNASSIGNED.test(ch) ? 'UNASSIGNED' : 'DISALLOWED'; // Cn, or Cc, Cf, Co, Cs, Zl, Zp
}

/**
 * Check that a string conforms to a PRECIS string class: every code point PVALID, or
 * CONTEXTJ / CONTEXTO with its contextual rule satisfied. Returns `undefined` when it does,
 * else a description of the first offending code point.
 */
export function stringClassViolation(s: string, cls: StringClass): string | undefined {
  let cps: number[] | undefined;
  let i = 0;
  for (let u = 0; u < s.length; u++) {
    const cp = s.codePointAt(u)!;
    if (cp > 0xffff) u++;
    const p = cp >= 0x21 && cp <= 0x7e ? 'PVALID' : knownProperty(cp, cls);
    if (p === 'CONTEXTJ' || p === 'CONTEXTO') {
      cps ??= Array.from(s, (c) => c.codePointAt(0)!);
      const ok = p === 'CONTEXTJ' ? contextJAllows(cps, i) : contextOAllows(cps, i);
      if (!ok) return `${codePointName(cp)} is not allowed in this context`;
    } else if (p !== 'PVALID') {
      return `${codePointName(cp)} is ${p === 'UNASSIGNED' ? 'unassigned' : 'disallowed'}`;
    }
    i++;
  }
  return undefined;
}

/** Most code points a process meets, per class, remembered (cleared when full). */
const MAX_KNOWN = 4096;
const knownIdentifier = new Map<number, DerivedProperty>();
const knownFreeform = new Map<number, DerivedProperty>();

/**
 * {@link derivedProperty}, remembered: it tests a code point against several Unicode-property
 * regular expressions, while the non-ASCII nicks and localparts of a room repeat few code points.
 */
function knownProperty(cp: number, cls: StringClass): DerivedProperty {
  const known = cls === 'identifier' ? knownIdentifier : knownFreeform;
  let p = known.get(cp);
  if (p === undefined) {
    p = derivedProperty(cp, cls);
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(cp, p);
  }
  return p;
}

/** `U+200B` style name of a code point, for error messages. */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
