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
  type MucClientOptions,
} from './client.js';
export { Room, type TrackedSendOptions } from './room.js';
export type { OutgoingMessage, SubmittableForm } from './room-stanzas.js';
export type { MucClientEvents, OccupantChange, RoomEvents, RoomMember } from './room-events.js';
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
