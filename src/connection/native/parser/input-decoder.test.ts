import { describe, expect, it } from 'vitest';
import { InputDecoder, completeEnd } from './input-decoder.js';
import { ParseFailure } from './xml-chars.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** The ParseFailure `fn` throws (fails the test when it throws nothing or something else). */
function failure(fn: () => unknown): ParseFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseFailure) return e;
    throw e;
  }
  throw new Error('no ParseFailure');
}

describe('completeEnd', () => {
  it('keeps complete input whole', () => {
    expect(completeEnd(utf8('ab'), 2)).toBe(2);
    expect(completeEnd(utf8('aé'), 3)).toBe(3);
    expect(completeEnd(utf8('a€'), 4)).toBe(4);
    expect(completeEnd(utf8('a😀'), 5)).toBe(5);
    expect(completeEnd(new Uint8Array(0), 0)).toBe(0);
  });

  it('cuts before a sequence the end shortens, counting only up to `end`', () => {
    expect(completeEnd(utf8('aé'), 2)).toBe(1);
    expect(completeEnd(utf8('a€'), 2)).toBe(1);
    expect(completeEnd(utf8('a€'), 3)).toBe(1);
    expect(completeEnd(utf8('a😀'), 2)).toBe(1);
    expect(completeEnd(utf8('a😀'), 4)).toBe(1);
    expect(completeEnd(utf8('😀'), 3)).toBe(0);
  });

  it('leaves stray continuation bytes to the decoder', () => {
    expect(completeEnd(bytes(0x61, 0x80, 0x80, 0x80), 4)).toBe(4);
    expect(completeEnd(bytes(0x80), 1)).toBe(1);
  });
});

describe('InputDecoder', () => {
  it('returns the prefix and the chunk as one string, in every mix of ASCII and not', () => {
    const d = new InputDecoder();
    expect(d.decode(utf8('<a>'))).toBe('<a>');
    expect(d.decode(utf8('x</a>'), '<b>')).toBe('<b>x</a>');
    expect(d.decode(utf8('ü</a>'), '<b>')).toBe('<b>ü</a>');
    expect(d.decode(utf8('x</a>'), '<b>日本')).toBe('<b>日本x</a>');
    expect(d.decode(utf8('😀'), '<b>é')).toBe('<b>é😀');
  });

  it('completes a sequence split between chunks after the prefix, where it was in the stream', () => {
    const d = new InputDecoder();
    const euro = utf8('a€b');
    expect(d.decode(euro.subarray(0, 2))).toBe('a');
    expect(d.decode(euro.subarray(2, 3), 'a')).toBe('a');
    expect(d.decode(euro.subarray(3), 'a')).toBe('a€b');
    // An all-ASCII chunk that completes nothing still goes through the UTF-8 decoder: it fails.
    expect(d.decode(utf8('x'))).toBe('x');
    expect(d.decode(bytes(0xc3))).toBe('');
    expect(failure(() => d.decode(utf8('yz'), 'x')).message).toBe('invalid UTF-8');
  });

  it('puts a held CR after the prefix, and normalises it with the LF that follows', () => {
    const d = new InputDecoder();
    expect(d.decode(utf8('<a>x\r'))).toBe('<a>x');
    expect(d.decode(utf8('\ny\rz'), '<a>x')).toBe('<a>x\ny\nz');
    expect(d.decode(utf8('q\r'))).toBe('q');
    expect(d.decode(utf8('ü'), 'p')).toBe('p\nü');
  });

  it('drops a BOM only where the byte stream starts, also when it is split', () => {
    const bom = utf8('\uFEFF<s>');
    const d = new InputDecoder();
    expect(d.decode(bom.subarray(0, 1))).toBe('');
    expect(d.decode(bom.subarray(1, 2))).toBe('');
    expect(d.decode(bom.subarray(2))).toBe('<s>');
    // Later, U+FEFF is a character (ZWNBSP) like any other: at a chunk's start, with or without a prefix.
    expect(d.decode(utf8('\uFEFFx'))).toBe('\uFEFFx');
    expect(d.decode(utf8('\uFEFFy'), 'x')).toBe('x\uFEFFy');
    d.reset();
    expect(d.decode(utf8('\uFEFF<s>'))).toBe('<s>');
    const ascii = new InputDecoder();
    expect(ascii.decode(utf8('<s>'))).toBe('<s>');
    expect(ascii.decode(utf8('\uFEFFz'))).toBe('\uFEFFz');
  });

  it('fails on invalid UTF-8, forbidden characters and noncharacters, prefix or not', () => {
    expect(failure(() => new InputDecoder().decode(bytes(0x61, 0xff, 0x62), 'p')).message).toBe('invalid UTF-8');
    expect(failure(() => new InputDecoder().decode(bytes(0x61, 0x01), 'p')).message).toBe('forbidden character');
    expect(failure(() => new InputDecoder().decode(utf8('a\uFFFE'), 'p')).message).toBe('forbidden character');
    expect(failure(() => new InputDecoder().decode(utf8('a\uFFFF'))).message).toBe('forbidden character');
  });

  it('fails when text follows an unfinished sequence, or bytes follow a held high surrogate', () => {
    const d = new InputDecoder();
    expect(d.decode(bytes(0x61, 0xe2, 0x82))).toBe('a');
    expect(failure(() => d.decode('b')).message).toBe('invalid UTF-8');
    const s = new InputDecoder();
    expect(s.decode('x\uD83D')).toBe('x');
    expect(failure(() => s.decode(utf8('y'), 'x')).message).toBe('lone surrogate');
    const t = new InputDecoder();
    expect(t.decode('x\uD83D')).toBe('x');
    expect(t.decode('\uDE00', 'x')).toBe('x😀');
  });

  it('forgets a carried sequence and a held CR on reset', () => {
    const d = new InputDecoder();
    expect(d.decode(bytes(0x61, 0xc3))).toBe('a');
    d.reset();
    expect(d.decode(utf8('<s>'))).toBe('<s>');
    expect(d.decode(utf8('b\r'))).toBe('b');
    d.reset();
    expect(d.decode(utf8('x'), 'p')).toBe('px');
  });

  it('puts long prefixes and large chunks together, in the shared buffer or one of their own', () => {
    const d = new InputDecoder();
    const prefix = 'é'.repeat(20_000);
    const chunk = `${'a'.repeat(70_000)}ü`;
    expect(d.decode(utf8(chunk), prefix)).toBe(prefix + chunk);
    // Over 1 MiB: a buffer for this call only; the next, smaller one uses the shared buffer again.
    const huge = `${'€'.repeat(400_000)}z`;
    expect(d.decode(utf8(huge), 'p')).toBe(`p${huge}`);
    expect(d.decode(utf8('ü'), 'q')).toBe('qü');
  });

  it('keeps the state of decoders that share the buffer apart', () => {
    const a = new InputDecoder();
    const b = new InputDecoder();
    const euro = utf8('€');
    expect(a.decode(euro.subarray(0, 1))).toBe('');
    expect(b.decode(euro.subarray(0, 2))).toBe('');
    expect(a.decode(euro.subarray(1, 2), 'A')).toBe('A');
    expect(b.decode(euro.subarray(2), 'B')).toBe('B€');
    expect(a.decode(euro.subarray(2), 'A')).toBe('A€');
  });
});
