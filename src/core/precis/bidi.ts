import bidiFactory from 'bidi-js';
import type { Bidi, BidiCharTypeName } from 'bidi-js';

/**
 * Bidi classes (Unicode Bidi_Class) and the Bidi Rule of RFC 5893 §2, as required by the
 * directionality rule of the RFC 8265 username profiles.
 *
 * The Bidi_Class data comes from `bidi-js` (a pure-JS, browser-safe table); its factory is
 * run once, lazily, on the first non-ASCII string that needs it.
 */

/** One of the 23 Unicode Bidi_Class short names. */
export type BidiClass = BidiCharTypeName;

let api: Bidi | undefined;

function bidi(): Bidi {
  // bidi-js is CommonJS; depending on the bundler the default import is the factory itself or
  // a namespace object holding it.
  if (!api) {
    const factory = bidiFactory as unknown as { default?: () => Bidi } | (() => Bidi);
    api = typeof factory === 'function' ? factory() : factory.default!();
  }
  return api;
}

/** The Bidi_Class of one code point. */
export function bidiClass(cp: number): BidiClass {
  if (cp < 0x80) return asciiBidiClass(cp);
  return bidi().getBidiCharTypeName(String.fromCodePoint(cp));
}

function asciiBidiClass(cp: number): BidiClass {
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return 'L';
  if (cp >= 0x30 && cp <= 0x39) return 'EN';
  return bidi().getBidiCharTypeName(String.fromCharCode(cp));
}

/**
 * Whether a code point lies in one of the ranges that hold every R, AL and AN code point of
 * Unicode (the Hebrew to Arabic blocks, U+200F RIGHT-TO-LEFT MARK, the Hebrew and Arabic
 * presentation forms, and the right-to-left blocks of plane 1). A superset, checked against
 * the whole Bidi_Class table by a test: a string with no code point in it is left-to-right
 * without asking the table, whose first use costs about 10 ms and 1.2 MiB of heap.
 */
function mayBeRtl(cp: number): boolean {
  if (cp < 0x590) return false;
  if (cp <= 0x8ff) return true;
  if (cp < 0x10800) return cp === 0x200f || (cp >= 0xfb1d && cp <= 0xfeff);
  return cp <= 0x10fff || (cp >= 0x1e800 && cp <= 0x1efff);
}

/**
 * True when the string holds a right-to-left code point, i.e. one of Bidi_Class R, AL or AN
 * (the RFC 5893 §1.4 definition of an "RTL label").
 */
export function hasRtl(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (!mayBeRtl(cp)) continue;
    const c = bidiClass(cp);
    if (c === 'R' || c === 'AL' || c === 'AN') return true;
  }
  return false;
}

const RTL_ALLOWED: ReadonlySet<BidiClass> = new Set<BidiClass>(['R', 'AL', 'AN', 'EN', 'ES', 'CS', 'ET', 'ON', 'BN', 'NSM']);
const LTR_ALLOWED: ReadonlySet<BidiClass> = new Set<BidiClass>(['L', 'EN', 'ES', 'CS', 'ET', 'ON', 'BN', 'NSM']);

/**
 * Check the six conditions of the Bidi Rule (RFC 5893 §2) on a non-empty string. Returns
 * `undefined` when satisfied, else a short description of the violated condition.
 */
export function bidiRuleViolation(s: string): string | undefined {
  const classes: BidiClass[] = [];
  for (const ch of s) classes.push(bidiClass(ch.codePointAt(0)!));
  const first = classes[0];
  if (first === undefined) return undefined;
  // (1) the first character must be L, R or AL
  if (first !== 'L' && first !== 'R' && first !== 'AL') return `starts with a character of bidi class ${first}`;
  const rtl = first !== 'L';
  const allowed = rtl ? RTL_ALLOWED : LTR_ALLOWED;
  // (2) / (5): the allowed classes for the direction
  for (const c of classes) {
    if (!allowed.has(c)) return `${rtl ? 'right-to-left' : 'left-to-right'} string holds bidi class ${c}`;
  }
  // (3) / (6): the last character that is not NSM
  let end = classes.length - 1;
  while (end > 0 && classes[end] === 'NSM') end--;
  const last = classes[end]!;
  if (rtl ? !(last === 'R' || last === 'AL' || last === 'EN' || last === 'AN') : !(last === 'L' || last === 'EN')) {
    return `${rtl ? 'right-to-left' : 'left-to-right'} string ends with bidi class ${last}`;
  }
  // (4): EN and AN must not both occur in an RTL string
  if (rtl && classes.includes('EN') && classes.includes('AN')) return 'mixes European and Arabic-Indic digits';
  return undefined;
}
