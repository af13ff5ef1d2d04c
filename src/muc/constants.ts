/**
 * MUC enumerations (XEP-0045) as `as const` objects with derived union types, named as in
 * aioxmpp (`StatusCode`, `LeaveMode`, `RoomState`), plus roles and affiliations.
 */

/**
 * The muc#user status codes of XEP-0045 §15.6, with aioxmpp's member names. Decoders keep
 * unknown codes as plain numbers, so code that reads status sets compares with `number`.
 */
export const StatusCode = {
  /** Any occupant may see the real JIDs of others (room is non-anonymous). */
  NON_ANONYMOUS: 100,
  /** The user's affiliation changed while not in the room. */
  AFFILIATION_CHANGED_OFFLINE: 101,
  /** The room now shows unavailable members. */
  SHOWING_UNAVAILABLE: 102,
  /** The room no longer shows unavailable members. */
  NOT_SHOWING_UNAVAILABLE: 103,
  /** A configuration change that is not privacy-related occurred. */
  CONFIG_NON_PRIVACY_RELATED: 104,
  /** The presence refers to the occupant itself (self-presence). */
  SELF: 110,
  /** Room logging is now enabled. */
  CONFIG_ROOM_LOGGING: 170,
  /** Room logging is now disabled. */
  CONFIG_NO_ROOM_LOGGING: 171,
  /** The room is now non-anonymous. */
  CONFIG_NON_ANONYMOUS: 172,
  /** The room is now semi-anonymous. */
  CONFIG_SEMI_ANONYMOUS: 173,
  /** A new room was created (by this join). */
  CREATED: 201,
  /** The service assigned or modified the occupant's nick. */
  NICKNAME_MODIFIED: 210,
  /** The occupant was banned. */
  REMOVED_BANNED: 301,
  /** The occupant is changing its nick (unavailable presence of a 303 pair). */
  NEW_NICKNAME: 303,
  /** The occupant was kicked. */
  REMOVED_KICKED: 307,
  /** The occupant was removed because of an affiliation change. */
  REMOVED_AFFILIATION_CHANGE: 321,
  /** The occupant was removed because the room became members-only. */
  REMOVED_NONMEMBER_IN_MEMBERS_ONLY: 322,
  /** The occupant was removed because the MUC service is shutting down. */
  REMOVED_SERVICE_SHUTDOWN: 332,
  /** The occupant was removed because of an error (e.g. its server did not answer). */
  REMOVED_ERROR: 333,
} as const;

/** A known status code value; status sets hold plain `number`s so unknown codes pass through. */
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

/** Why an occupant left or was removed (aioxmpp `LeaveMode`, plus `DESTROYED`). */
export const LeaveMode = {
  /** The local client disconnected (only for the local occupant). */
  DISCONNECTED: 'disconnected',
  /** The MUC service shut down (332). */
  SYSTEM_SHUTDOWN: 'system-shutdown',
  /** The occupant left by itself. */
  NORMAL: 'normal',
  /** The occupant was kicked (307). */
  KICKED: 'kicked',
  /** An affiliation change removed the occupant (321). */
  AFFILIATION_CHANGE: 'affiliation-change',
  /** The room became members-only and the occupant is not a member (322). */
  MODERATION_CHANGE: 'moderation-change',
  /** The occupant was banned (301). */
  BANNED: 'banned',
  /** The occupant was removed because of an error (333). */
  ERROR: 'error',
  /** The room was destroyed by its owner (`<destroy/>` in the unavailable presence). */
  DESTROYED: 'destroyed',
} as const;

/** One of the {@link LeaveMode} values. */
export type LeaveMode = (typeof LeaveMode)[keyof typeof LeaveMode];

/** The state of a room (aioxmpp `RoomState`). */
export const RoomState = {
  /** Joining: the presence state transfer is going on. */
  JOIN_PRESENCE: 'join-presence',
  /** Presences received, subject not yet: history replay happens here. */
  HISTORY: 'history',
  /** Join complete, history replayed, subject received. */
  ACTIVE: 'active',
  /** Suspended or disconnected. */
  DISCONNECTED: 'disconnected',
} as const;

/** One of the {@link RoomState} values. */
export type RoomState = (typeof RoomState)[keyof typeof RoomState];

/** Occupant roles (XEP-0045 §5.1). */
export const Role = {
  /** No role: not in the room (used to kick). */
  NONE: 'none',
  /** In the room without voice: cannot speak in a moderated room. */
  VISITOR: 'visitor',
  /** In the room with voice. */
  PARTICIPANT: 'participant',
  /** May kick visitors and participants, grant and revoke voice, and change the subject. */
  MODERATOR: 'moderator',
} as const;

/** One of the {@link Role} values. */
export type Role = (typeof Role)[keyof typeof Role];

/** Every role, lowest first. */
export const ROLES: readonly Role[] = Object.freeze(Object.values(Role));

/** Affiliations (XEP-0045 §5.2). */
export const Affiliation = {
  /** No long-lived relationship with the room. */
  NONE: 'none',
  /** Banned from the room. */
  OUTCAST: 'outcast',
  /** A registered member (may enter a members-only room). */
  MEMBER: 'member',
  /** May ban users, edit the member list, and grant or revoke moderator status. */
  ADMIN: 'admin',
  /** May configure and destroy the room, and edit the admin and owner lists. */
  OWNER: 'owner',
} as const;

/** One of the {@link Affiliation} values. */
export type Affiliation = (typeof Affiliation)[keyof typeof Affiliation];

/** Every affiliation. */
export const AFFILIATIONS: readonly Affiliation[] = Object.freeze(Object.values(Affiliation));

/** Whether `value` is a known {@link Role}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `value` is a known {@link Affiliation}. */
export function isAffiliation(value: unknown): value is Affiliation {
  return typeof value === 'string' && (AFFILIATIONS as readonly string[]).includes(value);
}

/**
 * The {@link LeaveMode} of an unavailable presence, from its status codes and whether it
 * carries a `<destroy/>`. Pure. A destroy wins; then 333 (ERROR) > 307 (KICKED) > 301
 * (BANNED) > 321 (AFFILIATION_CHANGE) > 322 (MODERATION_CHANGE) > 332 (SYSTEM_SHUTDOWN);
 * otherwise NORMAL. (A 303 nick change is not a leave; callers handle it first.)
 *
 * @example
 * ```ts
 * leaveModeFromStatusCodes(new Set([110, 307]), false); // 'kicked'
 * ```
 */
export function leaveModeFromStatusCodes(codes: ReadonlySet<number>, hasDestroy: boolean): LeaveMode {
  if (hasDestroy) return LeaveMode.DESTROYED;
  if (codes.has(StatusCode.REMOVED_ERROR)) return LeaveMode.ERROR;
  if (codes.has(StatusCode.REMOVED_KICKED)) return LeaveMode.KICKED;
  if (codes.has(StatusCode.REMOVED_BANNED)) return LeaveMode.BANNED;
  if (codes.has(StatusCode.REMOVED_AFFILIATION_CHANGE)) return LeaveMode.AFFILIATION_CHANGE;
  if (codes.has(StatusCode.REMOVED_NONMEMBER_IN_MEMBERS_ONLY)) return LeaveMode.MODERATION_CHANGE;
  if (codes.has(StatusCode.REMOVED_SERVICE_SHUTDOWN)) return LeaveMode.SYSTEM_SHUTDOWN;
  return LeaveMode.NORMAL;
}
