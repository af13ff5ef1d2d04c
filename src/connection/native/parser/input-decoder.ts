/**
 * Input layer of the stream parser: turns byte chunks (UTF-8, split anywhere) or strings into
 * checked, line-end-normalised text. Browser-safe (no `node:` imports; Node's Buffer latin1
 * decoder is used only when the global is there).
 */
import { FORBIDDEN_CHAR_RE, checkBytes, fail } from './xml-chars.js';

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
/** Node's Buffer latin1 decoder (much faster than TextDecoder), when present; browsers use TextDecoder. */
const nodeLatin1 = (globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype.latin1Slice;
const latin1Decoder = nodeLatin1 === undefined ? new TextDecoder('latin1') : null;
const encoder = new TextEncoder();

/** Decodes the all-ASCII bytes `u8[0, end)`. */
function decodeAscii(u8: Uint8Array, end: number): string {
  return nodeLatin1 !== undefined
    ? nodeLatin1.call(u8, 0, end)
    : (latin1Decoder as TextDecoder).decode(end === u8.length ? u8 : u8.subarray(0, end));
}

/**
 * Where the UTF-8 bytes `u8[0, end)` stop being complete: `end`, or the start of a sequence
 * that the end cuts short (its lead byte announces more bytes than follow). Invalid bytes are
 * left to the decoder.
 */
export function completeEnd(u8: Uint8Array, end: number): number {
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const b = u8[i] as number;
    if (b < 0x80) return end;
    if (b >= 0xc0) return end - i < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? i : end;
  }
  return end;
}

/** What `normalise` must still check: everything (string input), U+FFFE/U+FFFF only (non-ASCII bytes), nothing. */
const CHECK_ALL = 2;
const CHECK_NONCHARS = 1;
const CHECK_NONE = 0;

const STREAM = { stream: true };

/** A fatal UTF-8 decoder that keeps a BOM (`finish` drops one only where the stream starts). */
function newDecoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

/** A BOM is dropped only where the byte stream starts. */
const BOM = 0xfeff;

/**
 * Where a prefix, a carried sequence and a chunk are put together: one buffer for every decoder
 * (decoding runs no other code, so it is never used twice at once), kept up to {@link KEEP_MAX}
 * bytes; a larger need gets a buffer of its own, for that call only.
 */
let shared = new Uint8Array(0);
const KEEP_MAX = 1 << 20;

function scratchFor(need: number): Uint8Array {
  if (shared.length >= need) return shared;
  if (need > KEEP_MAX) return new Uint8Array(need);
  shared = new Uint8Array(Math.min(KEEP_MAX, Math.max(need, shared.length * 2)));
  return shared;
}

/**
 * Decodes and checks input chunks. Byte chunks are checked for forbidden C0 controls before
 * decoding; all-ASCII ones (the common case) are decoded as latin1, others by a fatal UTF-8
 * TextDecoder, a sequence split by the chunk's end being held for the next chunk. Fails
 * (`ParseFailure`, not-well-formed) on invalid UTF-8, lone surrogates and characters XML forbids.
 *
 * A byte chunk can be decoded after a prefix (the parser's unparsed tail): the prefix is encoded
 * again and decoded with the chunk, so the result is one flat string without a second copy of
 * the whole read (joining two strings copies both).
 */
export class InputDecoder {
  private decoder = newDecoder();
  /** The start of a UTF-8 sequence the last chunk ended in (0–3 bytes). */
  private readonly carry = new Uint8Array(4);
  private carryLen = 0;
  private heldTail = '';
  private atStart = true;

  /** Forgets all state (new stream). */
  reset(): void {
    this.decoder = newDecoder();
    this.carryLen = 0;
    this.heldTail = '';
    this.atStart = true;
  }

