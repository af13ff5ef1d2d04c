import { Element } from 'ltx';
import { JID } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import type { Codec, DecodeContext, EncodeContext, Field } from './codec.js';

/** An attribute value as a string, or `undefined` when absent. */
function rawAttr(el: Element, name: string): string | undefined {
  const v = el.attrs[name] as unknown;
  if (v === undefined || v === null) return undefined;
  return String(v);
}

/** Build an attribute field from a parser and a formatter. */
function attrField<T>(name: string, parse: (raw: string) => T | undefined, format: (v: T) => string): Field<T | undefined> {
  return {
    describe: `attribute '${name}'`,
    decode(el, ctx) {
      const raw = rawAttr(el, name);
      if (raw === undefined) return undefined;
      const value = parse(raw);
      if (value === undefined) ctx.logger.debug('dropping malformed attribute', { path: ctx.path, attribute: name, value: raw });
      return value;
    },
    encode(el, value) {
      if (value !== undefined) el.attrs[name] = format(value);
    },
  };
}

/** A string attribute (`xml:lang` works too). */
export function attr(name: string): Field<string | undefined> {
  return attrField(
    name,
    (raw) => raw,
    (v) => v,
  );
}

/** An integer attribute (decimal, optional sign); a non-integer value is dropped. */
export function intAttr(name: string): Field<number | undefined> {
  return attrField(name, parseInteger, (v) => String(Math.trunc(v)));
}

/** A boolean attribute: `true`/`1` and `false`/`0` (XML Schema boolean); written as `true`/`false`. */
export function boolAttr(name: string): Field<boolean | undefined> {
  return attrField(name, parseBoolean, (v) => (v ? 'true' : 'false'));
}

/** An XEP-0082 DateTime attribute as a `Date`; written in UTC, with milliseconds only when non-zero. */
export function dateAttr(name: string): Field<Date | undefined> {
  return attrField(name, parseDateTime, formatDateTime);
}

/** A JID attribute (parsed with `JID.tryParse`; a malformed JID is dropped). */
export function jidAttr(name: string): Field<JID | undefined> {
  return attrField(
    name,
    (raw) => JID.tryParse(raw),
    (v) => v.toString(),
  );
}

/**
 * An attribute with a known set of values. By default an unknown value passes through as
 * a string (so new protocol values are not lost); with `{ strict: true }` it is dropped
 * (`undefined`, logged at debug level).
 */
export function enumAttr<const V extends string>(name: string, values: readonly V[]): Field<V | (string & {}) | undefined>;
export function enumAttr<const V extends string>(name: string, values: readonly V[], options: { strict: true }): Field<V | undefined>;
export function enumAttr<const V extends string>(
  name: string,
  values: readonly V[],
  options?: { strict?: boolean },
): Field<string | undefined> {
  // A known value is returned as the constant itself: the objects that keep it share one string.
  const known = new Map<string, string>(values.map((v) => [v, v]));
  const strict = options?.strict === true;
  return attrField(
    name,
    (raw) => known.get(raw) ?? (strict ? undefined : raw),
    (v) => v,
  );
}

/** The element's own text content (`''` when it has none; nothing is written for `''`). */
export function text(): Field<string> {
  return {
    describe: 'text content',
    decode: (el) => el.getText(),
    encode(el, value) {
      if (value !== '') el.t(value);
    },
  };
}

/** The element's own text content, or `undefined` when it has none. */
export function optionalText(): Field<string | undefined> {
  return {
    describe: 'text content',
    decode: (el) => {
      const t = el.getText();
      return t === '' ? undefined : t;
    },
    encode(el, value) {
      if (value !== undefined && value !== '') el.t(value);
    },
  };
}

/** Children named `name` in namespace `ns` (default: the codec's own namespace). */
function childrenNamed(el: Element, name: string, ns: string): Element[] {
  return el.getChildElements().filter((c) => c.getName() === name && c.getNS() === ns);
}

/** A child element to append in the right namespace: no `xmlns` when it is the parent's. */
function newChild(el: Element, name: string, ns: string | undefined, ctx: EncodeContext): Element {
  const child = new Element(name, ns === undefined || ns === ctx.ns ? {} : { xmlns: ns });
  el.cnode(child);
  return child;
}

