/**
 * `xmuc/xml`: the XML codec kit. Declarative codecs over ltx elements (what xmpp.js uses), one
 * interface and one `element()` codec per payload, the field map keyed by the interface so
 * they cannot drift; and the codecs of every payload xmuc reads or writes, for applications
 * that build or inspect stanzas themselves. The payload types are exported by `xmuc`.
 *
 * Naming: a codec is the constant `<type>Codec`, camelCased from the interface it codes
 * (`UserExt` -> `userExtCodec`, `DataForm` -> `dataFormCodec`); when one interface has codecs
 * in several namespaces, the namespace's short name comes first (`userDestroyCodec`,
 * `ownerDestroyCodec`).
 *
 * ```ts
 * interface Destroy { jid?: JID; reason?: string; password?: string }
 * const ownerDestroyCodec = element<Destroy>(NS.MUC_OWNER, 'destroy', {
 *   jid: jidAttr('jid'), reason: childText('reason'), password: childText('password'),
 * });
 * ```
 *
 * Field typing: an optional property takes a field that may yield `undefined` (`attr`,
 * `childText`, `child`...; wrap others in `optional()`); a required property takes
 * `required(field)` or a field that always yields a value (`flag`, `children`,
 * `childTextList`, `langMap`, `text`).
 *
 * @module xmuc/xml
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
export { type Namespace, NS } from '../core/namespaces.js';

// Payload codecs. The MUC codecs are exported under the naming rule above; their module-level
// names (`userExt`, `actor`...) follow it once src/muc/payloads is renamed.
export { dataFormCodec, formFieldCodec, formOptionCodec } from '../forms/form.js';
export { discoIdentityCodec, discoInfoCodec, discoItemCodec, discoItemsCodec } from '../disco/disco.js';
export {
  actor as userActorCodec,
  continueEl as continueCodec,
  decline as declineCodec,
  destroy as userDestroyCodec,
  findUserExt,
  invite as inviteCodec,
  status as statusCodec,
  userExt as userExtCodec,
  userItem as userItemCodec,
} from '../muc/payloads/user.js';
export { history as historyCodec, mucJoin as mucJoinCodec } from '../muc/payloads/muc.js';
export { adminActor as adminActorCodec, adminItem as adminItemCodec, adminQuery as adminQueryCodec } from '../muc/payloads/admin.js';
export { ownerDestroy as ownerDestroyCodec, ownerQuery as ownerQueryCodec } from '../muc/payloads/owner.js';
export { directInvite as directInviteCodec } from '../muc/payloads/direct-invite.js';
export { buildMessage, readMessage } from '../muc/message.js';
