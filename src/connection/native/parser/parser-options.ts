/**
 * What a `StreamParser` is given (its options and callbacks) and what it reports (the
 * stream error it found). Re-exported by `stream-parser.ts`.
 */
import type { Element } from 'ltx';

/**
 * Stream error conditions (RFC 6120 §4.9.3) the parser can report: `not-well-formed` (XML or
 * namespace well-formedness, invalid UTF-8, unknown entities, forbidden characters),
 * `restricted-xml` (comment, PI, DOCTYPE), `policy-violation` (`maxStanzaBytes` exceeded),
 * `invalid-namespace` (stream header not in the streams namespace, or content namespace other
 * than jabber:client/jabber:server/jabber:component:accept), `bad-format` (stream mode: the
 * first element is not a `stream` header).
 */
export type StreamErrorCondition = 'not-well-formed' | 'restricted-xml' | 'policy-violation' | 'invalid-namespace' | 'bad-format';

/** A fatal error in the incoming stream; `condition` is the stream error to answer with. */
export class StreamParseError extends Error {
  override readonly name = 'StreamParseError';
  /** The RFC 6120 stream error condition. */
  readonly condition: StreamErrorCondition;
  constructor(condition: StreamErrorCondition, message: string) {
    super(message);
    this.condition = condition;
  }
}

/** Options and callbacks of a `StreamParser`. */
export interface StreamParserOptions {
  /**
   * `'stream'` (default): expects a `<stream:stream>` header; its children are emitted.
   * `'fragments'`: RFC 7395 WebSocket; every top-level element (incl. `<open/>`, `<close/>`) is emitted;
   * unqualified elements default to `jabber:client`, and the last `<open/>`'s `xml:lang` is inherited.
   */
  mode?: 'stream' | 'fragments';
  /** Largest top-level element in characters (default 1 MiB); larger -> `policy-violation`. */
  maxStanzaBytes?: number;
  /** Stream mode: the `<stream:stream>` attributes. */
  onStreamStart?(attrs: Record<string, string>): void;
  /** Each complete top-level element. */
  onElement(el: Element): void;
  /** `</stream:stream>` was received; further input is ignored until `reset()`. */
  onStreamEnd?(): void;
  /** The stream is broken; the parser ignores further writes until `reset()`. */
  onError(err: StreamParseError): void;
  /**
   * Copy attribute values and text out of the decoded chunk (default true), so a kept element
   * does not pin a whole 64 KiB chunk in memory: it pins at most a 2 KiB copy of source text.
   * Costs about 5% of parse time; turn it off only if the consumer copies what it keeps.
   */
  copyStrings?: boolean;
  /** A callback above threw; the parser catches it (never throws out of `write`) and reports it here. */
  onCallbackError?(err: unknown): void;
}