function claimsName(name: string, ns: string | undefined) {
  return (child: Element, ctx: DecodeContext) => child.getName() === name && child.getNS() === (ns ?? ctx.ns);
}

/** The text of the first child `<name/>` (`''` for an empty child, `undefined` when absent). */
export function childText(name: string, ns?: string): Field<string | undefined> {
  return {
    describe: `<${name}/>`,
    claims: claimsName(name, ns),
    decode(el, ctx) {
      const child = childrenNamed(el, name, ns ?? ctx.ns)[0];
      return child === undefined ? undefined : child.getText();
    },
    encode(el, value, ctx) {
      if (value === undefined) return;
      const child = newChild(el, name, ns, ctx);
      if (value !== '') child.t(value);
    },
  };
}

/** The texts of every child `<name/>`, in order (empty array when none). */
export function childTextList(name: string, ns?: string): Field<string[]> {
  return {
    describe: `<${name}/>`,
    claims: claimsName(name, ns),
    decode: (el, ctx) => childrenNamed(el, name, ns ?? ctx.ns).map((c) => c.getText()),
    encode(el, values, ctx) {
      for (const value of values) {
        const child = newChild(el, name, ns, ctx);
        if (value !== '') child.t(value);
      }
    },
  };
}

/** Whether an (empty) child `<name/>` is present; written only when `true`. */
export function flag(name: string, ns?: string): Field<boolean> {
  return {
    describe: `<${name}/>`,
    claims: claimsName(name, ns),
    decode: (el, ctx) => childrenNamed(el, name, ns ?? ctx.ns).length > 0,
    encode(el, value, ctx) {
      if (value) newChild(el, name, ns, ctx);
    },
  };
}

/**
 * Every child `<name/>` as a {@link LanguageMap} keyed by its language (`xml:lang`, inherited
 * through ancestors; `null` when none). The first child of a language wins. Written with an
 * `xml:lang` for every non-null key.
 */
export function langMap(name: string, ns?: string): Field<LanguageMap> {
  return {
    describe: `<${name}/>`,
    claims: claimsName(name, ns),
    decode(el, ctx) {
      const map = new LanguageMap();
      for (const child of childrenNamed(el, name, ns ?? ctx.ns)) {
        const lang = LanguageMap.langOf(child);
        if (map.has(lang)) ctx.logger.debug('dropping duplicate language', { path: ctx.path, element: name, lang });
        else map.set(lang, child.getText());
      }
      return map;
    },
    encode(el, map, ctx) {
      for (const [lang, value] of map) {
        const child = newChild(el, name, ns, ctx);
        if (lang !== null) child.attrs['xml:lang'] = lang;
        if (value !== '') child.t(value);
      }
    },
  };
}

/**
 * The first child matching `codec`, decoded; a malformed one is dropped (`undefined`,
 * logged). Wrap in `required()` to make it mandatory.
 */
export function child<T>(codec: Codec<T>): Field<T | undefined> {
  return {
    describe: `<${codec.name} xmlns='${codec.ns}'/>`,
    claims: (c) => codec.matches(c),
    decode(el, ctx) {
      for (const c of el.getChildElements()) {
        if (!codec.matches(c)) continue;
        return decodeLenient(codec, c, ctx);
      }
      return undefined;
    },
    encode(el, value, ctx) {
      if (value !== undefined) el.cnode(encodeChild(codec, value, ctx));
    },
  };
}

/** Every child matching `codec`, decoded in order; malformed ones are dropped (logged). */
export function children<T>(codec: Codec<T>): Field<T[]> {
  return {
    describe: `<${codec.name} xmlns='${codec.ns}'/>`,
    claims: (c) => codec.matches(c),
    decode(el, ctx) {
      const out: T[] = [];
      for (const c of el.getChildElements()) {
        if (!codec.matches(c)) continue;
        const v = decodeLenient(codec, c, ctx);
        if (v !== undefined) out.push(v);
      }
      return out;
    },
    encode(el, values, ctx) {
      for (const v of values) el.cnode(encodeChild(codec, v, ctx));
    },
  };
}

