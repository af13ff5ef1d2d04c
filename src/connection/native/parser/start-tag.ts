/**
 * Tag scanning for the stream parser. Start tags are resumable across chunks (a split tag keeps
 * only the attribute being scanned), with next-occurrence caches so special characters are found
 * by one `indexOf` per buffer region instead of one scan per attribute value. Split end tags are
 * checked as far as they go.
 */
import { MAX_NAME_LENGTH, decodeRefs, fail, guessAttr, guessElement, internAt, isProtoKey, isWs, rememberAtom } from './xml-chars.js';

/** "Not found" position for {@link CharIndex}. */
export const NONE = 0x7fffffff;

/** Next-occurrence caches over one buffer; each is valid for queries at or before its position. */
export class CharIndex {
  private b = '';
  /** Cached next `<` (read directly by the start-tag scanner: no `<` between a query and this). */
  cLt = -1;
  /** Cached next `&`. */
  cAmp = -1;
  /** Cached next TAB. */
  cTab = -1;
  /** Cached next LF. */
  cNl = -1;
  /** Cached next `]]>`. */
  cCdataEnd = -1;

  /**
   * Starts indexing a new buffer. The rare characters are located at once (a few native
   * `indexOf`s per chunk): a buffer without them never needs a lookup call on the hot path.
   */
  reset(b: string): void {
    this.b = b;
    this.cLt = -1;
    this.cAmp = this.next('&', -1, 0);
    this.cTab = this.next('\t', -1, 0);
    this.cNl = this.next('\n', -1, 0);
    this.cCdataEnd = this.next(']]>', -1, 0);
  }

  private next(ch: string, cached: number, from: number): number {
    if (cached >= from) return cached;
    const i = this.b.indexOf(ch, from);
    return i === -1 ? NONE : i;
  }

  /** Position of the next `<` at or after `from` (NONE if none). */
  lt(from: number): number {
    return (this.cLt = this.next('<', this.cLt, from));
  }
  /** Position of the next `&`. */
  amp(from: number): number {
    return (this.cAmp = this.next('&', this.cAmp, from));
  }
  /** Position of the next TAB. */
  tab(from: number): number {
    return (this.cTab = this.next('\t', this.cTab, from));
  }
  /** Position of the next LF. */
  nl(from: number): number {
    return (this.cNl = this.next('\n', this.cNl, from));
  }
  /** Position of the next `]]>`. */
  cdataEnd(from: number): number {
    return (this.cCdataEnd = this.next(']]>', this.cCdataEnd, from));
  }
}

/** Makes kept strings out of buffer slices (see `copyStrings`). */
export interface StringKeeper {
  /** `b.slice(s, e)`, in a form that does not pin a large decoded chunk. */
  keep(b: string, s: number, e: number): string;
}

/** A start tag being scanned; one object is reused for every tag of a parser. */
export interface PendingTag {
  /** Absolute offset of the tag's `<` (for the size limit). */
  startAbs: number;
  /** Resume position (start of the attribute being scanned). */
  p: number;
  /** Where the search for the closing quote of a split attribute value continues (-1: not in a value). */
  valueScan: number;
  /** The quote that closes the split attribute value. */
  quote: string;
  qname: string | null;
  /** The attributes so far, in document order (becomes the element's `attrs`). */
  attrs: Record<string, string>;
  /** Value of the `xmlns` attribute, or null. */
  xmlns: string | null;
  /** Some attribute name has a colon (`xmlns:p` declaration or prefixed attribute). */
  colon: boolean;
  end: number;
  selfClose: boolean;
}

/** A fresh pending tag object (see {@link startTag}). */
export function newPendingTag(): PendingTag {
  return {
    startAbs: 0,
    p: 0,
    valueScan: -1,
    quote: '"',
    qname: null,
    attrs: {},
    xmlns: null,
    colon: false,
    end: 0,
    selfClose: false,
  };
}

