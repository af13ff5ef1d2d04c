/** Why a join was refused: XEP-0045's enter error table (§7.2, "enter-errorcodes") as a typed error. */
import { type StanzaError, type StanzaErrorCondition, XmucError } from '../core/errors.js';

/**
 * The reason a room refused a join, one per row of XEP-0045's enter error table, plus
 * `nick-required` (§7.2.7, `jid-malformed`) and `other`.
 */
export type MucJoinReason =
  | 'password-required'
  | 'members-only'
  | 'banned'
  | 'nick-conflict'
  | 'max-occupants'
  | 'not-found'
  | 'creation-restricted'
  | 'reserved-nick'
  | 'nick-required'
  | 'other';

const REASONS: Partial<Record<StanzaErrorCondition, MucJoinReason>> = {
  'not-authorized': 'password-required',
  'registration-required': 'members-only',
  forbidden: 'banned',
  conflict: 'nick-conflict',
  'service-unavailable': 'max-occupants',
  // ejabberd 23.01 answers a join to a full room with <resource-constraint/> (type wait).
  'resource-constraint': 'max-occupants',
  'item-not-found': 'not-found',
  'not-allowed': 'creation-restricted',
  'not-acceptable': 'reserved-nick',
  'jid-malformed': 'nick-required',
};

/**
 * The {@link MucJoinReason} of a stanza error condition received in reply to a join
 * presence (`not-authorized` -> `password-required`, ...); `other` for any other condition.
 * Besides the XEP's table, `resource-constraint` (ejabberd's answer for a full room) is
 * `max-occupants`.
 */
export function joinErrorReason(condition: StanzaErrorCondition | string): MucJoinReason {
  return Object.hasOwn(REASONS, condition) ? REASONS[condition as StanzaErrorCondition]! : 'other';
}

const MESSAGES: Record<MucJoinReason, string> = {
  'password-required': 'the room needs a password (or the password was wrong)',
  'members-only': 'the room is members-only and we are not a member',
  banned: 'we are banned from the room',
  'nick-conflict': 'the nickname is in use or registered by someone else',
  'max-occupants': 'the room is full',
  'not-found': 'the room does not exist (or is locked)',
  'creation-restricted': 'room creation is restricted',
  'reserved-nick': 'the reserved nickname must be used',
  'nick-required': 'a nickname is required',
  other: 'the room refused the join',
};

/**
 * A join refused by the room. `reason` says why (XEP-0045's enter error table); `cause` is
 * the {@link StanzaError} the room sent.
 *
 * @example
 * ```ts
 * try { await joined; } catch (e) { if (e instanceof MucJoinError && e.reason === 'password-required') { ... } }
 * ```
 */
export class MucJoinError extends XmucError {
  /** The error class name, always `'MucJoinError'`. */
  override readonly name = 'MucJoinError' as const;
  readonly code = 'ERR_MUC_JOIN' as const;
  /** Why the join was refused. */
  readonly reason: MucJoinReason;
  /** The stanza error sent by the room. */
  override readonly cause: StanzaError;

  constructor(cause: StanzaError, message?: string) {
    const reason = joinErrorReason(cause.condition);
    super(message ?? `Cannot join: ${MESSAGES[reason]} (${cause.message})`, { cause });
    this.reason = reason;
    this.cause = cause;
  }

  /** Build the error for a presence of type `error` received in reply to a join. */
  static fromStanzaError(cause: StanzaError): MucJoinError {
    return new MucJoinError(cause);
  }
}
