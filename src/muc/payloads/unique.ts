/** XEP-0307 unique room names: `<unique xmlns='http://jabber.org/protocol/muc#unique'/>`. */
import { type Codec, element } from '../../xml/codec.js';
import { text } from '../../xml/fields.js';

/** The XEP-0307 namespace (also the disco feature a service advertises). */
export const NS_MUC_UNIQUE = 'http://jabber.org/protocol/muc#unique';

/** `<unique/>`: empty in the request, the room name (a localpart) in the result. */
export interface Unique {
  /** The text content: the unique room name, `''` in a request. */
  name: string;
}

/**
 * Codec of `<unique xmlns='http://jabber.org/protocol/muc#unique'/>`.
 *
 * @example
 * ```ts
 * iq.cnode(uniqueCodec.encode({ name: '' })); // the request
 * ```
 */
export const uniqueCodec: Codec<Unique> = element<Unique>(NS_MUC_UNIQUE, 'unique', {
  name: text(),
});