/** Reuses `t` for a tag whose `<` is at absolute offset `startAbs` and whose name starts at `p`. */
export function startTag(t: PendingTag, startAbs: number, p: number): void {
  t.startAbs = startAbs;
  t.p = p;
  t.valueScan = -1;
  t.qname = null;
  t.attrs = {};
  t.xmlns = null;
  t.colon = false;
  t.end = 0;
  t.selfClose = false;
}

/** True for chars that may continue an XML name in the ASCII range, and all chars above '>' (checked when interned). */
function nameChar(c: number): boolean {
  return c > 0x3e || c === 0x3a || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39);
}

/** The first position at or after `p` that is not XML whitespace (`n` at the end). */
function skipWs(b: string, p: number, n: number): number {
  while (p < n && isWs(b.charCodeAt(p))) p++;
  return p;
}

/**
 * Scans a start tag from `t.p`; returns false if more input is needed. Attributes whose names
 * are `Object.prototype` keys are dropped (see `isProtoKey`), so `attrs` has no inherited key
 * and `attrs[name] !== undefined` is an exact duplicate test.
 *
 * Kept small and free of inner loops on the common path (one space between attributes, a name
 * seen before directly followed by `=`, a quoted value without special characters): the rest is
 * in helpers called only when needed. A loop body that TurboFan does not have to peel and
 * duplicate compiles several times faster, and compilation is most of what a fresh process
 * spends on its first stanzas.
 */
export function scanStartTag(b: string, t: PendingTag, idx: CharIndex, k: StringKeeper): boolean {
  const n = b.length;
  let p = t.p;
  if (t.qname === null) {
    const qname = elementName(b, p, n);
    if (qname === null) return false;
    t.qname = qname;
    p += qname.length;
  }
  const attrs = t.attrs;
  for (;;) {
    t.p = p;
    if (p >= n) return false;
    let c = b.charCodeAt(p);
    if (c === 0x3e) {
      t.end = p + 1;
      t.selfClose = false;
      return true;
    }
    if (c === 0x2f) {
      if (p + 1 >= n) return false;
      if (b.charCodeAt(p + 1) !== 0x3e) fail('not-well-formed', 'bad empty-element tag');
      t.end = p + 2;
      t.selfClose = true;
      return true;
    }
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) fail('not-well-formed', 'missing whitespace between attributes');
    p++;
    if (p >= n) return false;
    c = b.charCodeAt(p);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) {
      p = skipWs(b, p, n);
      if (p >= n) return false;
      c = b.charCodeAt(p);
    }
    if (c === 0x3e || c === 0x2f) continue;
    const name = attrName(b, p, n);
    if (name === null) return false;
    // q: the `=` after the name (a guessed name is directly followed by it).
    let q = p + name.length;
    if (b.charCodeAt(q) !== 0x3d) {
      q = skipWs(b, q, n);
      if (q >= n) return false;
      if (b.charCodeAt(q) !== 0x3d) fail('not-well-formed', `attribute ${name} without value`);
    }
    q++;
    if (q >= n) return false;
    let quote = b.charCodeAt(q);
    if (quote !== 0x22 && quote !== 0x27) {
      q = skipWs(b, q, n);
      if (q >= n) return false;
      quote = b.charCodeAt(q);
      if (quote !== 0x22 && quote !== 0x27) fail('not-well-formed', 'unquoted attribute value');
    }
    const vs = q + 1;
    const qs = quote === 0x22 ? '"' : "'";
    const ve = b.indexOf(qs, Math.max(vs, t.valueScan));
    // Written on every attribute (not only when the value is split at the end of the buffer),
    // so that optimised code never meets a store it has no feedback for.
    t.valueScan = ve === -1 ? n : -1;
    t.quote = qs;
    if (ve === -1) return false;
    p = ve + 1;
    // Cache lookups (inlined field reads once optimised), made for every value: a lookup first
    // needed after optimisation (the first `&` of a stream) would cost a deoptimisation.
    if (idx.lt(vs) < ve) fail('not-well-formed', '< in attribute value');
    let v = ve - vs < 13 ? b.slice(vs, ve) : k.keep(b, vs, ve);
    if (idx.tab(vs) < ve || idx.nl(vs) < ve) v = normaliseValueWs(v);
    const amp = idx.amp(vs);
    if (amp < ve) v = decodeRefs(v, amp - vs);
    if (name.length >= 7 && isProtoKey(name)) continue; // (every Object.prototype key has 7+ characters)
    // No inherited keys (prototype keys are dropped), so this is an exact duplicate test.
    if (attrs[name] !== undefined) fail('not-well-formed', `duplicate attribute ${name}`);
    attrs[name] = v;
    if (name === 'xmlns') t.xmlns = v;
    else if (name !== 'xml:lang' && name.indexOf(':') !== -1) t.colon = true;
  }
}

