/**
 * Message Archive Management v2 (XEP-0313, `urn:xmpp:mam:2`): the query, the `<result/>`
 * wrapping each archived message in a XEP-0297 `<forwarded/>` with its XEP-0203 `<delay/>`,
 * and the closing `<fin/>` with its RSM page.
 */
import type { Element } from 'ltx';
import { NS } from '../../core/namespaces.js';
import { JID } from '../../core/jid.js';
import { DataFormCodec, FORM_TYPE_VAR, type FormField, findField, formType } from '../../forms/form.js';
import { type Codec, type DecodeOptions, detach, element, optional, required } from '../../xml/codec.js';
import { attr, boolAttr, child, custom, dateAttr, flag, formatDateTime, jidAttr, parseDateTime } from '../../xml/fields.js';
import type { Delay } from '../message.js';
import { type RsmSet, rsmSet } from './rsm.js';

/**
 * The filter of a query (XEP-0313 §4.1), sent as a data form with `FORM_TYPE`
 * `urn:xmpp:mam:2`. `afterId`, `beforeId` and `ids` need the archive to advertise
 * `urn:xmpp:mam:2#extended`.
 */
export interface MamFilter {
  /** Only items from (in a MUC archive) this JID (`with`). */
  with?: JID;
  /** Only items stamped at or after this time (`start`). */
  start?: Date;
  /** Only items stamped at or before this time (`end`). */
  end?: Date;
  /** Only items after the one with this archive id (`after-id`, extended). */
  afterId?: string;
  /** Only items before the one with this archive id (`before-id`, extended). */
  beforeId?: string;
  /** Only the items with these archive ids (`ids`, extended). */
  ids?: string[];
}

/** An archive query `<query xmlns='urn:xmpp:mam:2'/>` (sent in an `<iq type='set'/>`). */
export interface MamQuery {
  /** Echoed in every `<result/>`, so results can be told from those of other queries. */
  queryId?: string;
  /** The pubsub node (XEP-0442); absent for user and MUC archives. */
  node?: string;
  /** The filter form; absent: every item. */
  filter?: MamFilter;
  /** The page wanted. */
  rsm?: RsmSet;
  /** Whether the page is to be sent newest first (`<flip-page/>`, extended). */
  flipPage?: boolean;
}

/** A XEP-0297 `<forwarded/>`: a stanza with the time it was originally received. */
export interface Forwarded {
  /** When the forwarded stanza was originally received. */
  delay?: Delay;
  /**
   * The forwarded `<message xmlns='jabber:client'/>` (a detached copy); absent when the
   * archive withholds a removed message (XEP-0313 §3.2).
   */
  message?: Element;
}

/** A `<result/>`: one archived item of a query, sent in its own `<message/>`. */
export interface MamResult {
  /** The item's archive id (for a MUC archive: the room's XEP-0359 stanza-id). */
  id: string;
  /** The `queryid` of the query this result belongs to. */
  queryId?: string;
  /** The archived message and its time. */
  forwarded: Forwarded;
}

/** The `<fin/>` in the `<iq type='result'/>` that ends a query (or one page of it). */
export interface MamFin {
  /** `true` when this page is the end of the result set; absent or `false`: more pages. */
  complete?: boolean;
  /** `false` when the results may still change (absent means stable). */
  stable?: boolean;
  /** The page returned: `first`, `last`, `count`. */
  rsm?: RsmSet;
}

/** Codec of a XEP-0203 `<delay/>` (a malformed `stamp` makes it malformed). */
export const delay: Codec<Delay> = element<Delay>(NS.DELAY, 'delay', {
  stamp: required(dateAttr('stamp')),
  from: jidAttr('from'),
});

/** Codec of a XEP-0297 `<forwarded/>` holding a `<message/>`. */
export const forwarded: Codec<Forwarded> = element<Forwarded>(NS.FORWARD, 'forwarded', {
  delay: child(delay),
  message: custom<Element | undefined>({
    describe: "<message xmlns='jabber:client'/>",
    claims: (c) => c.getName() === 'message' && c.getNS() === NS.CLIENT,
    decode(el) {
      for (const c of el.getChildElements()) if (c.getName() === 'message' && c.getNS() === NS.CLIENT) return detach(c);
      return undefined;
    },
    encode(el, value) {
      if (value === undefined) return;
      const copy = detach(value);
      copy.attrs.xmlns = NS.CLIENT;
      el.cnode(copy);
    },
  }),
});

