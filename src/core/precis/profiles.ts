import { InvalidArgumentError } from '../errors.js';
import { bidiRuleViolation, hasRtl } from './bidi.js';
import { stringClassViolation, type StringClass } from './derived-property.js';

/**
 * The PRECIS profiles XMPP needs: UsernameCaseMapped and OpaqueString (RFC 8265) and
 * Nickname (RFC 8266). Each `enforce` function applies the profile's rules in the order of
 * RFC 8264 §7 (width, additional mapping, case, normalisation, directionality, then the
 * string-class check on the result) and throws {@link InvalidArgumentError} when the result
 * is empty or not allowed. The mapping rules are re-applied until the output is stable
 * (RFC 8264 §7 idempotence), at most a few rounds; a string that does not settle is rejected.
 */

const MAX_ROUNDS = 4;

/** Characters with a `<wide>` or `<narrow>` compatibility decomposition (UnicodeData.txt). */
const RE_WIDTH = /[\u3000\uff01-\uffbe\uffc2-\uffc7\uffca-\uffcf\uffd2-\uffd7\uffda-\uffdc\uffe0-\uffe6\uffe8-\uffee]/gu;
/** Non-ASCII spaces (gc = Zs other than U+0020). */
const RE_NON_ASCII_SPACE = /(?! )\p{Zs}/gu;
const RE_SPACE_RUNS = / {2,}/g;
const RE_EDGE_SPACES = /^ +| +$/g;
const RE_PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const RE_ASCII_WITH_SPACE = /^[\x20-\x7e]*$/;

function quote(input: string): string {
  const s = input.length > 64 ? `${input.slice(0, 64)}…` : input;
  return JSON.stringify(s);
}

function fail(profile: string, input: string, reason: string): never {
  throw new InvalidArgumentError(`Invalid ${profile} ${quote(input)}: ${reason}`);
}

function settle(profile: string, input: string, map: (s: string) => string): string {
  let out = map(input);
  // Already stable (the usual case: a string in its enforced form): mapping it again gives `out`.
  if (out === input) return out;
  for (let round = 1; round < MAX_ROUNDS; round++) {
    const again = map(out);
    if (again === out) return out;
    out = again;
  }
  return fail(profile, input, 'normalisation does not settle');
}

function check(profile: string, input: string, out: string, cls: StringClass, bidiRule: boolean): string {
  if (out.length === 0) fail(profile, input, 'empty');
  const bad = stringClassViolation(out, cls);
  if (bad) fail(profile, input, bad);
  if (bidiRule && hasRtl(out)) {
    const violation = bidiRuleViolation(out);
    if (violation) fail(profile, input, `violates the Bidi Rule (RFC 5893): ${violation}`);
  }
  return out;
}

/** RFC 8265 §3.3 width mapping: fullwidth and halfwidth forms to their decompositions. */
export function widthMap(s: string): string {
  return s.replace(RE_WIDTH, (ch) => ch.normalize('NFKC'));
}

function mapUsername(s: string): string {
  return widthMap(s).toLowerCase().normalize('NFC');
}

/**
 * Enforce the UsernameCaseMapped profile (RFC 8265 §3.3), used for XMPP localparts: width
 * mapping, `toLowerCase`, NFC, the IdentifierClass check, and the Bidi Rule when the string
 * holds right-to-left characters. Throws {@link InvalidArgumentError}.
 */
export function enforceUsernameCaseMapped(input: string): string {
  if (RE_PRINTABLE_ASCII.test(input)) {
    if (input.length === 0) fail('username', input, 'empty');
    return input.toLowerCase();
  }
  return check('username', input, settle('username', input, mapUsername), 'identifier', true);
}

function mapOpaque(s: string): string {
  return s.replace(RE_NON_ASCII_SPACE, ' ').normalize('NFC');
}

/**
 * Enforce the OpaqueString profile (RFC 8265 §4.2), for passwords and other opaque strings:
 * non-ASCII spaces to U+0020, NFC, the FreeformClass check. Case and width are preserved.
 * Throws {@link InvalidArgumentError}.
 */
export function enforceOpaqueString(input: string): string {
  if (RE_ASCII_WITH_SPACE.test(input)) {
    if (input.length === 0) fail('opaque string', input, 'empty');
    return input;
  }
  return check('opaque string', input, settle('opaque string', input, mapOpaque), 'freeform', false);
}

function mapSpaces(s: string): string {
  // Only U+0020 is trimmed: String#trim would also drop tabs, newlines and U+FEFF, which the
  // profile rejects rather than maps.
  return s.replace(RE_NON_ASCII_SPACE, ' ').replace(RE_SPACE_RUNS, ' ').replace(RE_EDGE_SPACES, '');
}

function mapNickname(s: string): string {
  return mapSpaces(s).normalize('NFKC');
}

function mapNicknameKey(s: string): string {
  return mapSpaces(s).toLowerCase().normalize('NFKC');
}

/**
 * Enforce the Nickname profile (RFC 8266 §2.3): non-ASCII spaces to U+0020, leading and
 * trailing spaces removed, inner runs of spaces collapsed to one, NFKC, the FreeformClass
 * check. Case is preserved. Throws {@link InvalidArgumentError}.
 */
export function enforceNickname(input: string): string {
  if (RE_ASCII_WITH_SPACE.test(input)) {
    const out = input.includes('  ') || input.startsWith(' ') || input.endsWith(' ') ? mapSpaces(input) : input;
    if (out.length === 0) fail('nickname', input, 'empty');
    return out;
  }
  return check('nickname', input, settle('nickname', input, mapNickname), 'freeform', false);
}

/**
 * The comparison form of a nickname (RFC 8266 §2.4): enforcement plus `toLowerCase`. Two
 * nicknames are equivalent when their comparison forms are equal. Throws
 * {@link InvalidArgumentError} when the nickname is not valid.
 */
export function nicknameComparisonForm(input: string): string {
  const enforced = enforceNickname(input);
  if (RE_ASCII_WITH_SPACE.test(enforced)) return enforced.toLowerCase();
  return check('nickname', input, settle('nickname', enforced, mapNicknameKey), 'freeform', false);
}
