import { InvalidArgumentError } from '../errors.js';
import { bidiClass } from './bidi.js';

/**
 * SASLprep (RFC 4013, the stringprep profile of RFC 3454) for SASL usernames and passwords,
 * treating strings as queries (unassigned code points allowed), as SCRAM (RFC 5802 §2.2,
 * §5.1) and PLAIN ask. Browser-safe and table-free: the mapping and prohibition lists are the
 * short ranges of RFC 3454 below; normalisation is the engine's NFKC and the bidirectional
 * classes come from the Bidi_Class data the PRECIS module already uses (`bidi-js`).
 *
 * It replaces `@mongodb-js/saslprep`, whose browser build needs Node's byte-buffer global and ships
 * ~560 KB of tables. For every code point assigned in Unicode 3.2 it uses the same sets as
 * that library (RFC 3454's, checked code point by code point in `saslprep.test.ts`, and
 * random strings agree with it under `allowUnassigned: true`); later characters get their current Bidi_Class.
 */

/** RFC 3454 C.1.2, non-ASCII space characters: mapped to U+0020, then prohibited. */
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/gu;
/** RFC 3454 B.1, commonly mapped to nothing. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: a set of code points (combining ones among them), matched one by one
const MAPPED_TO_NOTHING = /[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/gu;
/** RFC 3454 C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9: prohibited output. */
const PROHIBITED = new RegExp(
  [
    '[\\u00a0\\u1680\\u2000-\\u200b\\u202f\\u205f\\u3000', // C.1.2
    '\\u0000-\\u001f\\u007f', // C.2.1
    '\\u0080-\\u009f\\u06dd\\u070f\\u180e\\u200c\\u200d\\u2028\\u2029\\u2060-\\u2063\\u206a-\\u206f\\ufeff\\ufff9-\\ufffc\\u{1d173}-\\u{1d17a}', // C.2.2
    '\\ue000-\\uf8ff\\u{f0000}-\\u{ffffd}\\u{100000}-\\u{10fffd}', // C.3
    '\\ufdd0-\\ufdef\\ufffe\\uffff\\u{1fffe}\\u{1ffff}\\u{2fffe}\\u{2ffff}\\u{3fffe}\\u{3ffff}\\u{4fffe}\\u{4ffff}',
    '\\u{5fffe}\\u{5ffff}\\u{6fffe}\\u{6ffff}\\u{7fffe}\\u{7ffff}\\u{8fffe}\\u{8ffff}\\u{9fffe}\\u{9ffff}\\u{afffe}\\u{affff}',
    '\\u{bfffe}\\u{bffff}\\u{cfffe}\\u{cffff}\\u{dfffe}\\u{dffff}\\u{efffe}\\u{effff}\\u{ffffe}\\u{fffff}\\u{10fffe}\\u{10ffff}', // C.4
    '\\ud800-\\udfff', // C.5 (lone surrogates)
    '\\ufff9-\\ufffd', // C.6
    '\\u2ff0-\\u2ffb', // C.7
    '\\u0340\\u0341\\u200e\\u200f\\u202a-\\u202e\\u206a-\\u206f', // C.8
    '\\u{e0001}\\u{e0020}-\\u{e007f}]', // C.9
  ].join(''),
  'u',
);
/**
 * RFC 3454's bidirectional tables are Unicode 3.2's. Code points whose Bidi_Class changed
 * since (to L, or away from it) keep their 3.2 category here, so that results match servers
 * that use the RFC 3454 tables (libidn, Prosody, ejabberd).
 */
const NOT_LCAT_IN_3_2 = /[\u0cbf\u0cc6\u2132\u2800-\u28ff\u302e\u302f]/u;
const LCAT_IN_3_2: ReadonlySet<number> = new Set([0x17b4, 0x17b5, 0x1885, 0x1886, 0x1d6db, 0x1d715, 0x1d74f, 0x1d789, 0x1d7c3]);

/** Strings that need no work: printable ASCII (no mapping, NFKC-stable, no bidi issue). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function fail(reason: string): never {
  throw new InvalidArgumentError(`SASLprep: ${reason} (RFC 4013)`);
}

/**
 * Prepare a SASL username or password with SASLprep (RFC 4013) as a query string. Throws
 * {@link InvalidArgumentError} for a prohibited character or a violation of the
 * bidirectional rules (RFC 3454 §6). The empty string stays empty.
 */
export function saslprep(input: string): string {
  if (PRINTABLE_ASCII.test(input)) return input;
  const out = input.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  const bad = PROHIBITED.exec(out);
  if (bad) fail(`prohibited character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  let hasRandAL = false;
  let hasL = false;
  let first = '';
  let last = '';
  for (const ch of out) {
    const cat = bidiCategory(ch.codePointAt(0)!);
    if (first === '') first = cat;
    last = cat;
    hasRandAL ||= cat === 'RandAL';
    hasL ||= cat === 'L';
  }
  if (hasRandAL && hasL) fail('mixes right-to-left (RandALCat) and left-to-right (LCat) characters');
  if (hasRandAL && (first !== 'RandAL' || last !== 'RandAL'))
    fail('a right-to-left string must start and end with a right-to-left character');
  return out;
}

/** RFC 3454 D.1 (`RandAL`: Bidi_Class R or AL) and D.2 (`L`) of one code point. @internal */
export function bidiCategory(cp: number): 'RandAL' | 'L' | 'other' {
  if (LCAT_IN_3_2.has(cp)) return 'L';
  const cls = bidiClass(cp);
  if (cls === 'R' || cls === 'AL') return 'RandAL';
  return cls === 'L' && !NOT_LCAT_IN_3_2.test(String.fromCodePoint(cp)) ? 'L' : 'other';
}

/** Which RFC 3454 sets SASLprep uses hold a code point (for tests). @internal */
export function saslprepSets(cp: number): { space: boolean; nothing: boolean; prohibited: boolean } {
  const ch = String.fromCodePoint(cp);
  return {
    space: ch.replace(NON_ASCII_SPACE, ' ') !== ch,
    nothing: ch.replace(MAPPED_TO_NOTHING, '') !== ch,
    prohibited: PROHIBITED.test(ch),
  };
}
