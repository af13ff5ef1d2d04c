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

/** Decodes an all-ASCII chunk. */
function decodeAscii(u8: Uint8Array): string {
  return nodeLatin1 !== undefined ? nodeLatin1.call(u8, 0, u8.length) : (latin1Decoder as TextDecoder).decode(u8);
}

/** What `normalise` must still check: everything (string input), U+FFFE/U+FFFF only (non-ASCII bytes), nothing. */
const CHECK_ALL = 2;
const CHECK_NONCHARS = 1;
const CHECK_NONE = 0;

/**
 * Decodes and checks input chunks. Byte chunks are checked for forbidden C0 controls before
 * decoding; all-ASCII ones (the common case) are decoded as latin1, others by a fatal streaming
 * UTF-8 TextDecoder. Fails (`ParseFailure`, not-well-formed) on invalid UTF-8, lone surrogates
 * and characters XML forbids.
 */
export class InputDecoder {
  private decoder = new TextDecoder('utf-8', { fatal: true });
  /** The UTF-8 decoder may hold the start of a split sequence (the last byte it saw was not ASCII). */
  private utf8Pending = false;
  private heldTail = '';

  /** Forgets all state (new stream). */
  reset(): void {
    this.decoder = new TextDecoder('utf-8', { fatal: true });
    this.utf8Pending = false;
    this.heldTail = '';
  }

  /** The text of `chunk`, possibly minus a held-back last character (completed by the next chunk). */
  decode(chunk: Uint8Array | string): string {
    let text: string;
    let check: number;
    if (typeof chunk === 'string') {
      text = chunk;
      check = CHECK_ALL;
    } else if (checkBytes(chunk) && !this.utf8Pending) {
      text = decodeAscii(chunk);
      check = CHECK_NONE;
    } else {
      try {
        text = this.decoder.decode(chunk, { stream: true });
      } catch {
        fail('not-well-formed', 'invalid UTF-8');
      }
      this.utf8Pending = chunk.length > 0 && (chunk[chunk.length - 1] as number) >= 0x80;
      check = CHECK_NONCHARS;
    }
    return this.normalise(text, check);
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
