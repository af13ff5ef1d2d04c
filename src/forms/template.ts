import type { Element } from 'ltx';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import type { DecodeOptions } from '../xml/codec.js';
import { parseBoolean } from '../xml/fields.js';
import { type DataForm, dataFormCodec, FORM_TYPE_VAR, type FieldType, type FormField, formType as formTypeOf } from './form.js';

/** How one typed property maps to a form field. */
export interface FieldSpec {
  /** The field's `var`. */
  readonly var: string;
  /** The field's type, which decides the property's TypeScript type. */
  readonly type: FieldType;
}

/** The property type for a field type: boolean, JID, string[] for the multi types, else string. */
export type FieldValue<F extends FieldType> = F extends 'boolean'
  ? boolean
  : F extends 'jid-single'
    ? JID
    : F extends 'jid-multi' | 'list-multi' | 'text-multi'
      ? string[]
      : string;

/** A map of property names to field specs, the argument of {@link defineForm}. */
export type FormSpec = Readonly<Record<string, FieldSpec>>;

/** The typed properties of a {@link FormInstance}: `undefined` when the form lacks the field or its value. */
export type FormValues<S extends FormSpec> = { -readonly [K in keyof S]: FieldValue<S[K]['type']> | undefined };

/** Methods every {@link FormInstance} has besides its typed properties. */
export interface FormInstanceMethods<S extends FormSpec> {
  /** The form this instance was made from (not modified by setting properties). */
  readonly form: DataForm;
  /** Whether the original form has the field behind `key`. */
  has(key: keyof S): boolean;
  /** The raw values of a field by `var`: as set, else as in the original form. */
  rawValues(varName: string): string[] | undefined;
  /**
   * The reply to submit: type `submit`, the `FORM_TYPE` field, then every field of the
   * original form that has a `var` (fixed fields and fields without `var` left out), each
   * with its values as set, or as received when unchanged.
   */
  renderReply(): DataForm;
  /** {@link renderReply} as an `<x xmlns='jabber:x:data'/>` element. */
  render(): Element;
}

/**
 * A filled-in form with typed properties: reading converts the field's values, setting
 * validates the value (throwing {@link InvalidArgumentError}) and records it for the reply.
 */
export type FormInstance<S extends FormSpec> = FormValues<S> & FormInstanceMethods<S>;

/** A typed form template made by {@link defineForm}. */
export interface FormTemplate<S extends FormSpec> {
  /** The `FORM_TYPE` this template handles. */
  readonly formType: string;
  /** The property -> field map. */
  readonly spec: S;
  /**
   * Wrap a received form. Throws {@link InvalidArgumentError} when the form names another
   * `FORM_TYPE` (a form without one is accepted).
   */
  fromForm(form: DataForm): FormInstance<S>;
  /**
   * Decode an `<x xmlns='jabber:x:data'/>` element and wrap it; throws `PayloadError` when
   * the element is not a valid form, else like {@link fromForm}.
   */
  fromElement(el: Element, options?: DecodeOptions): FormInstance<S>;
}

const RESERVED = new Set(['form', 'has', 'rawValues', 'renderReply', 'render']);

/**
 * Declare a typed form template (as aioxmpp's `forms.Form` subclasses). Property names
 * `form`, `has`, `rawValues`, `renderReply` and `render` are reserved.
 *
 * @example
 * ```ts
 * const RoomConfig = defineForm('http://jabber.org/protocol/muc#roomconfig', {
 *   roomName: { var: 'muc#roomconfig_roomname', type: 'text-single' },
 *   persistent: { var: 'muc#roomconfig_persistentroom', type: 'boolean' },
 * });
 * const config = RoomConfig.fromForm(form);
 * config.persistent = true;
 * await owner.submit(config.render());
 * ```
 */
