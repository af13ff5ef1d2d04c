import type { Element } from 'ltx';
import { NS } from '../core/namespaces.js';
import { type Codec, element, extra, required } from '../xml/codec.js';
import { attr, childText, childTextList, children, custom, enumAttr, flag } from '../xml/fields.js';

/** The field types of XEP-0004 §3.3. */
export const FIELD_TYPES = [
  'boolean',
  'fixed',
  'hidden',
  'jid-multi',
  'jid-single',
  'list-multi',
  'list-single',
  'text-multi',
  'text-private',
  'text-single',
] as const;

/** A XEP-0004 field type. */
export type FieldType = (typeof FIELD_TYPES)[number];

/** The form types of XEP-0004 §3.1. */
export const FORM_TYPES = ['form', 'submit', 'cancel', 'result'] as const;

/** A XEP-0004 form type: `form` (to fill in), `submit`, `cancel`, `result`. */
export type DataFormType = (typeof FORM_TYPES)[number];

/** The `var` of the hidden field naming a form's type (XEP-0068). */
export const FORM_TYPE_VAR = 'FORM_TYPE';

/** One `<option/>` of a list field. */
export interface FormOption {
  /** Human-readable label. */
  label?: string;
  /** The value submitted when chosen. */
  value: string;
}

/**
 * One `<field/>` of a data form. `type` passes unknown values through as strings (absent
 * means `text-single`, XEP-0004 §3.3). Children this model does not know (`<validate/>`
 * of XEP-0122, `<media/>` of XEP-0221) are kept in `extra`, so a form round-trips.
 */
export interface FormField {
  /** The `var` attribute: the field's name (absent only on `fixed` fields). */
  var?: string;
  /** The `type` attribute (absent means `text-single`). */
  type?: FieldType | (string & {});
  /** The `label` attribute: human-readable name. */
  label?: string;
  /** The `<desc/>` child: a natural-language description, e.g. for a tooltip. */
  desc?: string;
  /** Whether the `<required/>` child is present: the field must be filled in. */
  required: boolean;
  /** The `<value/>` children, in order (one for single-valued types). */
  values: string[];
  /** The `<option/>` children of a `list-single` or `list-multi` field. */
  options: FormOption[];
  /** Unknown child elements, kept so that the field round-trips. */
  extra?: Element[];
}

/** A XEP-0004 data form (`<x xmlns='jabber:x:data'/>`). */
export interface DataForm {
  /** The `type` attribute: `form`, `submit`, `cancel` or `result`. */
  type: DataFormType;
  /** The `<title/>` child. */
  title?: string;
  /** The `<instructions/>` children, one entry per element. */
  instructions: string[];
  /** The `<field/>` children, in document order. */
  fields: FormField[];
  /** The column headers of a multi-item result. */
  reported?: FormField[];
  /** The rows of a multi-item result. */
  items: FormField[][];
}

/** Codec of `<option/>`. An option without `<value/>` is dropped. */
export const formOptionCodec: Codec<FormOption> = element<FormOption>(NS.DATA_FORMS, 'option', {
  label: attr('label'),
  value: required(childText('value')),
});

/** Codec of `<field/>` (children written in the XEP-0004 schema order: desc, required, value, option). */
export const formFieldCodec: Codec<FormField> = element<FormField>(NS.DATA_FORMS, 'field', {
  var: attr('var'),
  type: enumAttr('type', FIELD_TYPES),
  label: attr('label'),
  desc: childText('desc'),
  required: flag('required'),
  values: childTextList('value'),
  options: children(formOptionCodec),
  extra: extra(),
});

interface FieldList {
  fields: FormField[];
}

const reportedCodec = element<FieldList>(NS.DATA_FORMS, 'reported', { fields: children(formFieldCodec) });
const itemCodec = element<FieldList>(NS.DATA_FORMS, 'item', { fields: children(formFieldCodec) });

/** Codec of `<x xmlns='jabber:x:data'/>`. A form without a valid `type` is malformed. */
export const dataFormCodec: Codec<DataForm> = element<DataForm>(NS.DATA_FORMS, 'x', {
  type: required(enumAttr('type', FORM_TYPES, { strict: true })),
  title: childText('title'),
  instructions: childTextList('instructions'),
  fields: children(formFieldCodec),
  reported: custom<FormField[] | undefined>({
    describe: '<reported/>',
    claims: (c) => reportedCodec.matches(c),
    decode: (el, ctx) => reportedCodec.findIn(el, { logger: ctx.logger })?.fields,
    encode(el, fields) {
      if (fields === undefined) return;
      const reported = reportedCodec.encode({ fields });
      delete reported.attrs.xmlns;
      el.cnode(reported);
    },
  }),
  items: custom<FormField[][]>({
    describe: '<item/>',
    claims: (c) => itemCodec.matches(c),
    decode: (el, ctx) => itemCodec.findAllIn(el, { logger: ctx.logger }).map((i) => i.fields),
    encode(el, items) {
      for (const fields of items) {
        const item = itemCodec.encode({ fields });
        delete item.attrs.xmlns;
        el.cnode(item);
      }
    },
  }),
});

/**
 * The former name of {@link dataFormCodec}, kept only while `src/muc/room.ts` and
 * `room-stanzas.ts` still use it (being restructured elsewhere); not exported publicly.
 *
 * @deprecated Use {@link dataFormCodec}.
 */
export const DataFormCodec: Codec<DataForm> = dataFormCodec;

/**
 * The form's type as named by its hidden `FORM_TYPE` field (XEP-0068), or `undefined`.
 * A `FORM_TYPE` field of another type than `hidden` does not count (a submitted form may
 * leave the type out).
 */
export function formType(form: DataForm): string | undefined {
  const field = form.fields.find((f) => f.var === FORM_TYPE_VAR && (f.type === undefined || f.type === 'hidden'));
  return field?.values[0];
}

/** The field with `var` in `form`, or `undefined`. */
export function findField(form: DataForm, varName: string): FormField | undefined {
  return form.fields.find((f) => f.var === varName);
}

/** A field with defaults filled in (`required: false`, no values, no options). */
export function formField(init: Partial<FormField> & Pick<FormField, 'var'>): FormField {
  const { var: v, required: req = false, values = [], options = [], ...rest } = init;
  return { var: v, ...rest, required: req, values, options };
}

/** A data form with defaults filled in (no instructions, fields or items). */
export function dataForm(init: Partial<DataForm> & Pick<DataForm, 'type'>): DataForm {
  const { instructions = [], fields = [], items = [], ...rest } = init;
  return { ...rest, instructions, fields, items };
}