/** Attribute-value normalisation of literal TAB and LF (CR is already LF): each becomes a space. */
function normaliseValueWs(v: string): string {
  return v.replace(/[\t\n]/g, ' ');
}

/** The element name at `p`: guessed, else scanned; null when the buffer ends inside it. */
function elementName(b: string, p: number, n: number): string | null {
  const guess = guessElement(b, p, n);
  return guess !== null ? guess : scanElementName(b, p, n);
}

/** The attribute name at `p`: guessed, else scanned; null when the buffer ends inside it. */
function attrName(b: string, p: number, n: number): string | null {
  const guess = guessAttr(b, p, n);
  return guess !== null ? guess : scanAttrName(b, p, n);
}

/**
 * The slow path for an element name at `p` (not guessed): scans, validates and interns it and
 * remembers it for {@link guessElement}. Null when the buffer ends inside the name.
 */
function scanElementName(b: string, p: number, n: number): string | null {
  let q = p;
  while (q < n && nameChar(b.charCodeAt(q))) q++;
  if (q >= n) {
    if (q - p > MAX_NAME_LENGTH) fail('not-well-formed', 'name too long');
    return null;
  }
  const c = b.charCodeAt(q);
  if (q === p || !(isWs(c) || c === 0x3e || c === 0x2f)) fail('not-well-formed', 'invalid element name');
  const name = internAt(b, p, q, false);
  rememberAtom(b, p, n, name, false);
  return name;
}

/**
 * The slow path for an attribute name at `p` (not guessed): scans, validates and interns it and
 * remembers it for {@link guessAttr}. Null when the buffer ends inside the name.
 */
function scanAttrName(b: string, p: number, n: number): string | null {
  // Name chars above '>' or among ':', '-', '.', digits; everything else ends the name.
  let q = p;
  while (q < n && nameChar(b.charCodeAt(q))) q++;
  if (q >= n) {
    if (q - p > MAX_NAME_LENGTH) fail('not-well-formed', 'name too long');
    return null;
  }
  if (q === p) fail('not-well-formed', 'invalid attribute name');
  const name = internAt(b, p, q, true);
  rememberAtom(b, p, n, name, true);
  return name;
}

/**
 * An end tag is split before its `>` (name starting at `p`, `qname` the open element's name or
 * undefined at the top): fails as soon as what is buffered can no longer be `</qname S? >`.
 */
export function checkSplitEndTag(b: string, p: number, qname: string | undefined): void {
  const n = b.length;
  if (qname === undefined) {
    if (n > p) fail('not-well-formed', 'unexpected end tag');
    return;
  }
  const len = qname.length;
  for (let i = 0; i < len && p + i < n; i++) {
    if (b.charCodeAt(p + i) !== qname.charCodeAt(i)) fail('not-well-formed', `unexpected end tag, expected </${qname}>`);
  }
  for (let q = p + len; q < n; q++) {
    if (!isWs(b.charCodeAt(q))) fail('not-well-formed', `unexpected end tag, expected </${qname}>`);
  }
  if (n - p > MAX_NAME_LENGTH + 64) fail('not-well-formed', 'end tag too long');
}