  /**
   * `prefix` (already decoded and checked text) followed by the text of `chunk`, possibly minus a
   * held-back last character (completed by the next chunk), as one flat string.
   */
  decode(chunk: Uint8Array | string, prefix = ''): string {
    if (typeof chunk === 'string') {
      // The start of a UTF-8 sequence from the last byte chunk cannot be completed by text.
      if (this.carryLen !== 0) fail('not-well-formed', 'invalid UTF-8');
      this.atStart = false;
      const text = this.normalise(chunk, CHECK_ALL);
      return prefix.length === 0 ? text : [prefix, text].join('');
    }
    const held = this.heldTail;
    // A high surrogate held from a string chunk: bytes cannot complete it (UTF-8 has no surrogates).
    if (held.length !== 0 && held !== '\r') fail('not-well-formed', 'lone surrogate');
    const ascii = checkBytes(chunk);
    if (prefix.length === 0 && this.carryLen === 0) {
      return this.finish(ascii ? decodeAscii(chunk, chunk.length) : this.utf8(chunk, chunk.length), ascii);
    }
    const n = chunk.length;
    // A UTF-16 code unit takes at most 3 bytes of UTF-8; 1 for a held CR.
    const s = scratchFor(prefix.length * 3 + 1 + this.carryLen + n);
    let w = prefix.length === 0 ? 0 : encoder.encodeInto(prefix, s).written;
    const asciiPrefix = w === prefix.length;
    if (prefix.length !== 0 && held.length !== 0) {
      // The held CR comes after the prefix, before the chunk (normalise would put it first).
      s[w++] = 0x0d;
      this.heldTail = '';
    }
    const carried = this.carryLen;
    for (let i = 0; i < carried; i++) s[w++] = this.carry[i] as number;
    this.carryLen = 0;
    s.set(chunk, w);
    w += n;
    const one = ascii && asciiPrefix && carried === 0;
    return this.finish(one ? decodeAscii(s, w) : this.utf8(s, w), one);
  }

  /** Decodes the UTF-8 bytes `u8[0, end)`, carrying a sequence the end cuts short. */
  private utf8(u8: Uint8Array, end: number): string {
    const cut = completeEnd(u8, end);
    for (let i = cut; i < end; i++) this.carry[this.carryLen++] = u8[i] as number;
    try {
      // Stream mode, although the input ends on a sequence boundary and so nothing is held:
      // Node's one-shot UTF-8 path makes the string through V8's decoder, about twice as slow.
      return this.decoder.decode(cut === u8.length ? u8 : u8.subarray(0, cut), STREAM);
    } catch {
      fail('not-well-formed', 'invalid UTF-8');
    }
  }

  /** Drops a BOM where the byte stream starts, then normalises and checks. */
  private finish(text: string, ascii: boolean): string {
    let t = text;
    if (this.atStart && t.length !== 0) {
      this.atStart = false;
      if (t.charCodeAt(0) === BOM) t = t.slice(1);
    }
    return this.normalise(t, ascii ? CHECK_NONE : CHECK_NONCHARS);
  }

  /**
   * Line-end normalisation (XML §2.11) and character checks (`check`: what `checkBytes` did not
   * already cover); holds back a trailing CR or high surrogate.
   */
  private normalise(input: string, check: number): string {
    let text = this.heldTail.length ? this.heldTail + input : input;
    this.heldTail = '';
    const last = text.charCodeAt(text.length - 1);
    if (last === 0x0d || (check === CHECK_ALL && last >= 0xd800 && last <= 0xdbff)) {
      this.heldTail = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
    if (check === CHECK_ALL) {
      if (FORBIDDEN_CHAR_RE.test(text)) fail('not-well-formed', 'forbidden character');
      if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) fail('not-well-formed', 'lone surrogate');
    } else if (check === CHECK_NONCHARS && (text.indexOf('\uFFFE') !== -1 || text.indexOf('\uFFFF') !== -1)) {
      fail('not-well-formed', 'forbidden character');
    }
    return text;
  }
}
