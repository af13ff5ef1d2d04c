import type { Element } from 'ltx';
import type { Codec } from '../../src/xml/codec.js';

/**
 * One golden-file case: the XML in `file` (relative to the fixtures folder holding the
 * `cases.ts`) decodes with `codec` to exactly `expected`; with `roundTrip`, encoding that
 * value gives back the same XML (canonical form, whitespace between tags ignored).
 *
 * The file's first line must be a comment naming its source: `<!-- XEP-0004 Example 2 -->`
 * or `<!-- captured: Prosody 0.12.3 -->`. The rest is one XML element: the payload itself,
 * or a stanza holding it (then the first descendant the codec matches is used, unless
 * `select` picks the element).
 */
export interface GoldenCase<T = unknown> {
  file: string;
  codec: Codec<T>;
  expected: T;
  roundTrip?: boolean;
  /** Pick the payload element from the parsed root (default: root or first matching descendant). */
  select?: (root: Element) => Element | undefined;
}

/** Identity helper that checks `expected` against the codec's type. */
export function goldenCase<T>(c: GoldenCase<T>): GoldenCase<T> {
  return c;
}

/** The first-line source comment every fixture must start with. */
export const SOURCE_COMMENT = /^<!--\s*(XEP-\d{4} Example \d+[^>]*|captured: [^>]+?)\s*-->\s*$/;
