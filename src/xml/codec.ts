import { Element } from 'ltx';
import { PayloadError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';

/**
 * What a {@link Field} gets while decoding: the logger to report lenient drops to, the
 * namespace of the element being decoded (the default for child names), and a path for
 * messages (`x/item`).
 */
export interface DecodeContext {
  /** Where lenient drops of malformed optional values are reported (debug level). */
  readonly logger: Logger;
  /** The namespace of the element being decoded: the default for child element names. */
  readonly ns: string;
  /** Where in the payload decoding is, for log and error messages (`x/item`). */
  readonly path: string;
}

/** What a {@link Field} gets while encoding: the namespace of the element being built. */
export interface EncodeContext {
  /** The namespace of the element being built: the default for child element names. */
  readonly ns: string;
}

/**
 * One property of a payload: how to read it from an element and write it into one.
 * `decode` returns `undefined` (or an empty value) for an absent optional part and never
 * throws for malformed optional input (it logs at debug level instead); `encode` writes
 * nothing for `undefined`. Build fields with the helpers in `fields.ts`.
 */
export interface Field<T> {
  /** Read the value from `el`. */
  readonly decode: (el: Element, ctx: DecodeContext) => T;
  /** Write the value into `el` (attributes, or children appended in field order). */
  readonly encode: (el: Element, value: T, ctx: EncodeContext) => void;
  /** Whether a child element belongs to this field (so {@link extra} leaves it out). */
  readonly claims?: ((child: Element, ctx: DecodeContext) => boolean) | undefined;
  /** A short description for error messages (`attribute 'jid'`, `<item/>`). */
  readonly describe: string;
  /** @internal Set on the field built by `extra()`. */
  readonly isExtra?: boolean;
}

/** The field map of a codec: one field per property of `T`, optional ones included. */
export type Fields<T> = { [K in keyof Required<T>]: Field<T[K]> };

/** Options of {@link Codec.decode}. */
export interface DecodeOptions {
  /** Where lenient drops of malformed optional values are reported (debug level). */
  logger?: Logger | undefined;
}

/**
 * A typed two-way mapping between `T` and one XML element `<name xmlns=ns/>`.
 */
export interface Codec<T> {
  /** The element's namespace. */
  readonly ns: string;
  /** The element's local name. */
  readonly name: string;
  /** Whether `el` is this codec's element (local name and namespace). */
  matches(el: Element): boolean;
  /**
   * Decode `el`. Lenient: a malformed or unknown optional value becomes `undefined` (logged
   * at debug level). Throws {@link PayloadError} when `el` is not this codec's element or a
   * required part is missing or malformed.
   */
  decode(el: Element, options?: DecodeOptions): T;
  /** Build the element for `value` (strict: `undefined` properties are omitted). */
  encode(value: T): Element;
  /** Decode the first child of `parent` that {@link matches}, or `undefined`; throws like {@link decode}. */
  findIn(parent: Element, options?: DecodeOptions): T | undefined;
  /** Decode every child of `parent` that {@link matches}, in document order; throws like {@link decode}. */
  findAllIn(parent: Element, options?: DecodeOptions): T[];
}

/** Whether `el` has local name `name` in namespace `ns`. */
export function isElement(el: Element, name: string, ns: string): boolean {
  return el.getName() === name && el.getNS() === ns;
}

/**
 * Declare the codec of the element `<name xmlns=ns/>` holding a `T`. The field map must name
 * every property of `T` (optional ones too), each with a field of exactly that property's
 * type, so a missing, misspelled or mistyped field does not compile.
 *
 * @example
 * ```ts
 * interface Item { jid: JID; name?: string }
 * const itemCodec = element<Item>(NS.DISCO_ITEMS, 'item', { jid: required(jidAttr('jid')), name: attr('name') });
 * ```
 */
export function element<T>(ns: string, name: string, fields: Fields<T>): Codec<T> {
  const entries = Object.entries(fields) as [string, Field<unknown>][];
  const extraEntry = entries.find(([, f]) => f.isExtra);
  const claimers = entries.filter(([, f]) => f.claims !== undefined).map(([, f]) => f);

  const codec: Codec<T> = {
    ns,
    name,
    matches: (el) => isElement(el, name, ns),
    decode(el, options = {}) {
      if (!codec.matches(el)) {
        throw new PayloadError(`Expected <${name} xmlns='${ns}'/>, got <${el.getName()} xmlns='${String(el.getNS())}'/>`);
      }
      const ctx: DecodeContext = { logger: options.logger ?? silentLogger, ns, path: name };
      const out: Record<string, unknown> = {};
      for (const [key, field] of entries) {
        if (field === extraEntry?.[1]) continue;
        const value = field.decode(el, ctx);
        if (value !== undefined) out[key] = value;
      }
      if (extraEntry) {
        const foreign = el.getChildElements().filter((c) => !claimers.some((f) => f.claims!(c, ctx)));
        if (foreign.length > 0) out[extraEntry[0]] = foreign.map(detach);
      }
      return out as T;
    },
    encode(value) {
      const el = new Element(name, { xmlns: ns });
      const ctx: EncodeContext = { ns };
      const record = value as Record<string, unknown>;
      for (const [key, field] of entries) {
        const v = record[key];
        if (v !== undefined) field.encode(el, v, ctx);
      }
      return el;
    },
    findIn(parent, options) {
      for (const c of parent.getChildElements()) if (codec.matches(c)) return codec.decode(c, options);
      return undefined;
    },
    findAllIn(parent, options) {
      const out: T[] = [];
      for (const c of parent.getChildElements()) if (codec.matches(c)) out.push(codec.decode(c, options));
      return out;
    },
  };
  return codec;
}

/**
 * Make a field required: decoding throws {@link PayloadError} when it yields `undefined`
 * (absent, or malformed and dropped). The field's type loses `undefined`.
 */
export function required<T>(field: Field<T | undefined>): Field<T> {
  return {
    describe: field.describe,
    claims: field.claims,
    decode(el, ctx) {
      const value = field.decode(el, ctx);
      if (value === undefined) throw new PayloadError(`<${ctx.path}/>: missing or malformed ${field.describe}`);
      return value;
    },
    encode: field.encode as (el: Element, value: T, ctx: EncodeContext) => void,
  };
}

/**
 * Widen a field to accept `undefined` (for an optional property whose field never yields
 * `undefined`, such as `flag()`): decoding is unchanged, `undefined` is not written.
 */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    describe: field.describe,
    claims: field.claims,
    decode: field.decode,
    encode(el, value, ctx) {
      if (value !== undefined) field.encode(el, value, ctx);
    },
  };
}

