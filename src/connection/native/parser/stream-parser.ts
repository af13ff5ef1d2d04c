/**
 * xmuc's strict streaming XML parser for XMPP (RFC 6120 streams and RFC 7395 WebSocket frames).
 *
 * It accepts the XML subset XMPP allows and builds one self-contained ltx `Element` per
 * top-level element. Rules (RFC 6120 §11): comments, processing instructions (other than
 * the XML declaration at the very start) and DOCTYPE are `restricted-xml`; only the five
 * predefined entities and character references are known. CDATA sections are accepted as
 * text: RFC 6120 §11.1 does not list them among the restricted features and they are
 * well-formed XML. Browser-safe: no `node:` imports.
 *
 * Hardening: an attribute whose name is an `Object.prototype` key (`__proto__`, `constructor`,
 * `toString`, ...) is dropped and the element kept (well-formed, but it would shadow what every
 * ltx `attrs` object inherits; no XMPP protocol uses such names, and refusing the stanza would let
 * any room occupant end every other occupant's stream through a relayed payload), so `attrs` is
 * always a plain object with only the stanza's other attributes as own keys. Two attributes
 * with the same local name in the same namespace (through two prefixes) are `not-well-formed` (Namespaces in XML §6.3).
 * Markup that can no longer become well-formed (`<<`, `</wrong`) fails at once, without waiting
 * for the rest of the tag.
 *
 * Performance (bench/parser.bench.ts: 20,000 captured Prosody/ejabberd stanzas of 432 B average
 * in 64 KiB byte chunks, Node 20, paired in-process with `@xmpp/xml`): about 0.6x ltx's CPU cost
 * warm (4.7 µs vs 7.6 µs per stanza on a loaded 2-core box), also with non-ASCII bodies. In a
 * fresh process most of the cost is the JIT, not the parsing: on the first 2,000 MUC presences
 * TurboFan's (background) compilation took more CPU than running the code, and every branch first
 * met after a function was optimised (the first `&`, a value cut by a chunk boundary) cost a
 * deoptimisation and a recompilation. So the hot functions are small, loop bodies have no inner
 * loops on the common path, rare constructs live in helpers (`markup.ts`), and values consult the
 * index caches on every attribute rather than only when a cache may be stale.
 *
 * How: byte chunks are checked for forbidden controls four bytes at a time and all-ASCII ones
 * decoded as latin1 (others by a fatal TextDecoder); a held tail is decoded again with the next
 * chunk into one flat string (a long one is joined to it); scanning is `indexOf`/`charCodeAt`
 * over it with next-occurrence caches; names are validated once and then interned atoms, guessed
 * from their first four characters and compared with `startsWith`; `attrs` is built directly
 * (duplicates found through it: no inherited keys); entity decoding runs only when there is an
 * `&`; a split tag resumes at its current attribute. Kept strings are sliced from a flat copy of the source region (at most
 * 2 KiB) shared by consecutive top-level elements instead of being copied one by one.
 */
import { Element } from 'ltx';
import { CharIndex, NONE, newPendingTag, scanStartTag, startTag, type StringKeeper } from './start-tag.js';
import { cdataStartAt, completeTextEnd, declarationAt, endTagAt } from './markup.js';
import { ChildrenStack } from './children-stack.js';
import { InputDecoder } from './input-decoder.js';
import { ownString } from '../../../core/own-string.js';
import { ParseFailure, fail, isWs, withRefs } from './xml-chars.js';
import { StreamParseError, type StreamParserOptions } from './parser-options.js';

export { type StreamErrorCondition, StreamParseError, type StreamParserOptions } from './parser-options.js';

const STREAM_NS = 'http://etherx.jabber.org/streams';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const FRAMING_NS = 'urn:ietf:params:xml:ns:xmpp-framing';
const CONTENT_NS = new Set(['jabber:client', 'jabber:server', 'jabber:component:accept']);

