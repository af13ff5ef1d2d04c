/** Result Set Management `<set xmlns='http://jabber.org/protocol/rsm'/>` (XEP-0059). */
import { NS } from '../../core/namespaces.js';
import { type Codec, type Field, element } from '../../xml/codec.js';
import { child, childText, intAttr, parseInteger, text } from '../../xml/fields.js';

/** RSM `<first index='…'>id</first>`: the id of the first item of a page, and its position. */
export interface RsmFirst {
  /** The id of the first item of the page. */
  id: string;
  /** The item's position in the whole result set (optional in replies). */
  index?: number;
}

/**
 * An RSM `<set/>`: in a request, the page wanted (`max` items `after` or `before` an id,
 * or at `index`); in a reply, the page returned (`first`, `last`, the total `count`).
 * Counts are integers as on the wire; the ids are opaque strings.
 */
export interface RsmSet {
  /** Request: at most this many items (`<max/>`). */
  max?: number;
  /** Request: the page after this id (`<after/>`). */
  after?: string;
  /** Request: the page before this id (`<before/>`); `''` (an empty `<before/>`) asks for the last page. */
  before?: string;
  /** Request: the page starting at this position (`<index/>`). */
  index?: number;
  /** Reply: the first item of the page. */
  first?: RsmFirst;
  /** Reply: the id of the last item of the page (`<last/>`). */
  last?: string;
  /** Reply: how many items the whole result set holds (`<count/>`). */
  count?: number;
}

/** Codec of RSM `<first/>`. */
export const rsmFirst: Codec<RsmFirst> = element<RsmFirst>(NS.RSM, 'first', {
  id: text(),
  index: intAttr('index'),
});

/** A non-negative integer child `<name/>`; a malformed value is dropped (logged at debug level). */
function intChild(name: string): Field<number | undefined> {
  const inner = childText(name);
  return {
    describe: inner.describe,
    claims: inner.claims,
    decode(el, ctx) {
      const raw = inner.decode(el, ctx);
      if (raw === undefined) return undefined;
      const n = parseInteger(raw);
      if (n !== undefined && n >= 0) return n;
      ctx.logger.debug('dropping malformed RSM number', { path: ctx.path, element: name, value: raw });
      return undefined;
    },
    encode(el, value, ctx) {
      inner.encode(el, value === undefined ? undefined : String(Math.trunc(value)), ctx);
    },
  };
}

/**
 * Codec of RSM `<set/>`.
 *
 * @example
 * ```ts
 * query.cnode(rsmSet.encode({ max: 25, after: '09af3-cc343-b409f' }));
 * ```
 */
export const rsmSet: Codec<RsmSet> = element<RsmSet>(NS.RSM, 'set', {
  max: intChild('max'),
  after: childText('after'),
  before: childText('before'),
  index: intChild('index'),
  first: child(rsmFirst),
  last: childText('last'),
  count: intChild('count'),
});
