/** XEP-0059 result set management `<set xmlns='http://jabber.org/protocol/rsm'/>`, as disco#items paging uses it. */
import { NS } from '../../core/namespaces.js';
import { type Codec, type Field, element } from '../../xml/codec.js';
import { child, childText, custom, intAttr, optionalText, parseInteger } from '../../xml/fields.js';

/** `<first index/>`: the first item of a page and its index in the whole set. */
export interface RsmFirst {
  /** The item's id (for disco#items of a MUC service: the room JID). */
  id?: string;
  /** The item's position in the whole result set. */
  index?: number;
}

/** `<set/>`: a page request (`max`, `after`, `before`) or a page description (`first`, `last`, `count`). */
export interface RsmSet {
  /** The page size asked for. */
  max?: number;
  /** Ask for the page after this item id. */
  after?: string;
  /** Ask for the page before this item id (`''`: the last page). */
  before?: string;
  /** Ask for the page starting at this index. */
  index?: number;
  /** The page's first item. */
  first?: RsmFirst;
  /** The page's last item id: the `after` of the next page. */
  last?: string;
  /** The size of the whole result set, when the service tells. */
  count?: number;
}

const firstCodec = element<RsmFirst>(NS.RSM, 'first', { id: optionalText(), index: intAttr('index') });

/** A child `<name/>` holding a non-negative integer; a malformed one is dropped (logged). */
function intChild(name: string): Field<number | undefined> {
  const text = childText(name);
  return custom<number | undefined>({
    describe: text.describe,
    claims: text.claims,
    decode(el, ctx) {
      const raw = text.decode(el, ctx);
      if (raw === undefined) return undefined;
      const n = parseInteger(raw);
      if (n !== undefined && n >= 0) return n;
      ctx.logger.debug('dropping malformed RSM number', { path: ctx.path, element: name, value: raw });
      return undefined;
    },
    encode: (el, value, ctx) => text.encode(el, value === undefined ? undefined : String(Math.trunc(value)), ctx),
  });
}

/**
 * Codec of `<set xmlns='http://jabber.org/protocol/rsm'/>`; malformed numbers are dropped (logged).
 *
 * @example
 * ```ts
 * query.cnode(rsmSet.encode({ max: 50, after: 'lastroom@conference.example.org' }));
 * ```
 */
export const rsmSet: Codec<RsmSet> = element<RsmSet>(NS.RSM, 'set', {
  max: intChild('max'),
  after: childText('after'),
  before: childText('before'),
  index: intChild('index'),
  first: child(firstCodec),
  last: childText('last'),
  count: intChild('count'),
});