interface NsBinding {
  uri: string;
  /** Stack depth of the declaring element. */
  level: number;
}
type Scope = Record<string, NsBinding | undefined>;
const EMPTY_SCOPE: Scope = Object.create(null) as Scope;

interface Frame {
  el: Element | null;
  qname: string;
  defNs: string;
  scope: Scope;
  /** Where this element's children start on the parser's {@link ChildrenStack}. */
  kids: number;
}

/** Source characters of a top-level element copied as one region (see `setRegion`). */
const REGION = 2048;
/**
 * A decoded buffer at most this long may be pinned by kept strings as it is: no more than a
 * region copy would pin, and small reads (a server writing stanza by stanza) copy nothing.
 */
const SMALL_BUFFER = REGION;

/**
 * An unparsed tail up to this long is decoded again with the next byte chunk (one flat string,
 * see `InputDecoder`); a longer one is joined to it (both copy about as much).
 */
const MAX_PREFIX = 16384;

/**
 * Text at the end of a buffer up to this long is kept unparsed until the rest of its text node
 * arrives (longer text is added as far as it is complete, so buffering stays linear).
 */
const TAIL_TEXT = 4096;

/** Incremental XMPP stream parser. `write()` never throws. */
export class StreamParser implements StringKeeper {
  private readonly opts: StreamParserOptions;
  private readonly fragments: boolean;
  private readonly max: number;
  private readonly topDepth: number;
  private readonly copyOn: boolean;
  private readonly input = new InputDecoder();
  /** Flat copy of `buf[regionStart, regionEnd)`, the current top-level element's source (see `keep`). */
  private region = '';
  private regionStart = 0;
  private regionEnd = -1;
  /** Size of the last top-level element (guides the region size). */
  private lastTopSize = 512;
  private buf = '';
  private absBase = 0;
  /** Open elements: `frames[0, depth)`; frame objects are reused (one allocation per nesting level). */
  private frames: Frame[] = [];
  private depth = 0;
  /** Children of the open elements (see `ChildrenStack`). */
  private readonly kids = new ChildrenStack();
  private pending = false;
  private readonly tag = newPendingTag();
  private inCdata = false;
  private text = '';
  private topStart = -1;
  private usedOuter: string[] | null = null;
  private streamLang: string | undefined;
  private dead = false;
  private ended = false;
  private gen = 0;
  private readonly idx = new CharIndex();

  constructor(o: StreamParserOptions) {
    this.opts = o;
    this.fragments = o.mode === 'fragments';
    this.max = o.maxStanzaBytes ?? 1_048_576;
    this.topDepth = this.fragments ? 0 : 1;
    this.copyOn = o.copyStrings !== false;
  }

  /** Starts over for a new stream (after STARTTLS or SASL); input not yet parsed is discarded. */
  reset(): void {
    this.gen++;
    this.input.reset();
    this.region = '';
    this.regionEnd = -1;
    this.buf = '';
    this.absBase = 0;
    this.clearFrames();
    this.pending = false;
    this.inCdata = false;
    this.text = '';
    this.topStart = -1;
    this.usedOuter = null;
    this.streamLang = undefined;
    this.dead = false;
    this.ended = false;
  }

  /**
   * Feeds bytes (UTF-8, split anywhere) or already decoded text (e.g. a WebSocket text frame).
   * Never throws. Errors found while decoding a chunk (invalid UTF-8, forbidden characters) are
   * reported before any element that chunk would complete.
   */
  write(chunk: Uint8Array | string): void {
    if (this.dead || this.ended) return;
    const gen = this.gen;
    try {
      if (this.take(chunk)) this.parse(gen);
    } catch (e) {
      if (gen !== this.gen) return;
      const err =
        e instanceof ParseFailure
          ? new StreamParseError(e.condition, e.message)
          : new StreamParseError('not-well-formed', `internal parser error: ${String(e)}`);
      this.dead = true;
      this.buf = '';
      this.region = '';
      this.regionEnd = -1;
      this.clearFrames();
      this.pending = false;
      this.safe(() => this.opts.onError(err));
    }
  }

