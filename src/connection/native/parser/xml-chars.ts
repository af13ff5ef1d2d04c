/**
 * Character-level helpers for the XMPP stream parser: XML names, references, string copies.
 * Browser-safe (no `node:` imports).
 */

/** Internal failure raised while parsing; turned into a `StreamParseError` by the parser. */
export class ParseFailure {
  constructor(
    readonly condition: 'not-well-formed' | 'restricted-xml' | 'policy-violation' | 'invalid-namespace' | 'bad-format',
    readonly message: string,
  ) {}
}

/** Throws a {@link ParseFailure}. */
export function fail(condition: ParseFailure['condition'], message: string): never {
  throw new ParseFailure(condition, message);
}

const START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const CHAR = `${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NCNAME = `[${START}][${CHAR}]*`;
/** A namespace-well-formed qualified name: NCName or NCName ':' NCName. */
const QNAME_RE = new RegExp(`^${NCNAME}(?::${NCNAME})?$`, 'u');

/** Characters XML 1.0 does not allow anywhere in a document (C0 controls except TAB/LF/CR, U+FFFE/U+FFFF). */
export const FORBIDDEN_CHAR_RE = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/** Longest element or attribute name accepted (a practical bound, not an XML rule). */
export const MAX_NAME_LENGTH = 1024;

const nameCache = new Map<string, string>();

/**
 * Returns an interned copy of `name` if it is a valid QName, else fails with not-well-formed.
 * Interning keeps name strings small and independent of the chunk they were sliced from.
 */
export function internName(name: string): string {
  const hit = nameCache.get(name);
  if (hit !== undefined) return hit;
  if (name.length > MAX_NAME_LENGTH || !QNAME_RE.test(name)) fail('not-well-formed', `invalid name "${name.slice(0, 40)}"`);
  // An object key comes back internalized (flat, own memory): property access and `===` with it
  // then need no string-table lookup or content comparison.
  const copy = Object.keys({ [name]: 0 })[0] as string;
  if (nameCache.size >= 1024) nameCache.clear();
  nameCache.set(copy, copy);
  return copy;
}

const elementAtoms: (string | undefined)[] = new Array<string | undefined>(512);
const attrAtoms: (string | undefined)[] = new Array<string | undefined>(512);

/**
 * Attribute names that are keys of `Object.prototype`: as own keys of an ltx `attrs` object they
 * would shadow (or, for `__proto__`, replace) what every plain object inherits. They are
 * well-formed XML and no XMPP protocol uses them, but a remote user can put one on a payload the
 * server relays (a room message), so refusing the stanza would let anyone end every occupant's
 * stream: the start-tag scanner drops such an attribute and keeps the element.
 */
const PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** True for an attribute name that must not become an own key of `attrs` (see above). */
export function isProtoKey(name: string): boolean {
  return PROTO_KEYS.has(name);
}

/**
 * Returns the interned, validated name `b.slice(p, q)`, looked up in a 512-slot atom cache
 * compared in place (no substring is made on a hit). Attribute names (`attr`) have their own
 * cache.
 */
export function internAt(b: string, p: number, q: number, attr: boolean): string {
  const len = q - p;
  const h = (len * 31 + b.charCodeAt(p) * 7 + b.charCodeAt(q - 1) * 13 + b.charCodeAt(p + (len >> 1))) & 511;
  const atoms = attr ? attrAtoms : elementAtoms;
  const cand = atoms[h];
  if (cand !== undefined && cand.length === len && b.startsWith(cand, p)) return cand;
  const name = internName(b.slice(p, q));
  atoms[h] = name;
  return name;
}

const elementGuess: (string | undefined)[] = new Array<string | undefined>(1024);
const attrGuess: (string | undefined)[] = new Array<string | undefined>(1024);

/*
 * Guess slots are keyed by the first four characters at the name's position (for a name shorter
 * than that, what follows it): `xmlns`/`xml:lang` and `status`/`stanza-id` get distinct slots.
 * Callers check `p + 3 < n`.
 */

/**
 * Fast path for element names: the atom last seen at a position starting with the same four
 * characters, if the name at `p` is exactly that atom (followed by a char that cannot continue a
 * name); else null. Only atoms that {@link internAt} validated are ever guessed, so a hit needs
 * no further check.
 */
export function guessElement(b: string, p: number, n: number): string | null {
  if (p + 3 >= n) return null;
  const cand = elementGuess[(b.charCodeAt(p) * 29791 + b.charCodeAt(p + 1) * 961 + b.charCodeAt(p + 2) * 31 + b.charCodeAt(p + 3)) & 1023];
  if (cand === undefined) return null;
  const end = p + cand.length;
  if (end >= n || !b.startsWith(cand, p)) return null;
  const c = b.charCodeAt(end);
  if (c > 0x3e || c === 0x3a || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39)) return null;
  return cand;
}

/**
 * Fast path for attribute names: the remembered atom (see {@link guessElement}) if the name at
 * `p` is exactly that atom and is directly followed by `=`; else null. `Object.prototype` keys
 * are never remembered, so a hit is an attribute to keep.
 */
export function guessAttr(b: string, p: number, n: number): string | null {
  if (p + 3 >= n) return null;
  const cand = attrGuess[(b.charCodeAt(p) * 29791 + b.charCodeAt(p + 1) * 961 + b.charCodeAt(p + 2) * 31 + b.charCodeAt(p + 3)) & 1023];
  if (cand === undefined) return null;
  const end = p + cand.length;
  if (end >= n || b.charCodeAt(end) !== 0x3d || !b.startsWith(cand, p)) return null;
  return cand;
}

/** Records `name` (validated, at `p` in `b`) for the guesses above; never an `Object.prototype` key. */
export function rememberAtom(b: string, p: number, n: number, name: string, attr: boolean): void {
  if (p + 3 >= n || (attr && PROTO_KEYS.has(name))) return;
  const slot = (b.charCodeAt(p) * 29791 + b.charCodeAt(p + 1) * 961 + b.charCodeAt(p + 2) * 31 + b.charCodeAt(p + 3)) & 1023;
  (attr ? attrGuess : elementGuess)[slot] = name;
}

/**
 * Checks raw bytes before decoding: fails on C0 controls XML forbids (all but TAB, LF, CR).
 * Returns true when every byte is ASCII (the chunk can then be decoded as latin1). Reads four
 * bytes at a time and looks closer only at words holding a control or non-ASCII byte.
 */
export function checkBytes(u8: Uint8Array): boolean {
  const n = u8.length;
  if (n < 16) return checkRange(u8, 0, n);
  const head = (4 - (u8.byteOffset & 3)) & 3;
  const words = (n - head) >> 2;
  // Everything but the word loop runs before it: the loop of the first large chunk is compiled
  // on stack (OSR) before it ever ends, and an operation after it that had never run would
  // deoptimise that compiled loop at its exit on every later call. The unaligned head and tail
  // (0-3 bytes each) are covered by the first and last four bytes, checked in every call: a
  // range check whose loop first runs after optimisation (the first chunk that does not start
  // or end on a word boundary) would deoptimise `checkBytes` too.
  const tailAscii = checkRange(u8, n - 4, n);
  let ascii = checkRange(u8, 0, 4) && tailAscii;
  const w32 = new Uint32Array(u8.buffer, u8.byteOffset + head, words);
  for (let k = 0; k < words; k++) {
    const w = w32[k] as number;
    if (((w & 0x80808080) | ((w - 0x20202020) & ~w & 0x80808080)) !== 0) {
      if ((w & 0x80808080) !== 0) ascii = false;
      // Bytes below 0x20 other than LF/TAB/CR (all have bit 7 clear when ASCII).
      for (let sh = 0; sh < 32; sh += 8) {
        const x = (w >>> sh) & 0xff;
        if (x < 0x20 && x !== 0x0a && x !== 0x09 && x !== 0x0d) fail('not-well-formed', 'forbidden character');
      }
    }
  }
  return ascii;
}

/** Byte-wise {@link checkBytes} of `u8[from, to)`. */
function checkRange(u8: Uint8Array, from: number, to: number): boolean {
  let ascii = true;
  for (let i = from; i < to; i++) {
    const x = u8[i] as number;
    if (x >= 0x80) ascii = false;
    else if (x < 0x20 && x !== 0x0a && x !== 0x09 && x !== 0x0d) fail('not-well-formed', 'forbidden character');
  }
  return ascii;
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Longest reference accepted between `&` and `;` (`#x10FFFF` plus leading zeros). */
export const MAX_REF_LENGTH = 16;