/**
 * A field built from plain functions, for the odd case the helpers do not cover. `claims`
 * says which children it reads (so `extra()` leaves them out).
 */
export function custom<T>(spec: {
  describe: string;
  decode: (el: Element, ctx: DecodeContext) => T;
  encode: (el: Element, value: T, ctx: EncodeContext) => void;
  claims?: (child: Element, ctx: DecodeContext) => boolean;
}): Field<T> {
  return { ...spec };
}

function decodeLenient<T>(codec: Codec<T>, el: Element, ctx: DecodeContext): T | undefined {
  try {
    return codec.decode(el, { logger: ctx.logger });
  } catch (error) {
    ctx.logger.debug('dropping malformed child', { path: ctx.path, element: codec.name, error });
    return undefined;
  }
}

function encodeChild<T>(codec: Codec<T>, value: T, ctx: EncodeContext): Element {
  const el = codec.encode(value);
  if (el.attrs.xmlns === ctx.ns) delete el.attrs.xmlns;
  return el;
}

/** Parse a decimal integer (`-12`, `+3`, `007`); `undefined` when malformed or unsafe. */
export function parseInteger(raw: string): number | undefined {
  const s = raw.trim();
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parse an XML Schema boolean (`true`, `1`, `false`, `0`); `undefined` otherwise. */
export function parseBoolean(raw: string): boolean | undefined {
  switch (raw.trim()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
const LEGACY_DATETIME = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parse an XEP-0082 DateTime (`2002-09-10T23:41:07Z`, `...07.123-06:00`), or the legacy
 * XEP-0091 form (`20020910T23:41:07`, UTC). `undefined` when malformed or out of range.
 */
export function parseDateTime(raw: string): Date | undefined {
  const fast = parseUtcDateTimeFast(raw);
  return fast === null ? parseDateTimeFull(raw) : fast;
}

/** The value of the ASCII digit at `i`, or -1 when it is not a digit. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The two-digit number at `i` (`-1` when not two digits). */
function twoDigits(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The fast path of {@link parseDateTime} for the form servers send (`YYYY-MM-DDThh:mm:ssZ`,
 * optionally with a fraction `.s+`), checked character by character without a regex or
 * allocation: the `Date`, `undefined` when in that form but out of range, or `null` when
 * not in that form (years below 0100 included: `Date.UTC` maps them to 19xx), for the full
 * parser to decide. Always agrees with {@link parseDateTimeFull}.
 * @internal
 */
export function parseUtcDateTimeFast(s: string): Date | undefined | null {
  const len = s.length;
  if (len < 20 || s.charCodeAt(len - 1) !== 90 /* Z */) return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return null; // not '-', '-', 'T', ':', ':'
  }
  let ms = 0;
  if (len !== 20) {
    if (len < 22 || s.charCodeAt(19) !== 46 /* . */) return null;
    for (let i = 20; i < len - 1; i++) if (digitAt(s, i) < 0) return null;
    ms = Math.floor(Number(s.slice(19, len - 1)) * 1000); // '.123' parses exactly as '0.123'
  }
  const hi = twoDigits(s, 0);
  const lo = twoDigits(s, 2);
  const mo = twoDigits(s, 5);
  const d = twoDigits(s, 8);
  const h = twoDigits(s, 11);
  const mi = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  if (hi < 0 || lo < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  const y = hi * 100 + lo;
  if (y < 100) return null;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0)) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59), ms));
}

/**
 * {@link parseDateTime} without its fast path: every accepted form, by regex.
 * @internal
 */
export function parseDateTimeFull(raw: string): Date | undefined {
  const s = raw.trim();
  const m = DATETIME.exec(s) ?? LEGACY_DATETIME.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return undefined;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  const ms = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  let offsetMin = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    offsetMin = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  }
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59), Math.floor(ms)) - offsetMin * 60_000;
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Format a `Date` as an XEP-0082 DateTime in UTC (milliseconds only when non-zero). */
export function formatDateTime(date: Date): string {
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : iso;
}