export function defineForm<const S extends FormSpec>(formType: string, spec: S): FormTemplate<S> {
  for (const [key, f] of Object.entries(spec)) {
    if (!f.var) throw new InvalidArgumentError(`Form spec '${key}' has no var`);
    if (RESERVED.has(key)) throw new InvalidArgumentError(`Form spec key '${key}' is reserved`);
  }
  const template: FormTemplate<S> = {
    formType,
    spec,
    fromForm(form) {
      const actual = formTypeOf(form);
      if (actual !== undefined && actual !== formType) {
        throw new InvalidArgumentError(`Form is of type '${actual}', expected '${formType}'`);
      }
      return createInstance(formType, spec, form);
    },
    fromElement: (el, options) => template.fromForm(dataFormCodec.decode(el, options)),
  };
  return template;
}

function createInstance<S extends FormSpec>(type: string, spec: S, form: DataForm): FormInstance<S> {
  const changed = new Map<string, string[]>();
  const fieldOf = (varName: string) => form.fields.find((f) => f.var === varName);
  const valuesOf = (varName: string) => changed.get(varName) ?? fieldOf(varName)?.values;

  const methods: FormInstanceMethods<S> = {
    form,
    has: (key) => spec[key] !== undefined && fieldOf(spec[key].var) !== undefined,
    rawValues: (varName) => {
      const v = valuesOf(varName);
      return v === undefined ? undefined : [...v];
    },
    renderReply() {
      const fields: FormField[] = [{ var: FORM_TYPE_VAR, type: 'hidden', required: false, values: [type], options: [] }];
      for (const f of form.fields) {
        if (f.var === undefined || f.var === FORM_TYPE_VAR || f.type === 'fixed') continue;
        fields.push({ var: f.var, required: false, values: [...(valuesOf(f.var) ?? [])], options: [] });
      }
      return { type: 'submit', instructions: [], fields, items: [] };
    },
    render: () => dataFormCodec.encode(methods.renderReply()),
  };

  const instance: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(methods)) {
    Object.defineProperty(instance, name, { value, enumerable: false });
  }
  for (const [key, f] of Object.entries(spec)) {
    Object.defineProperty(instance, key, {
      enumerable: true,
      get: () => {
        const values = valuesOf(f.var);
        return values === undefined ? undefined : fromValues(f.type, values);
      },
      set: (value: unknown) => {
        const field = fieldOf(f.var);
        if (!field) throw new InvalidArgumentError(`The form has no field '${f.var}' (${key})`);
        changed.set(f.var, toValues(key, f.type, field, value));
      },
    });
  }
  return instance as FormInstance<S>;
}

function fromValues(type: FieldType, values: string[]): unknown {
  switch (type) {
    case 'boolean':
      return values[0] === undefined ? false : (parseBoolean(values[0]) ?? false);
    case 'jid-single':
      return JID.tryParse(values[0]);
    case 'jid-multi':
    case 'list-multi':
    case 'text-multi':
      return [...values];
    default:
      return values[0];
  }
}

function toValues(key: string, type: FieldType, field: FormField, value: unknown): string[] {
  if (value === undefined) return [];
  const bad = (why: string) => new InvalidArgumentError(`Invalid value for '${key}' (${field.var}): ${why}`);
  const checkOption = (v: string) => {
    if (field.options.length > 0 && !field.options.some((o) => o.value === v)) {
      throw bad(`'${v}' is not one of the options (${field.options.map((o) => o.value).join(', ')})`);
    }
  };
  const checkLine = (v: unknown) => {
    if (typeof v !== 'string') throw bad('expected a string');
    if (/[\r\n]/.test(v)) throw bad('line breaks are not allowed');
    return v;
  };
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('expected a boolean');
      return [value ? '1' : '0'];
    case 'jid-single': {
      const jid = value instanceof JID ? value : typeof value === 'string' ? JID.tryParse(value) : undefined;
      if (!jid) throw bad('expected a JID');
      return [jid.toString()];
    }
    case 'jid-multi':
    case 'list-multi':
    case 'text-multi': {
      if (!Array.isArray(value)) throw bad('expected an array of strings');
      const out = value.map(checkLine);
      if (type === 'jid-multi') {
        for (const v of out) if (!JID.tryParse(v)) throw bad(`'${v}' is not a JID`);
      }
      if (type === 'list-multi') out.forEach(checkOption);
      return out;
    }
    case 'list-single': {
      const v = checkLine(value);
      checkOption(v);
      return [v];
    }
    default:
      return [checkLine(value)];
  }
}
