/** The muc#owner query (XEP-0045 §19.3): room configuration form and room destruction. */
import type { Element } from 'ltx';
import { NS } from '../../core/namespaces.js';
import { type Codec, detach, element } from '../../xml/codec.js';
import { child, childText, custom, jidAttr } from '../../xml/fields.js';
import type { Destroy } from './user.js';

/** `<query xmlns='http://jabber.org/protocol/muc#owner'/>`. */
export interface OwnerQuery {
  /** The XEP-0004 `<x xmlns='jabber:x:data'/>` (configuration form, or its submission), as an element. */
  form?: Element;
  /** A `<destroy/>` request. */
  destroy?: Destroy;
}

/** Codec of muc#owner `<destroy/>` (children in the schema's order: password, then reason). */
export const ownerDestroy: Codec<Destroy> = element<Destroy>(NS.MUC_OWNER, 'destroy', {
  jid: jidAttr('jid'),
  password: childText('password'),
  reason: childText('reason'),
});

const isForm = (c: Element) => c.name === 'x' && c.getNS() === NS.DATA_FORMS;

/**
 * Codec of the muc#owner `<query/>`. The form is kept as a detached element for the forms
 * layer to read.
 *
 * @example
 * ```ts
 * ownerQuery.encode({ destroy: { reason: 'Macbeth doth come.' } });
 * ```
 */
export const ownerQuery: Codec<OwnerQuery> = element<OwnerQuery>(NS.MUC_OWNER, 'query', {
  form: custom<Element | undefined>({
    describe: "<x xmlns='jabber:x:data'/>",
    claims: isForm,
    decode: (el) => {
      const form = el.getChildElements().find(isForm);
      return form === undefined ? undefined : detach(form);
    },
    encode: (el, form) => {
      if (form !== undefined) el.cnode(detach(form));
    },
  }),
  destroy: child(ownerDestroy),
});