function refValue(s: string, from: number, to: number): string {
  const body = s.slice(from, to);
  switch (body) {
    case 'amp':
      return '&';
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  let cp = NaN;
  if (/^#x[0-9A-Fa-f]{1,8}$/.test(body)) cp = parseInt(body.slice(2), 16);
  else if (/^#[0-9]{1,8}$/.test(body)) cp = parseInt(body.slice(1), 10);
  else fail('not-well-formed', `unknown entity or malformed reference &${body.slice(0, 20)};`);
  if (!isXmlChar(cp)) fail('not-well-formed', `character reference to forbidden code point ${body}`);
  return String.fromCodePoint(cp);
}

/**
 * Replaces the predefined entities and character references in `s` (which contains `&`).
 * Fails on unknown entities, malformed or forbidden references and a bare `&`.
 */
export function decodeRefs(s: string, first: number): string {
  let out = '';
  let last = 0;
  let amp = first;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp - 1 > MAX_REF_LENGTH || semi === amp + 1) fail('not-well-formed', 'malformed reference');
    out += s.slice(last, amp) + refValue(s, amp + 1, semi);
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/** `s` with its references replaced (see {@link decodeRefs}) when its first `&` is at `first` < `s.length`; else `s`. */
export function withRefs(s: string, first: number): string {
  return first < s.length ? decodeRefs(s, first) : s;
}

/** True when `c` is an XML whitespace char code (space, TAB, LF, CR). */
export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}