  /**
   * Decodes `chunk` onto the end of `buf`; returns whether there is something new to parse.
   * A byte chunk after a short unparsed tail is decoded with it (one string as large as the
   * read instead of two). A method of its own so that no frame below `parse` holds a decoded
   * text that was joined to the tail: it is garbage then, and a reference to it would have every
   * young-generation GC during the parse copy it.
   */
  private take(chunk: Uint8Array | string): boolean {
    const t = this.tag;
    const prefix = this.buf;
    if (typeof chunk !== 'string' && prefix.length <= MAX_PREFIX) {
      // Still inside a split attribute value with no quote in sight: append below instead.
      if (!(this.pending && t.valueScan >= 0 && chunk.indexOf(t.quote.charCodeAt(0)) === -1)) {
        const all = this.input.decode(chunk, prefix);
        if (all.length === prefix.length) return false;
        this.buf = all;
        return true;
      }
    }
    const text = this.input.decode(chunk);
    if (text.length === 0) return false;
    if (this.buf.length === 0) {
      this.buf = text;
      return true;
    }
    if (this.pending && t.valueScan >= 0 && text.indexOf(t.quote) === -1) {
      // Still inside a split attribute value: append only (no rescan, no flattening).
      this.buf += text;
      if (this.absBase + this.buf.length - (this.topStart >= 0 ? this.topStart : t.startAbs) > this.max) this.tooBig();
      return false;
    }
    // One flat string (`+` would make a rope that every charCodeAt/indexOf has to unwrap).
    this.buf = [this.buf, text].join('');
    return true;
  }

  /**
   * `b.slice(s, e)` to be kept in an element. With `copyStrings`, it must not pin a large decoded
   * buffer: short strings are copies anyway (V8 slices only from 13 chars), a slice of the current
   * top-level element's region copy pins only that copy, anything else is copied on its own.
   */
  keep(b: string, s: number, e: number): string {
    // One `slice` for a short string and a region slice: a call first made after optimisation
    // (the first short text) would deoptimise the parser.
    let src = b;
    let base = 0;
    if (e - s >= 13 && this.copyOn) {
      if (s < this.regionStart || e > this.regionEnd) return ownString(b.slice(s, e));
      src = this.region;
      base = this.regionStart;
    }
    return src.slice(s - base, e - base);
  }

  /**
   * Prepares the copy region for a top-level element whose source starts at `from` in `b`. The
   * region is a flat copy of at most {@link REGION} characters, shared by the consecutive
   * elements it covers (a small buffer is used as it is). A kept element thus pins at most
   * `REGION` characters of source; strings past the region are copied one by one.
   */
  private setRegion(b: string, from: number): void {
    if (!this.copyOn) return;
    const n = b.length;
    if (n <= SMALL_BUFFER) {
      this.region = b;
      this.regionStart = 0;
      this.regionEnd = n;
      return;
    }
    const want = this.lastTopSize + (this.lastTopSize >> 2) + 64;
    if (from >= this.regionStart && this.regionEnd - from >= Math.min(want, REGION)) return;
    const end = n - from > REGION ? from + REGION : n;
    this.region = ownString(b.slice(from, end));
    this.regionStart = from;
    this.regionEnd = end;
  }

  /** Runs a user callback; returns false when the parser was reset, killed or ended meanwhile. */
  private safe(fn: () => void): boolean {
    const gen = this.gen;
    try {
      fn();
    } catch (e) {
      try {
        this.opts.onCallbackError?.(e);
      } catch {
        // ignore: nothing sane left to report to
      }
    }
    return gen === this.gen && !this.dead && !this.ended;
  }

