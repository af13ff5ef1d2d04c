import { Element } from 'ltx';
import type { XmppConnection } from '../core/connection.js';
import { PayloadError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import type { Logger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { type DataForm, dataFormCodec } from '../forms/form.js';
import { type Codec, element, required } from '../xml/codec.js';
import { attr, children, custom, jidAttr } from '../xml/fields.js';

/** One `<identity/>` of a disco#info result (XEP-0030 §3.1). */
export interface DiscoIdentity {
  /** The `category` attribute (e.g. `conference`, `server`). */
  category: string;
  /** The `type` attribute within the category (e.g. `text`, `im`). */
  type: string;
  /** The `name` attribute: a human-readable name. */
  name?: string;
  /** The identity's own `xml:lang`, if it has one. */
  lang?: string;
}

/** A disco#info result: identities, features and extended info forms (XEP-0128). */
export interface DiscoInfo {
  /** The node queried, when the reply names one. */
  node?: string;
  /** The `<identity/>` children. */
  identities: DiscoIdentity[];
  /** The `var` of every `<feature/>` child. */
  features: Set<string>;
  /** The extended info data forms (XEP-0128), e.g. `muc#roominfo`. */
  forms: DataForm[];
}

/** One `<item/>` of a disco#items result (XEP-0030 §4.1). */
export interface DiscoItem {
  /** The `jid` attribute: the item's address (e.g. a room). */
  jid: JID;
  /** The `node` attribute, when the item is a node of that entity. */
  node?: string;
  /** The `name` attribute: a human-readable name (e.g. a room's name). */
  name?: string;
}

/** A disco#items result. */
export interface DiscoItems {
  /** The node queried, when the reply names one. */
  node?: string;
  /** The `<item/>` children, in document order. */
  items: DiscoItem[];
}

/** Codec of `<identity/>`; one without `category` or `type` is malformed. */
export const discoIdentityCodec: Codec<DiscoIdentity> = element<DiscoIdentity>(NS.DISCO_INFO, 'identity', {
  category: required(attr('category')),
  type: required(attr('type')),
  name: attr('name'),
  lang: attr('xml:lang'),
});

/** Codec of `<query xmlns='http://jabber.org/protocol/disco#info'/>` (features without `var` are dropped). */
export const discoInfoCodec: Codec<DiscoInfo> = element<DiscoInfo>(NS.DISCO_INFO, 'query', {
  node: attr('node'),
  identities: children(discoIdentityCodec),
  features: custom<Set<string>>({
    describe: '<feature/>',
    claims: (c, ctx) => c.getName() === 'feature' && c.getNS() === ctx.ns,
    decode(el, ctx) {
      const features = new Set<string>();
      for (const c of el.getChildElements()) {
        if (c.getName() !== 'feature' || c.getNS() !== ctx.ns) continue;
        const v = c.attrs.var as unknown;
        if (typeof v === 'string' && v !== '') features.add(v);
        else ctx.logger.debug('dropping <feature/> without var', { path: ctx.path });
      }
      return features;
    },
    encode(el, features) {
      for (const f of features) el.cnode(new Element('feature', { var: f }));
    },
  }),
  forms: children(dataFormCodec),
});

/** Codec of `<item/>` of disco#items; one without a valid `jid` is malformed. */
export const discoItemCodec: Codec<DiscoItem> = element<DiscoItem>(NS.DISCO_ITEMS, 'item', {
  jid: required(jidAttr('jid')),
  node: attr('node'),
  name: attr('name'),
});

/** Codec of `<query xmlns='http://jabber.org/protocol/disco#items'/>`. */
export const discoItemsCodec: Codec<DiscoItems> = element<DiscoItems>(NS.DISCO_ITEMS, 'query', {
  node: attr('node'),
  items: children(discoItemCodec),
});

/** Options of {@link discoInfo} and {@link discoItems}. */
export interface DiscoOptions {
  /** The node to query (XEP-0030 §3.2). */
  node?: string | undefined;
  /** Cancel the query: rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Give up after this long (default: the connection's request timeout): rejects with `TimeoutError`. */
  timeoutMs?: number | undefined;
  /** Where lenient drops of malformed parts of the reply are reported. */
  logger?: Logger | undefined;
}

function toJidString(jid: JID | string): string {
  return typeof jid === 'string' ? JID.parse(jid).toString() : jid.toString();
}

async function query<T>(conn: XmppConnection, jid: JID | string, codec: Codec<T>, options: DiscoOptions): Promise<T> {
  const iq = new Element('iq', { type: 'get', to: toJidString(jid) });
  iq.cnode(new Element('query', options.node === undefined ? { xmlns: codec.ns } : { xmlns: codec.ns, node: options.node }));
  const reply = await conn.request(iq, { signal: options.signal, timeoutMs: options.timeoutMs });
  const result = codec.findIn(reply, { logger: options.logger });
  if (result === undefined) throw new PayloadError(`The reply has no <query xmlns='${codec.ns}'/>`);
  return result;
}

/**
 * Ask `jid` (and optionally one of its nodes) for its identities, features and extended
 * info forms (XEP-0030 §3). Rejects with `StanzaError` (e.g. `item-not-found` for a room
 * that does not exist), `TimeoutError`, `AbortError`, `DisconnectedError`, `PayloadError`
 * for a result without a query, and `InvalidArgumentError` for a malformed JID (nothing is sent).
 *
 * @example
 * ```ts
 * const info = await discoInfo(conn, 'room@conference.example.org');
 * if (info.features.has('muc_passwordprotected')) { ... }
 * ```
 */
export function discoInfo(conn: XmppConnection, jid: JID | string, options: DiscoOptions = {}): Promise<DiscoInfo> {
  return query(conn, jid, discoInfoCodec, options);
}

/**
 * List the items of `jid` (or of one of its nodes), e.g. the rooms of a MUC service
 * (XEP-0030 §4). Rejects like {@link discoInfo}; items without a valid `jid` are dropped.
 */
export async function discoItems(conn: XmppConnection, jid: JID | string, options: DiscoOptions = {}): Promise<DiscoItem[]> {
  return (await query(conn, jid, discoItemsCodec, options)).items;
}
