/**
 * XEP-0045 multi-user chat: {@link MucClient}, {@link Room}, occupants, payload codecs.
 *
 * @example
 * ```ts
 * import { MucClient } from 'xmuc';
 * const muc = new MucClient(connection);
 * const { room, joined } = muc.join('room@conference.example.org', 'alice');
 * room.on('message', ({ member, message }) => console.log(member.nick, message.body.any()));
 * await joined;
 * ```
 * @packageDocumentation
 */
export {
  DEFAULT_HISTORY_TIMEOUT_MS,
  DEFAULT_JOIN_TIMEOUT_MS,
  MucClient,
  type HistoryOptions,
  type JoinOptions,
  type JoinResult,
  type MucClientEvents,
  type ReservedNickJoinOptions,
  type MucClientOptions,
} from './client.js';
export { Room, type TrackedSendOptions } from './room.js';
export type { OutgoingMessage, SubmittableForm } from './room-stanzas.js';
export type { DeclinedEvent, OccupantChange, RoleRequest, RoomEvents, RoomMember } from './room-events.js';
export type { BanOptions, BatchOptions, ModerationOptions } from './room-moderation.js';
export type { InviteOptions } from './room-invitations.js';
export type { DestroyOptions } from './room-config.js';
export {
  DEFAULT_TRACKING_TIMEOUT_MS,
  MessageState,
  MessageTracker,
  type MessageTrackerEvents,
  type MessageTrackerOptions,
  isFinalMessageState,
} from './tracking.js';
export {
  AFFILIATIONS,
  Affiliation,
  LeaveMode,
  ROLES,
  Role,
  RoomState,
  StatusCode,
  isAffiliation,
  isRole,
  leaveModeFromStatusCodes,
} from './constants.js';
export { MucJoinError, type MucJoinReason, joinErrorReason } from './join-error.js';
export {
  type Delay,
  type Message,
  type MessageInit,
  type MessageType,
  type StanzaId,
  buildMessage,
  readMessage,
} from './message.js';
export {
  type FromPresenceOptions,
  Occupant,
  type OccupantInit,
  type PresenceShow,
  type PresenceState,
  ServiceMember,
} from './occupant.js';
export {
  type Actor,
  type Continue,
  type Decline,
  type Destroy,
  type History,
  type Invite,
  type MucJoin,
  type Status,
  type UserExt,
  type UserItem,
  findUserExt,
  mucJoin,
  userExt,
} from './payloads/user.js';
export type { MucRequestOptions } from './requests.js';
export {
  type AffiliatedEntity,
  type AffiliationChange,
  type RoleChange,
  type RoleHolder,
  type SetChangesOptions,
  getAffiliated,
  getRoles,
  setAffiliations,
  setRoles,
} from './admin.js';
export { type ConfigSubmission, type DestroyRoomOptions, cancelRoomConfig, destroyRoom, getRoomConfig, setRoomConfig } from './owner.js';
export {
  type ListRoomsOptions,
  type MucService,
  type RoomFeatures,
  type RoomInfo,
  type RoomListing,
  type RoomPage,
  findMucService,
  getRoomInfo,
  getUniqueRoomName,
  listRooms,
  roomFeatures,
} from './discovery.js';
export { RESERVED_NICK_NODE, type RegistrationInfo, getRegistrationForm, getReservedNick, registerNick } from './registration.js';
export {
  type DeclineOptions,
  type DeclinedInvitation,
  type DirectInviteOptions,
  type Invitation,
  type MediatedInviteOptions,
  type ReadInvitationOptions,
  declineMessage,
  directInviteMessage,
  mediatedInviteMessage,
  readDecline,
  readInvitation,
} from './invitations.js';
export { type VoiceRequest, readVoiceRequest, voiceRequestAnswer, voiceRequestMessage } from './voice-request.js';
export {
  ConfigurationForm,
  type ConfigurationFormInstance,
  InfoForm,
  type InfoFormInstance,
  MUC_REGISTER_FORM_TYPE,
  RegisterForm,
  type RegisterFormInstance,
  VoiceRequestForm,
  type VoiceRequestFormInstance,
} from './forms.js';
export { type AdminItem, type AdminQuery, adminQuery } from './payloads/admin.js';
export { type OwnerQuery, ownerQuery } from './payloads/owner.js';
export { type DirectInvite, directInvite } from './payloads/direct-invite.js';
export { NS_REGISTER, type RegisterQuery, registerQuery } from './payloads/register.js';
export { NS_MUC_UNIQUE, type Unique, uniqueCodec } from './payloads/unique.js';
export {
  type ArchivedMessage,
  type ArchivePage,
  type ArchivePageOptions,
  type ArchiveQueryEnd,
  type ArchiveQueryOptions,
  DEFAULT_ARCHIVE_LIMIT,
  DEFAULT_ARCHIVE_MAX_PAGES,
  DEFAULT_ARCHIVE_PAGE_SIZE,
  RoomArchiveQuery,
  fetchArchivePage,
  queryRoomArchive,
} from './archive.js';
export {
  type ArchiveAfterIdPlan,
  type ArchiveCatchUpOptions,
  type ArchiveCatchUpResult,
  type ArchiveSincePlan,
  type CatchUpInput,
  type CatchUpPlan,
  DEFAULT_CATCH_UP_MARGIN_MS,
  type HistorySincePlan,
  NO_HISTORY,
  type PlainHistoryPlan,
  catchUpFromArchive,
  catchUpPlan,
} from './catch-up.js';
export { MESSAGE_KEY_INDEX_LIMIT, MessageKeyIndex } from './message-key-index.js';
export { type MessageKeyOptions, type MessageKeys, isSameMessage, messageKeys } from './message-keys.js';
export { RoomPosition, type RoomPositionInit } from './position.js';
export { SELF_PING_DEFAULTS, type SelfPingOptions } from './self-ping.js';
export { REJOIN_POLICY_DEFAULTS, type RejoinPolicyOptions } from './rejoin-policy.js';
export {
  type Forwarded,
  type MamFilter,
  type MamFin,
  type MamQuery,
  type MamResult,
  delay as delayCodec,
  forwarded as forwardedCodec,
  mamFin,
  mamQuery,
  mamResult,
} from './payloads/mam.js';
export { type RsmFirst, type RsmSet, rsmFirst, rsmSet } from './payloads/rsm.js';
