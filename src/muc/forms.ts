/**
 * Typed XEP-0004 form templates of XEP-0045 (aioxmpp's `ConfigurationForm`, `InfoForm`,
 * `VoiceRequestForm`), plus the `muc#register` form of §7.10. Each is a {@link FormTemplate}:
 * `fromForm(form)` wraps a received form; its properties read and write typed values;
 * `renderReply()` / `render()` build the submission with every field the server sent, so
 * fields a server adds that a template does not name (ejabberd's `allow_voice_requests`,
 * Prosody's `muc#roomconfig_historylength`) are kept as received.
 */
import { NS } from '../core/namespaces.js';
import { type FormInstance, type FormTemplate, defineForm } from '../forms/template.js';

const CONFIGURATION_SPEC = {
  /** `muc#roomconfig_allowinvites`: whether occupants may invite others. */
  allowinvites: { var: 'muc#roomconfig_allowinvites', type: 'boolean' },
  /** `muc#roomconfig_allowpm`: roles that may send private messages (`anyone`, `participants`, `moderators`, `none`). */
  allowpm: { var: 'muc#roomconfig_allowpm', type: 'list-single' },
  /** `muc#roomconfig_changesubject`: whether occupants may change the subject. */
  changesubject: { var: 'muc#roomconfig_changesubject', type: 'boolean' },
  /** `muc#roomconfig_enablelogging`: whether the room is publicly logged. */
  enablelogging: { var: 'muc#roomconfig_enablelogging', type: 'boolean' },
  /** `muc#roomconfig_getmemberlist`: roles and affiliations that may retrieve the member list. */
  getmemberlist: { var: 'muc#roomconfig_getmemberlist', type: 'list-multi' },
  /** `muc#roomconfig_lang`: natural language of the room's discussions. */
  lang: { var: 'muc#roomconfig_lang', type: 'text-single' },
  /** `muc#maxhistoryfetch`: maximum number of history messages returned by the room. */
  maxhistoryfetch: { var: 'muc#maxhistoryfetch', type: 'text-single' },
  /** `muc#roomconfig_maxusers`: maximum number of occupants. */
  maxusers: { var: 'muc#roomconfig_maxusers', type: 'list-single' },
  /** `muc#roomconfig_membersonly`: whether only members may enter. */
  membersonly: { var: 'muc#roomconfig_membersonly', type: 'boolean' },
  /** `muc#roomconfig_moderatedroom`: whether only participants and moderators may speak. */
  moderatedroom: { var: 'muc#roomconfig_moderatedroom', type: 'boolean' },
  /** `muc#roomconfig_passwordprotectedroom`: whether a password is required to enter. */
  passwordprotectedroom: { var: 'muc#roomconfig_passwordprotectedroom', type: 'boolean' },
  /** `muc#roomconfig_persistentroom`: whether the room outlives its last occupant. */
  persistentroom: { var: 'muc#roomconfig_persistentroom', type: 'boolean' },
  /** `muc#roomconfig_presencebroadcast`: roles whose presence is broadcast. */
  presencebroadcast: { var: 'muc#roomconfig_presencebroadcast', type: 'list-multi' },
  /** `muc#roomconfig_publicroom`: whether the room is listed in public searches. */
  publicroom: { var: 'muc#roomconfig_publicroom', type: 'boolean' },
  /** `muc#roomconfig_pubsub`: XMPP URI of an associated publish-subscribe node. */
  pubsub: { var: 'muc#roomconfig_pubsub', type: 'text-single' },
  /** `muc#roomconfig_roomadmins`: the full list of room admins. */
  roomadmins: { var: 'muc#roomconfig_roomadmins', type: 'jid-multi' },
  /** `muc#roomconfig_roomdesc`: short description of the room. */
  roomdesc: { var: 'muc#roomconfig_roomdesc', type: 'text-single' },
  /** `muc#roomconfig_roomname`: natural-language room name. */
  roomname: { var: 'muc#roomconfig_roomname', type: 'text-single' },
  /** `muc#roomconfig_roomowners`: the full list of room owners. */
  roomowners: { var: 'muc#roomconfig_roomowners', type: 'jid-multi' },
  /** `muc#roomconfig_roomsecret`: the room password. */
  roomsecret: { var: 'muc#roomconfig_roomsecret', type: 'text-private' },
  /** `muc#roomconfig_whois`: who may discover occupants' real JIDs (`moderators`, `anyone`). */
  whois: { var: 'muc#roomconfig_whois', type: 'list-single' },
} as const;

/**
 * The room configuration form (`muc#roomconfig`, XEP-0045 §10.2), with every field of
 * aioxmpp's `ConfigurationForm` under the same names. Reading a field the server did not
 * send gives `undefined`; setting it throws `InvalidArgumentError` (servers differ: Prosody
 * 0.12 has no `passwordprotectedroom`, ejabberd 23.01 no `roomadmins`).
 *
 * @example
 * ```ts
 * const config = await getRoomConfig(conn, 'room@conference.example.org'); // a ConfigurationFormInstance
 * config.moderatedroom = true;
 * config.membersonly = true;
 * await setRoomConfig(conn, 'room@conference.example.org', config);
 * ```
 */
export const ConfigurationForm: FormTemplate<typeof CONFIGURATION_SPEC> = defineForm(NS.MUC_ROOMCONFIG, CONFIGURATION_SPEC);

/** A filled-in {@link ConfigurationForm}. */
export type ConfigurationFormInstance = FormInstance<typeof CONFIGURATION_SPEC>;

