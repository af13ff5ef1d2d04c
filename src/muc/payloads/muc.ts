/** The join payload `<x xmlns='http://jabber.org/protocol/muc'/>` (XEP-0045 §7.2). */
import { NS } from '../../core/namespaces.js';
import { type Codec, element } from '../../xml/codec.js';
import { child, childText, dateAttr, intAttr } from '../../xml/fields.js';

/**
 * `<history/>`: how much discussion history to request on join (XEP-0045 §7.2.13). Values
 * mirror the wire: `seconds` is in seconds.
 */
export interface History {
  /** At most this many characters of history (`maxchars`). */
  maxChars?: number;
  /** At most this many messages (`maxstanzas`). */
  maxStanzas?: number;
  /** Only messages of the last `seconds` seconds. */
  seconds?: number;
  /** Only messages since this point in time. */
  since?: Date;
}

/** The `<x xmlns=muc/>` sent in a join presence. */
export interface MucJoin {
  /** History to request. */
  history?: History;
  /** The room password. */
  password?: string;
}

/** Codec of `<history/>`. */
export const history: Codec<History> = element<History>(NS.MUC, 'history', {
  maxChars: intAttr('maxchars'),
  maxStanzas: intAttr('maxstanzas'),
  seconds: intAttr('seconds'),
  since: dateAttr('since'),
});

/**
 * Codec of the join `<x xmlns='http://jabber.org/protocol/muc'/>`.
 *
 * @example
 * ```ts
 * presence.cnode(mucJoin.encode({ password: 'secret', history: { maxStanzas: 20 } }));
 * ```
 */
export const mucJoin: Codec<MucJoin> = element<MucJoin>(NS.MUC, 'x', {
  history: child(history),
  password: childText('password'),
});
