/**
 * {@link ownString}: a copy of a string that shares no memory with a larger one.
 *
 * The stream parser hands out attribute values and texts as slices of a shared copy of the
 * source region (up to a few KiB, see `stream-parser.ts`), and V8 keeps such a slice as a view
 * on its parent string: a 44-character occupant id kept for as long as the occupant stays would
 * keep the whole region alive. Values kept long-term (JID parts, occupant ids, status texts,
 * cache keys) go through {@link ownString} first.
 */

/**
 * A flat copy of `s` that does not keep a larger string alive. Strings under 13 characters are
 * returned as they are (V8 copies those when slicing anyway).
 */
export function ownString(s: string): string {
  // A join builds a new flat string; a slice or a concatenation could be a view on `s`.
  return s.length < 13 ? s : [s.slice(0, 1), s.slice(1)].join('');
}
