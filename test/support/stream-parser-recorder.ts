/**
 * Test helpers for the stream parser (used by the parser's tests and the benchmark only).
 */
import type { Element } from 'ltx';
import { StreamParser, type StreamParseError, type StreamParserOptions } from '../../src/connection/native/parser/stream-parser.js';

/** Everything a parser reported, in order. */
export interface Recorded {
  /** `start`, `el` (serialised element), `end`, `error:<condition>` in order. */
  events: string[];
  elements: Element[];
  errors: StreamParseError[];
  starts: Record<string, string>[];
  parser: StreamParser;
}

/** Creates a parser that records every callback. */
export function recordingParser(opts: Partial<StreamParserOptions> = {}): Recorded {
  const rec: Recorded = { events: [], elements: [], errors: [], starts: [], parser: undefined as unknown as StreamParser };
  rec.parser = new StreamParser({
    ...opts,
    onStreamStart: (a) => {
      rec.starts.push(a);
      rec.events.push('start');
    },
    onElement: (el) => {
      rec.elements.push(el);
      rec.events.push(el.toString());
    },
    onStreamEnd: () => rec.events.push('end'),
    onError: (e) => {
      rec.errors.push(e);
      rec.events.push(`error:${e.condition}`);
    },
  });
  return rec;
}

/** Parses `input` fed as the given chunks (byte offsets into its UTF-8 encoding). */
export function parseSplit(input: string | Uint8Array, cuts: number[] = [], opts: Partial<StreamParserOptions> = {}): Recorded {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const rec = recordingParser(opts);
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    rec.parser.write(bytes.subarray(prev, cut));
    prev = cut;
  }
  rec.parser.write(bytes.subarray(prev));
  return rec;
}

/** The usual client-side stream header used in tests. */
export const HEADER =
  "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s1' version='1.0'>";