/**
 * Foreign children: every child element that no other field of the codec claims, kept
 * (detached copies) so a payload survives a round trip. Declare it only where the interface
 * has an `extra?: Element[]` property.
 */
export function extra(): Field<Element[] | undefined> {
  return {
    describe: 'foreign children',
    isExtra: true,
    decode: () => undefined,
    encode(el, value, ctx) {
      for (const child of value ?? []) {
        const copy = detach(child);
        if (copy.attrs.xmlns === ctx.ns) delete copy.attrs.xmlns;
        el.cnode(copy);
      }
    },
  };
}

/**
 * A deep copy of `el` without its parent, carrying its namespace explicitly (so it keeps
 * meaning once detached from the tree it inherited `xmlns` from).
 */
export function detach(el: Element): Element {
  const ns = el.getNS();
  const copy = cloneElement(el);
  if (!copy.attrs.xmlns && ns && !el.name.includes(':')) copy.attrs.xmlns = ns;
  return copy;
}

function cloneElement(el: Element): Element {
  const copy = new Element(el.name, { ...el.attrs });
  for (const c of el.children) copy.children.push(typeof c === 'string' ? c : withParent(cloneElement(c), copy));
  return copy;
}

function withParent(child: Element, parent: Element): Element {
  child.parent = parent;
  return child;
}