const INFO_SPEC = {
  /** `muc#roominfo_contactjid`: contact addresses (normally the room owners). */
  contactjid: { var: 'muc#roominfo_contactjid', type: 'jid-multi' },
  /** `muc#roominfo_description`: short description of the room. */
  description: { var: 'muc#roominfo_description', type: 'text-single' },
  /** `muc#roominfo_lang`: natural language of the room's discussions. */
  lang: { var: 'muc#roominfo_lang', type: 'text-single' },
  /** `muc#roominfo_ldapgroup`: an associated LDAP group defining membership. */
  ldapgroup: { var: 'muc#roominfo_ldapgroup', type: 'text-single' },
  /** `muc#roominfo_logs`: URL of archived discussion logs. */
  logs: { var: 'muc#roominfo_logs', type: 'text-single' },
  /** `muc#maxhistoryfetch`: maximum number of history messages returned by the room. */
  maxhistoryfetch: { var: 'muc#maxhistoryfetch', type: 'text-single' },
  /** `muc#roominfo_occupants`: current number of occupants (a decimal string). */
  occupants: { var: 'muc#roominfo_occupants', type: 'text-single' },
  /** `muc#roominfo_subject`: current discussion topic. */
  subject: { var: 'muc#roominfo_subject', type: 'text-single' },
  /** `muc#roominfo_subjectmod`: whether participants may change the subject. */
  subjectmod: { var: 'muc#roominfo_subjectmod', type: 'boolean' },
  /** `muc#roomconfig_roomname` (sent in room info by Prosody and ejabberd): the room's name. */
  roomname: { var: 'muc#roomconfig_roomname', type: 'text-single' },
  /** `muc#roomconfig_changesubject` (Prosody): whether occupants may change the subject. */
  changesubject: { var: 'muc#roomconfig_changesubject', type: 'boolean' },
  /** `muc#roomconfig_allowinvites` (Prosody, ejabberd): whether occupants may invite others. */
  allowinvites: { var: 'muc#roomconfig_allowinvites', type: 'boolean' },
} as const;

/**
 * The extended room information form of a room's disco#info (`muc#roominfo`, XEP-0045
 * §6.4): every field of aioxmpp's `InfoForm`, plus the `muc#roomconfig_*` fields both
 * servers put there (room name, subject change, invitations).
 *
 * @example
 * ```ts
 * const { info } = await getRoomInfo(conn, 'room@conference.example.org');
 * console.log(info?.description, info?.occupants);
 * ```
 */
export const InfoForm: FormTemplate<typeof INFO_SPEC> = defineForm(NS.MUC_ROOMINFO, INFO_SPEC);

/** A filled-in {@link InfoForm}. */
export type InfoFormInstance = FormInstance<typeof INFO_SPEC>;

const VOICE_REQUEST_SPEC = {
  /** `muc#role`: the requested role (`participant`). */
  role: { var: 'muc#role', type: 'list-single' },
  /** `muc#jid`: the requester's real JID (as the room states it). */
  jid: { var: 'muc#jid', type: 'jid-single' },
  /** `muc#roomnick`: the requester's nick in the room. */
  roomnick: { var: 'muc#roomnick', type: 'text-single' },
  /** `muc#request_allow`: whether the moderator grants the request. */
  request_allow: { var: 'muc#request_allow', type: 'boolean' },
} as const;

/**
 * A voice request (`muc#request`, XEP-0045 §7.13 and §8.6), as a moderator receives it:
 * set `request_allow` and submit `render()` to the room to answer it.
 *
 * @example
 * ```ts
 * const request = VoiceRequestForm.fromElement(message.getChild('x', 'jabber:x:data')!);
 * request.request_allow = true;
 * await conn.send(voiceRequestAnswer({ stanza, roomAddress, form: request }, true));
 * ```
 */
export const VoiceRequestForm: FormTemplate<typeof VOICE_REQUEST_SPEC> = defineForm(NS.MUC_REQUEST, VOICE_REQUEST_SPEC);

/** A filled-in {@link VoiceRequestForm}. */
export type VoiceRequestFormInstance = FormInstance<typeof VOICE_REQUEST_SPEC>;

/** `FORM_TYPE` of the room registration form (XEP-0045 §7.10). */
export const MUC_REGISTER_FORM_TYPE = 'http://jabber.org/protocol/muc#register';

const REGISTER_SPEC = {
  /** `muc#register_roomnick`: the nick to reserve. */
  roomnick: { var: 'muc#register_roomnick', type: 'text-single' },
  /** `muc#register_first`: given name. */
  first: { var: 'muc#register_first', type: 'text-single' },
  /** `muc#register_last`: family name. */
  last: { var: 'muc#register_last', type: 'text-single' },
  /** `muc#register_email`: email address. */
  email: { var: 'muc#register_email', type: 'text-single' },
  /** `muc#register_url`: a URL. */
  url: { var: 'muc#register_url', type: 'text-single' },
  /** `muc#register_faqentry`: an FAQ entry. */
  faqentry: { var: 'muc#register_faqentry', type: 'text-multi' },
  /** `muc#register_allow`: an admin's approval of a registration request (§9.9). */
  allow: { var: 'muc#register_allow', type: 'boolean' },
} as const;

/**
 * The room registration form (`muc#register`, XEP-0045 §7.10), as Prosody sends it to
 * members.
 *
 * @example
 * ```ts
 * const reg = RegisterForm.fromForm(info.form!);
 * reg.roomnick = 'thirdwitch';
 * ```
 */
export const RegisterForm: FormTemplate<typeof REGISTER_SPEC> = defineForm(MUC_REGISTER_FORM_TYPE, REGISTER_SPEC);

/** A filled-in {@link RegisterForm}. */
export type RegisterFormInstance = FormInstance<typeof REGISTER_SPEC>;