/** Codec of `<result xmlns='urn:xmpp:mam:2'/>` (id and forwarded required). */
export const mamResult: Codec<MamResult> = element<MamResult>(NS.MAM, 'result', {
  id: required(attr('id')),
  queryId: attr('queryid'),
  forwarded: required(child(forwarded)),
});

/** Codec of `<fin xmlns='urn:xmpp:mam:2'/>`. */
export const mamFin: Codec<MamFin> = element<MamFin>(NS.MAM, 'fin', {
  complete: boolAttr('complete'),
  stable: boolAttr('stable'),
  rsm: child(rsmSet),
});

const single = (v: string, values: string[]): FormField => ({ var: v, required: false, values, options: [] });

/** The filter as the submitted data form (`FORM_TYPE` first, then the fields given). */
function filterForm(filter: MamFilter): Element {
  const fields: FormField[] = [{ ...single(FORM_TYPE_VAR, [NS.MAM]), type: 'hidden' }];
  if (filter.with !== undefined) fields.push(single('with', [filter.with.toString()]));
  if (filter.start !== undefined) fields.push(single('start', [formatDateTime(filter.start)]));
  if (filter.end !== undefined) fields.push(single('end', [formatDateTime(filter.end)]));
  if (filter.afterId !== undefined) fields.push(single('after-id', [filter.afterId]));
  if (filter.beforeId !== undefined) fields.push(single('before-id', [filter.beforeId]));
  if (filter.ids !== undefined) fields.push(single('ids', filter.ids));
  return DataFormCodec.encode({ type: 'submit', instructions: [], fields, items: [] });
}

/** Read a filter form; fields of other forms, unknown fields and malformed values are dropped. */
function readFilter(el: Element, options: DecodeOptions): MamFilter | undefined {
  const form = DataFormCodec.decode(el, options);
  const type = formType(form);
  if (type !== undefined && type !== NS.MAM) return undefined;
  const filter: MamFilter = {};
  const value = (name: string) => findField(form, name)?.values[0];
  const w = value('with');
  const withJid = w === undefined ? undefined : JID.tryParse(w);
  if (withJid !== undefined) filter.with = withJid;
  const start = value('start');
  const startDate = start === undefined ? undefined : parseDateTime(start);
  if (startDate !== undefined) filter.start = startDate;
  const end = value('end');
  const endDate = end === undefined ? undefined : parseDateTime(end);
  if (endDate !== undefined) filter.end = endDate;
  const afterId = value('after-id');
  if (afterId !== undefined) filter.afterId = afterId;
  const beforeId = value('before-id');
  if (beforeId !== undefined) filter.beforeId = beforeId;
  const ids = findField(form, 'ids');
  if (ids !== undefined && ids.values.length > 0) filter.ids = [...ids.values];
  return filter;
}

const isForm = (c: Element) => c.getName() === 'x' && c.getNS() === NS.DATA_FORMS;

/**
 * Codec of `<query xmlns='urn:xmpp:mam:2'/>`.
 *
 * @example
 * ```ts
 * const iq = new Element('iq', { type: 'set', to: room.toString() });
 * iq.cnode(mamQuery.encode({ queryId: 'q1', filter: { start: since }, rsm: { max: 25 } }));
 * ```
 */
export const mamQuery: Codec<MamQuery> = element<MamQuery>(NS.MAM, 'query', {
  queryId: attr('queryid'),
  node: attr('node'),
  filter: custom<MamFilter | undefined>({
    describe: "<x xmlns='jabber:x:data'/>",
    claims: isForm,
    decode(el, ctx) {
      const form = el.getChildElements().find(isForm);
      if (form === undefined) return undefined;
      try {
        return readFilter(form, { logger: ctx.logger });
      } catch (error) {
        ctx.logger.debug('dropping malformed MAM filter form', { path: ctx.path, error });
        return undefined;
      }
    },
    encode(el, filter) {
      if (filter !== undefined) el.cnode(filterForm(filter));
    },
  }),
  rsm: child(rsmSet),
  flipPage: optional(flag('flip-page')),
});