  private parse(gen: number): void {
    const b = this.buf;
    const n = b.length;
    let pos = 0;
    const idx = this.idx;
    idx.reset(b);
    this.regionEnd = -1;
    if (this.topStart >= 0) this.setRegion(b, 0);
    const t = this.tag;
    for (;;) {
      if (this.pending) {
        if (!scanStartTag(b, t, idx, this)) break;
        if (this.absBase + t.end - t.startAbs > this.max) this.tooBig();
        this.pending = false;
        pos = t.end;
        if (!this.openElement() || gen !== this.gen) return;
        continue;
      }
      if (this.inCdata) {
        pos = this.cdata(b, pos);
        if (this.inCdata) break;
        continue;
      }
      if (pos >= n) break;
      let lt = idx.cLt >= pos ? idx.cLt : idx.lt(pos);
      if (lt === NONE) lt = -1;
      if (lt !== pos) {
        // Text up to the next `<`, or up to the end of the buffer (lt === -1). Inside a stanza a
        // short tail waits for the rest of its text node; at stream level it is checked at once
        // (only whitespace is allowed there). The tests run on every text, tail or not: an
        // operation first run after `parse` is optimised (the first read that ends inside a
        // text node) would deoptimise it.
        const long = (lt === -1 ? n : lt) - pos > TAIL_TEXT;
        const inside = this.depth > this.topDepth;
        if (lt === -1) {
          if (long || !inside) pos = this.tailText(b, pos);
          break;
        }
        this.addText(b, pos, lt);
        pos = lt;
      }
      // b[lt] === '<'
      if (this.topStart >= 0 && this.absBase + lt - this.topStart > this.max) this.tooBig();
      if (lt + 1 >= n) break;
      const c = b.charCodeAt(lt + 1);
      if (c === 0x2f /* / */) {
        const top = this.depth > 0 ? (this.frames[this.depth - 1] as Frame) : undefined;
        if (top !== undefined) {
          // Fast path: `</qname>` exactly, or its start where the buffer ends (wait for more).
          // One code path for both (`slice` of the whole name returns the name itself): a branch
          // first taken after optimisation, such as the first read that ends inside an end tag,
          // would deoptimise `parse` and have it compiled again.
          const q = top.qname;
          if (b.startsWith(q.slice(0, n - lt - 2), lt + 2)) {
            const after = lt + 2 + q.length;
            if (after >= n) break;
            if (b.charCodeAt(after) === 0x3e) {
              pos = after + 1;
              if (!this.closeElement(pos) || gen !== this.gen) return;
              continue;
            }
          }
        }
        const end = endTagAt(b, lt, top === undefined ? undefined : top.qname);
        if (end === -1) break;
        pos = end;
        if (!this.closeElement(pos) || gen !== this.gen) return;
      } else if (c === 0x21 /* ! */) {
        const end = this.markup(b, lt);
        if (end === -1) break;
        pos = end;
      } else if (c === 0x3f /* ? */) {
        const end = declarationAt(b, lt, this.absBase + lt === 0);
        if (end === -1) break;
        pos = end;
      } else {
        if (this.depth === this.topDepth) {
          this.topStart = this.absBase + lt;
          this.setRegion(b, lt);
        }
        startTag(t, this.absBase + lt, lt + 1);
        if (!scanStartTag(b, t, idx, this)) {
          this.pending = true;
          pos = lt;
          break;
        }
        if (this.absBase + t.end - t.startAbs > this.max) this.tooBig();
        pos = t.end;
        if (!this.openElement() || gen !== this.gen) return;
      }
    }
    // Keep what is not consumed, rebased to 0. Of a split start tag only the attribute being
    // scanned is kept (earlier ones are parsed), so buffering stays linear.
    const keep = this.pending ? t.p : pos;
    if (this.pending) {
      t.p -= keep;
      if (t.valueScan >= 0) t.valueScan -= keep;
    }
    // Always called (slice past the end is ''): a call site that never ran would deoptimise
    // `parse` the first time a chunk ends inside a stanza.
    this.buf = b.slice(keep);
    this.absBase += keep;
    this.region = '';
    this.regionEnd = -1;
    const from = this.topStart >= 0 ? this.topStart : this.pending ? t.startAbs : this.absBase;
    if (this.absBase + this.buf.length - from > this.max) this.tooBig();
  }

