/**
 * Start-tag scanning for the stream parser: resumable across chunks (a split tag keeps only the
 * attribute being scanned), with next-occurrence caches so special characters are found by one
 * `indexOf` per buffer region instead of one scan per attribute value.
 */
import { MAX_NAME_LENGTH, copyString, decodeRefs, fail, internAt, isWs } from './xml-chars.js';

/** "Not found" position for {@link CharIndex}. */
export const NONE = 0x7fffffff;

/** Next-occurrence caches over one buffer; each is valid for queries at or before its position. */
export class CharIndex {
  private b = '';
  private cLt = -1;
  private cAmp = -1;
  private cTab = -1;
  private cNl = -1;
  private cCdataEnd = -1;

  /** Starts indexing a new buffer. */
  reset(b: string): void {
    this.b = b;
    this.cLt = this.cAmp = this.cTab = this.cNl = this.cCdataEnd = -1;
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
  names: string[];
  values: string[];
  /** Copies a kept string (see `copyStrings`). */
  copy: (s: string) => string;
  /** Duplicate check for tags with many attributes. */
  seen?: Set<string>;
  end: number;
  selfClose: boolean;
}

/** A fresh pending tag whose `<` is at absolute offset `startAbs` and whose name starts at `p`. */
export function newPendingTag(startAbs: number, p: number, copy: (s: string) => string = copyString): PendingTag {
  return { startAbs, p, valueScan: -1, quote: '"', qname: null, names: [], values: [], end: 0, selfClose: false, copy };
}

/** Scans a start tag from `t.p`; returns false if more input is needed. */
export function scanStartTag(b: string, t: PendingTag, idx: CharIndex): boolean {
  const n = b.length;
  let p = t.p;
  if (t.qname === null) {
    let q = p;
    while (q < n) {
      const c = b.charCodeAt(q);
      if (isWs(c) || c === 0x3e || c === 0x2f) break;
      q++;
    }
    if (q >= n) {
      if (q - p > MAX_NAME_LENGTH) fail('not-well-formed', 'name too long');
      return false;
    }
    t.qname = internAt(b, p, q);
    p = q;
  }
  for (;;) {
    t.p = p;
    const s0 = p;
    while (p < n && isWs(b.charCodeAt(p))) p++;
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
    if (p === s0) fail('not-well-formed', 'missing whitespace between attributes');
    // Name chars above '>' or among ':', '-', '.', digits; everything else ends the name (NaN at the end).
    let q = p;
    for (;;) {
      c = b.charCodeAt(q);
      if (c > 0x3e || c === 0x3a || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39)) q++;
      else break;
    }
    if (q >= n) {
      if (q - p > MAX_NAME_LENGTH) fail('not-well-formed', 'name too long');
      return false;
    }
    const name = internAt(b, p, q);
    while (q < n && isWs(b.charCodeAt(q))) q++;
    if (q >= n) return false;
    if (b.charCodeAt(q) !== 0x3d) fail('not-well-formed', `attribute ${name} without value`);
    q++;
    while (q < n && isWs(b.charCodeAt(q))) q++;
    if (q >= n) return false;
    const quote = b.charCodeAt(q);
    if (quote !== 0x22 && quote !== 0x27) fail('not-well-formed', 'unquoted attribute value');
    const vs = q + 1;
    const ve = b.indexOf(quote === 0x22 ? '"' : "'", Math.max(vs, t.valueScan));
    if (ve === -1) {
      t.valueScan = n;
      t.quote = quote === 0x22 ? '"' : "'";
      return false;
    }
    t.valueScan = -1;
    let v = b.slice(vs, ve);
    if (idx.lt(vs) < ve) fail('not-well-formed', '< in attribute value');
    if (idx.tab(vs) < ve || idx.nl(vs) < ve) v = v.replace(/[\t\n]/g, ' ');
    const amp = idx.amp(vs);
    v = t.copy(amp < ve ? decodeRefs(v, amp - vs) : v);
    if (t.names.length < 16) {
      if (t.names.indexOf(name) !== -1) fail('not-well-formed', `duplicate attribute ${name}`);
    } else {
      t.seen ??= new Set(t.names);
      if (t.seen.has(name)) fail('not-well-formed', `duplicate attribute ${name}`);
      t.seen.add(name);
    }
    t.names.push(name);
    t.values.push(v);
    p = ve + 1;
  }
}
