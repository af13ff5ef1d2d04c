/**
 * The rarer constructs of an XMPP stream, for the stream parser: end tags other than exactly
 * `</qname>`, `<!` (only CDATA sections are allowed), the XML declaration, and text cut by the end
 * of the buffer. Kept out of the parse loop (see `StreamParser`). Each returns the position after
 * what it consumed, or -1 when the buffer ends before it is complete. Browser-safe.
 */
import { checkSplitEndTag } from './start-tag.js';
import { MAX_REF_LENGTH, fail, isWs } from './xml-chars.js';

const CDATA_OPEN = '<![CDATA[';
const XML_DECL_RE =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(['"])1\.[0-9]+\1([ \t\n]+encoding[ \t\n]*=[ \t\n]*(['"])[Uu][Tt][Ff]-8\3)?([ \t\n]+standalone[ \t\n]*=[ \t\n]*(['"])(yes|no)\5)?[ \t\n]*\?>$/;

/**
 * An end tag at `lt` that is not exactly `</qname>` (`qname`: the open element, undefined at
 * the top): `</qname S>`, split (checked as far as it goes), or wrong.
 */
export function endTagAt(b: string, lt: number, qname: string | undefined): number {
  const gt = b.indexOf('>', lt + 2);
  if (gt === -1) {
    checkSplitEndTag(b, lt + 2, qname);
    return -1;
  }
  let e = gt;
  while (e > lt + 2 && isWs(b.charCodeAt(e - 1))) e--;
  if (qname === undefined || e - lt - 2 !== qname.length || !b.startsWith(qname, lt + 2)) {
    fail('not-well-formed', `unexpected end tag </${b.slice(lt + 2, Math.min(e, lt + 42))}>`);
  }
  return gt + 1;
}

/**
 * `<!` at `lt`: the start of a CDATA section (allowed only `inElement`); comments and DOCTYPE
 * are `restricted-xml`, anything else `not-well-formed`. Returns the position after `<![CDATA[`.
 */
export function cdataStartAt(b: string, lt: number, inElement: boolean): number {
  if (b.startsWith(CDATA_OPEN, lt)) {
    if (!inElement) fail('not-well-formed', 'CDATA outside an element');
    return lt + CDATA_OPEN.length;
  }
  if (b.startsWith('<!--', lt)) fail('restricted-xml', 'comment');
  if (b.startsWith('<!DOCTYPE', lt)) fail('restricted-xml', 'DOCTYPE');
  const head = b.slice(lt, lt + 9);
  if (b.length - lt < 9 && (CDATA_OPEN.startsWith(head) || '<!DOCTYPE'.startsWith(head) || '<!--'.startsWith(head))) return -1;
  fail('not-well-formed', 'markup declaration');
}

/**
 * `<?` at `lt`: only the XML declaration, only at the very start of the stream (`atStart`,
 * `b` starting there); any other processing instruction is `restricted-xml`.
 */
export function declarationAt(b: string, lt: number, atStart: boolean): number {
  const n = b.length;
  if (!atStart || !(n < 6 ? '<?xml '.startsWith(b) : /^<\?xml[ \t\n]/.test(b.slice(0, 6)))) {
    fail('restricted-xml', 'processing instruction');
  }
  const end = b.indexOf('?>', lt);
  if (end === -1) {
    if (n > 256) fail('not-well-formed', 'XML declaration too long');
    return -1;
  }
  if (!XML_DECL_RE.test(b.slice(lt, end + 2))) fail('not-well-formed', 'bad XML declaration');
  return end + 2;
}

/**
 * Where the complete part of the text from `pos` to the end of the buffer ends: before an
 * unfinished reference, or before a trailing `]` or `]]` that could begin `]]>`.
 */
export function completeTextEnd(b: string, pos: number): number {
  const n = b.length;
  const amp = b.lastIndexOf('&', n - 1);
  if (amp >= pos && b.indexOf(';', amp) === -1) {
    if (n - amp > MAX_REF_LENGTH + 1) fail('not-well-formed', 'malformed reference');
    return amp;
  }
  let end = n;
  while (end > pos && n - end < 2 && b.charCodeAt(end - 1) === 0x5d) end--;
  return end;
}
