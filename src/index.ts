/**
 * xmuc: complete, correct and robust XMPP Multi-User Chat (XEP-0045) for Node.js and browsers.
 *
 * This entry (`xmuc`) is the client API: connections, `MucClient`, `Room`, occupants, forms,
 * discovery, ping, errors, enums, `JID`, `LanguageMap`, and the types of every payload the API
 * hands out. The XML codec kit and the payload codecs are in `xmuc/xml`; the test kit
 * (`FakeConnection`, `FakeClock`, `recordingLogger`) is in `xmuc/testing`.
 *
 * @module xmuc
 */

// The connection seam and its two implementations.
export {
  type ConnectionEvents,
  type ConnectionStatus,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type StanzaHandler,
  type XmppConnection,
} from './core/connection.js';
export {
  AuthError,
  type ConnectOptions,
  connect,
  NativeConnection,
  type NativeConnectionEvents,
  StreamError,
  type TlsOptions,
} from './connection/index.js';
export {
  fromXmppJs,
  type XmppJsAdapterOptions,
  type XmppJsClient,
  type XmppJsConnection,
  type XmppJsEmitter,
  type XmppJsListener,
  type XmppJsMiddleware,
  type XmppJsMiddlewareContext,
  type XmppJsReconnect,
  type XmppJsSocket,
  type XmppJsStreamManagement,
} from './connection/xmppjs/adapter.js';

// Multi-user chat.
export {
  AFFILIATIONS,
  type Actor,
  Affiliation,
  type Continue,
  DEFAULT_HISTORY_TIMEOUT_MS,
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_TRACKING_TIMEOUT_MS,
  type Decline,
  type Delay,
  type Destroy,
  type FromPresenceOptions,
  type History,
  type HistoryOptions,
  type Invite,
  isAffiliation,
  isFinalMessageState,
  isRole,
  type JoinOptions,
  type JoinResult,
  LeaveMode,
  leaveModeFromStatusCodes,
  type Message,
  type MessageInit,
  MessageState,
  MessageTracker,
  type MessageTrackerEvents,
  type MessageTrackerOptions,
  type MessageType,
  MucClient,
  type MucClientEvents,
  type MucClientOptions,
  type MucJoin,
  MucJoinError,
  type MucJoinReason,
  Occupant,
  type OccupantChange,
  type OccupantInit,
  type OutgoingMessage,
  type PresenceShow,
  type PresenceState,
  REJOIN_POLICY_DEFAULTS,
  type RejoinPolicyOptions,
  ROLES,
  Role,
  Room,
  type RoomEvents,
  type RoomMember,
  RoomPosition,
  type RoomPositionInit,
  RoomState,
  SELF_PING_DEFAULTS,
  type SelfPingOptions,
  ServiceMember,
  type StanzaId,
  type Status,
  StatusCode,
  type SubmittableForm,
  type TrackedSendOptions,
  type UserExt,
  type UserItem,
} from './muc/index.js';
export {
  type AffiliatedEntity,
  type AffiliationChange,
  type BanOptions,
  type BatchOptions,
  type ConfigSubmission,
  ConfigurationForm,
  type ConfigurationFormInstance,
  type DeclinedEvent,
  type DestroyOptions,
  type DestroyRoomOptions,
  InfoForm,
  type InfoFormInstance,
  type Invitation,
  type InviteOptions,
  type ListRoomsOptions,
  type ModerationOptions,
  type MucRequestOptions,
  type MucService,
  type RegistrationInfo,
  type ReservedNickJoinOptions,
  type RoleChange,
  type RoleHolder,
  type RoleRequest,
  type RoomFeatures,
  type RoomInfo,
  type RoomListing,
  type RoomPage,
  type SetChangesOptions,
  VoiceRequestForm,
  type VoiceRequestFormInstance,
} from './muc/index.js';
export type { AdminItem, AdminQuery } from './muc/payloads/admin.js';
export type { DirectInvite } from './muc/payloads/direct-invite.js';
export type { OwnerQuery } from './muc/payloads/owner.js';
// Room administration without joining, as functions over a connection (the `xmuc` command
// uses these): configuration, affiliations and roles, discovery, registration, invitations.
export { getAffiliated, getRoles, setAffiliations, setRoles } from './muc/admin.js';
export { destroyRoom, getRoomConfig, setRoomConfig } from './muc/owner.js';
export { getRoomInfo, listRooms } from './muc/discovery.js';
export { registerNick } from './muc/registration.js';
export { type DirectInviteOptions, type MediatedInviteOptions, directInviteMessage, mediatedInviteMessage } from './muc/invitations.js';
export {
  type Conversation,
  ConversationFeature,
  type ConversationMember,
  InviteMode,
  MessageSource,
} from './im/conversation.js';

// Protocol services: data forms, service discovery, ping.
export {
  type DataForm,
  type DataFormType,
  dataForm,
  defineForm,
  FIELD_TYPES,
  FORM_TYPE_VAR,
  FORM_TYPES,
  type FieldSpec,
  type FieldType,
  type FieldValue,
  type FormField,
  type FormInstance,
  type FormInstanceMethods,
  type FormOption,
  type FormSpec,
  type FormTemplate,
  type FormValues,
  findField,
  formField,
  formType,
} from './forms/index.js';
export {
  type DiscoIdentity,
  type DiscoInfo,
  type DiscoItem,
  type DiscoItems,
  type DiscoOptions,
  discoInfo,
  discoItems,
} from './disco/index.js';
export { type AnswerPingsOptions, answerPings, type PingOptions, ping } from './ping/index.js';

// Errors.
export {
  AbortError,
  DisconnectedError,
  InvalidArgumentError,
  NotJoinedError,
  PayloadError,
  StanzaError,
  type StanzaErrorCondition,
  type StanzaErrorInit,
  type StanzaErrorType,
  TimeoutError,
  XmucError,
  type XmucErrorCode,
} from './core/errors.js';

// Addresses, text, and the plumbing the options take.
export { JID, prepareNickname } from './core/jid.js';
export { LanguageMap } from './core/language-map.js';
export type { AbortOptions } from './core/abort.js';
export { type Clock, systemClock, type TimerHandle } from './core/clock.js';
export { consoleLogger, type Logger, silentLogger } from './core/logger.js';
export { type Listener, TypedEmitter, type WaitForOptions } from './core/emitter.js';