  /*
   * The rarer constructs are out of the parse loop (here and in markup.ts): the loop stays small,
   * so it is compiled sooner and at less cost. Each returns the position after what it consumed,
   * or -1 when the buffer ends first (the caller keeps the input from the `<`).
   */

  /** Inside a CDATA section at `pos`: adds its text; clears `inCdata` at its end. */
  private cdata(b: string, pos: number): number {
    const close = b.indexOf(']]>', pos);
    const end = close === -1 ? Math.max(pos, b.length - 2) : close;
    this.text += this.keep(b, pos, end);
    if (close === -1) return end;
    this.inCdata = false;
    return end + 3;
  }

  /** Text from `pos` to the end of the buffer: adds what is complete, returns where the kept tail starts. */
  private tailText(b: string, pos: number): number {
    const end = completeTextEnd(b, pos);
    if (end > pos) this.addText(b, pos, end);
    return end;
  }

  /** `<!` at `lt`: a CDATA section starts (anything else is refused). */
  private markup(b: string, lt: number): number {
    const end = cdataStartAt(b, lt, this.depth > this.topDepth);
    if (end !== -1) this.inCdata = true;
    return end;
  }

  private tooBig(): never {
    fail('policy-violation', `top-level element larger than ${this.max} characters`);
  }

  private addText(b: string, s: number, e: number): void {
    if (this.depth <= this.topDepth) {
      for (let i = s; i < e; i++) {
        if (!isWs(b.charCodeAt(i))) fail('not-well-formed', 'text outside elements');
      }
      return;
    }
    const idx = this.idx;
    if (idx.cdataEnd(s) < e) fail('not-well-formed', ']]> in text');
    this.text += withRefs(this.keep(b, s, e), idx.amp(s) - s);
  }

  /** Resolves `prefix` in `scope`, recording prefixes a top-level element borrows from outside. */
  private resolve(scope: Scope, prefix: string): string {
    if (prefix === 'xml') return XML_NS;
    const d = scope[prefix];
    if (d === undefined) fail('not-well-formed', `undeclared prefix ${prefix}`);
    if (d.level < this.topDepth) {
      const used = (this.usedOuter ??= []);
      if (used.indexOf(prefix) === -1) used.push(prefix);
    }
    return d.uri;
  }

  /**
   * Namespace declarations and prefixed attributes of the tag just scanned: returns its scope,
   * checks every attribute prefix is bound and no two attributes share namespace and local name.
   */
  private declare(attrs: Record<string, string>, scope: Scope, depth: number): Scope {
    let prefixed: string[] | null = null;
    for (const name in attrs) {
      const colon = name.indexOf(':');
      if (colon === -1) continue;
      if (colon === 5 && name.startsWith('xmlns')) {
        const p = name.slice(6);
        const v = attrs[name] as string;
        if (p === 'xmlns' || v === '' || (p === 'xml') !== (v === XML_NS)) {
          fail('not-well-formed', `illegal namespace declaration ${name}`);
        }
        scope = Object.create(scope) as Scope;
        scope[p] = { uri: v, level: depth };
      } else {
        (prefixed ??= []).push(name);
      }
    }
    if (prefixed !== null) {
      const expanded: string[] = [];
      for (const name of prefixed) {
        const colon = name.indexOf(':');
        const key = `${this.resolve(scope, name.slice(0, colon))} ${name.slice(colon + 1)}`;
        if (expanded.indexOf(key) !== -1) fail('not-well-formed', `duplicate attribute ${name} (same namespace)`);
        expanded.push(key);
      }
    }
    return scope;
  }

