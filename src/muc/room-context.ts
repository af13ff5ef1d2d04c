/**
 * The internal seam between the public {@link Room} (room.ts) and the files that each handle
 * one concern of a room (room-join.ts, pending-ops.ts, history.ts, room-presences.ts,
 * room-messages.ts, room-moderation.ts, room-voice.ts, room-invitations.ts, room-config.ts,
 * room-selfping.ts, room-rejoin.ts, room-catchup.ts, room-lifecycle.ts; wired by room-parts.ts):
 * what the client lends every room ({@link RoomServices}) and what a concern sees of its room
 * ({@link RoomContext}).
 * Nothing here is exported by the package.
 * @internal
 */
import type { Element } from 'ltx';
import { raceAbort, type AbortOptions } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type XmppConnection } from '../core/connection.js';
import type { JID } from '../core/jid.js';
import type { Logger } from '../core/logger.js';
import type { LeaveMode, RoomState } from './constants.js';
import type { Occupant } from './occupant.js';
import type { OccupantRegistry } from './occupant-registry.js';
import type { History } from './payloads/muc.js';
import type { RoomPosition } from './position.js';
import type { RejoinPolicyOptions } from './rejoin-policy.js';
import type { RoomEvents } from './room-events.js';
import type { SelfPingOptions } from './self-ping.js';

/** What the client lends each of its rooms. @internal */
export interface RoomServices {
  /** The client's connection. */
  connection: XmppConnection;
  /** Where dropped input and oddities are reported. */
  logger: Logger;
  /** The time source of every timer. */
  clock: Clock;
  /** A new stanza id. */
  newId(): string;
  /** Random source for uids of occupants with no known identity (tests). */
  randomId?: (() => string) | undefined;
  /** HISTORY ends after this long without a history stanza (0: never). */
  historyTimeoutMs: number;
  /** Fetch each room's disco#info after `enter` (`Room.info`, `Room.features`). */
  fetchRoomInfo?: boolean | undefined;
}

/** Construction parameters of a {@link Room}. @internal */
export interface RoomInit {
  /** The room's bare JID. */
  jid: JID;
  /** The nick to join with (prepared). */
  nick: string;
  /** The room password. */
  password?: string | undefined;
  /** The history the first join asks for. */
  history?: History | undefined;
  /** Whether the room is rejoined on a new stream. */
  autorejoin: boolean;
  /** The XEP-0410 self-ping timing; `false`: no self-ping. */
  selfPing?: SelfPingOptions | false | undefined;
  /** The retries of a removal by error or a failed rejoin. */
  rejoin?: RejoinPolicyOptions | undefined;
  /** Where a previous process stopped: the first join catches up from there. */
  since?: RoomPosition | Date | undefined;
}

/**
 * What a concern of a room sees of it: its services, its occupants, its state (read), and the
 * room's own transitions. Built once by the room; it grows by a member when a concern needs
 * more, never by a public member on `Room`.
 * @internal
 */
export interface RoomContext {
  /** The room's bare JID. */
  readonly jid: JID;
  /** The client's services. */
  readonly host: RoomServices;
  /** The occupants (us included once entered). */
  readonly registry: OccupantRegistry;
  /** The room's state. */
  readonly state: RoomState;
  /** Our own occupant, once entered. */
  readonly me: Occupant | undefined;
  /** Whether the room was entered at least once (stays true while suspended). */
  readonly entered: boolean;
  /** Whether the room has ended (exit, failed join): nothing is handled any more. */
  readonly closed: boolean;
  /** Emit a room event. */
  emit<K extends keyof RoomEvents>(event: K, payload: RoomEvents[K]): void;
  /** Move to `state`, emitting `stateChanged` (nothing when unchanged). */
  setState(state: RoomState): void;
  /** Throw `NotJoinedError` unless the room is HISTORY or ACTIVE. */
  requireActive(): void;
  /**
   * End the room: DISCONNECTED, pending operations failed (the join with `joinError`),
   * trackers aborted, removed from the client; then `exit` (when given) and `stateChanged`.
   */
  terminate(exit: RoomEvents['exit'] | undefined, joinError?: Error): void;
  /** Send our unavailable presence (not awaited; a failure is logged). */
  sendUnavailable(): void;
  /**
   * The room's disco#info features are known (whoever fetched them): the history replay then
   * trusts an XEP-0421 occupant-id match when they include `urn:xmpp:occupant-id:0`.
   */
  featuresKnown(features: Iterable<string>): void;
}

/** An empty status code set. @internal */
export const NO_CODES: ReadonlySet<number> = Object.freeze(new Set<number>());

/** The `exit` of a room left without a presence from the room (stream lost, leave timed out). @internal */
export function localExit(ctx: RoomContext, mode: LeaveMode): RoomEvents['exit'] {
  return { occupant: ctx.me, mode, statusCodes: NO_CODES };
}

/**
 * `promise` bounded by `options` (timeout default {@link DEFAULT_REQUEST_TIMEOUT_MS}, on the
 * room's clock); `onCancel` runs on timeout or abort. @internal
 */
export function bounded<T>(ctx: RoomContext, promise: Promise<T>, options: AbortOptions, what: string, onCancel: () => void): Promise<T> {
  return raceAbort(promise, {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    clock: ctx.host.clock,
    what,
    onCancel,
  });
}

/** `options` with the default request timeout ({@link DEFAULT_REQUEST_TIMEOUT_MS}). @internal */
export function requestOptions(options: AbortOptions): AbortOptions {
  return { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
}

/** Send `stanza` without waiting; a failure is logged at debug level as `what`. @internal */
export function sendQuietly(ctx: RoomContext, stanza: Element, what: string): void {
  ctx.host.connection
    .send(stanza)
    .catch((error: unknown) => ctx.host.logger.debug(`${what} not sent`, { room: ctx.jid.toString(), error }));
}
