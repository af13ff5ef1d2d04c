/**
 * Declarative XML codecs over ltx elements: one interface and one `element()` codec per
 * payload, the field map keyed by the interface so they cannot drift.
 *
 * ```ts
 * interface Destroy { jid?: JID; reason?: string; password?: string }
 * const DestroyCodec = element<Destroy>(NS.MUC_OWNER, 'destroy', {
 *   jid: jidAttr('jid'), reason: childText('reason'), password: childText('password'),
 * });
 * ```
 *
 * Field typing: an optional property takes a field that may yield `undefined` (`attr`,
 * `childText`, `child`...; wrap others in `optional()`); a required property takes
 * `required(field)` or a field that always yields a value (`flag`, `children`,
 * `childTextList`, `langMap`, `text`).
 *
 * @module
 */
export {
  type Codec,
  type DecodeContext,
  type DecodeOptions,
  type EncodeContext,
  type Field,
  type Fields,
  detach,
  element,
  extra,
  isElement,
  optional,
  required,
} from './codec.js';
export {
  attr,
  boolAttr,
  child,
  childText,
  childTextList,
  children,
  custom,
  dateAttr,
  enumAttr,
  flag,
  formatDateTime,
  intAttr,
  jidAttr,
  langMap,
  optionalText,
  parseBoolean,
  parseDateTime,
  parseInteger,
  text,
} from './fields.js';