  private openElement(): boolean {
    const t = this.tag;
    const depth = this.depth;
    const parent = depth > 0 ? (this.frames[depth - 1] as Frame) : undefined;
    const qname = t.qname as string;
    const attrs = t.attrs;
    if (depth === this.topDepth) this.usedOuter = null;
    const defNs = t.xmlns !== null ? t.xmlns : parent !== undefined ? parent.defNs : this.fragments ? 'jabber:client' : '';
    let scope = parent !== undefined ? parent.scope : EMPTY_SCOPE;
    if (t.colon) scope = this.declare(attrs, scope, depth);
    const colon = qname.indexOf(':');
    const ns = colon === -1 ? defNs : this.resolve(scope, qname.slice(0, colon));

    if (!this.fragments && depth === 0) {
      if (qname.slice(colon + 1) !== 'stream') fail('bad-format', `expected stream header, got <${qname}>`);
      if (ns !== STREAM_NS) fail('invalid-namespace', `stream header in namespace "${ns}"`);
      if (!CONTENT_NS.has(defNs)) fail('invalid-namespace', `unsupported content namespace "${defNs}"`);
      this.streamLang = attrs['xml:lang'];
      this.pushFrame(null, qname, defNs, scope);
      if (this.opts.onStreamStart !== undefined) {
        const cb = this.opts.onStreamStart;
        if (!this.safe(() => cb.call(this.opts, { ...attrs }))) return false;
      }
      return t.selfClose ? this.closeElement(t.end) : true;
    }

    const el = new Element(qname);
    el.attrs = attrs;
    if (depth === this.topDepth) {
      if (t.xmlns === null && defNs !== '') attrs.xmlns = defNs;
      if (this.streamLang !== undefined && attrs['xml:lang'] === undefined) attrs['xml:lang'] = this.streamLang;
    } else {
      if (this.text !== '') {
        this.kids.push(this.text);
        this.text = '';
      }
      this.kids.push(el);
      el.parent = (parent as Frame).el as Element;
    }
    this.pushFrame(el, qname, defNs, scope);
    return t.selfClose ? this.closeElement(t.end) : true;
  }

  private pushFrame(el: Element | null, qname: string, defNs: string, scope: Scope): void {
    const f = this.frames[this.depth];
    const kids = this.kids.top;
    if (f === undefined) this.frames.push({ el, qname, defNs, scope, kids });
    else {
      f.el = el;
      f.qname = qname;
      f.defNs = defNs;
      f.scope = scope;
      f.kids = kids;
    }
    this.depth++;
  }

  /** Drops every open element (the frames are kept for reuse, emptied). */
  private clearFrames(): void {
    for (const f of this.frames) {
      f.el = null;
      f.scope = EMPTY_SCOPE;
    }
    this.depth = 0;
    this.kids.clear();
  }

  /** Pops the current element; `end` is the position just after its end tag. */
  private closeElement(end: number): boolean {
    const frame = this.frames[--this.depth] as Frame;
    const el = frame.el;
    frame.el = null;
    frame.scope = EMPTY_SCOPE;
    if (el === null) {
      this.ended = true;
      if (this.opts.onStreamEnd !== undefined) {
        const cb = this.opts.onStreamEnd;
        this.safe(() => cb.call(this.opts));
      }
      return false;
    }
    if (this.text !== '') {
      this.kids.push(this.text);
      this.text = '';
    }
    if (this.kids.top !== frame.kids) el.children = this.kids.take(frame.kids);
    if (this.depth !== this.topDepth) return true;
    this.kids.shrink();
    const size = this.absBase + end - this.topStart;
    if (size > this.max) this.tooBig();
    this.lastTopSize = size;
    this.topStart = -1;
    if (this.usedOuter !== null) {
      const outer = this.frames[this.topDepth - 1] as Frame;
      for (const p of this.usedOuter) {
        const key = `xmlns:${p}`;
        const d = outer.scope[p];
        if (d !== undefined && el.attrs[key] === undefined) el.attrs[key] = d.uri;
      }
      this.usedOuter = null;
    }
    if (this.fragments && el.name === 'open' && el.attrs.xmlns === FRAMING_NS) this.streamLang = el.attrs['xml:lang'];
    const gen = this.gen;
    try {
      this.opts.onElement(el);
    } catch (e) {
      try {
        this.opts.onCallbackError?.(e);
      } catch {
        // ignore: nothing sane left to report to
      }
    }
    return gen === this.gen && !this.dead && !this.ended;
  }
}
