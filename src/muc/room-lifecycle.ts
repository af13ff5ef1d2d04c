/**
 * The lifecycle of a {@link Room}: its state (JOIN_PRESENCE, HISTORY, ACTIVE, DISCONNECTED),
 * who we are in it (`me`, our nick, entered, closed), and its transitions: the join presence
 * sent, our self-presence entering the room, the room suspended and resumed for a rejoin, the
 * stream lost and re-established, a leave before the join completed, and the end of the room.
 * The room's {@link RoomContext} reads the state here and calls the transitions; the concerns
 * the transitions drive are handed in as {@link LifecycleParts}.
 * @internal
 */
import { checkDuration, type AbortOptions } from '../core/abort.js';
import { AbortError, DisconnectedError, NotJoinedError, toError } from '../core/errors.js';
import { nicknameKey } from '../core/jid.js';
import { LeaveMode, RoomState, StatusCode } from './constants.js';
import type { HistoryReplay } from './history.js';
import { MucJoinError } from './join-error.js';
import type { Occupant } from './occupant.js';
import type { NickChange, PendingLeaves, TopicChanges } from './pending-ops.js';
import { type OccupantPresence, occupantFromPresence } from './presence.js';
import type { RoomCatchUp } from './room-catchup.js';
import type { RoomConfig } from './room-config.js';
import { type RoomContext, localExit, sendQuietly } from './room-context.js';
import type { RoomEvents } from './room-events.js';
import type { RoomJoin } from './room-join.js';
import type { RoomRejoin } from './room-rejoin.js';
import type { RoomSelfPing } from './room-selfping.js';
import { leavePresence } from './room-stanzas.js';
import type { ReflectionMatcher } from './tracking.js';

/** The concerns a room's transitions drive, and what they read of the room itself. @internal */
export interface LifecycleParts {
  join: RoomJoin;
  replay: HistoryReplay;
  nickChange: NickChange;
  topics: TopicChanges;
  leaves: PendingLeaves;
  trackers: ReflectionMatcher;
  config: RoomConfig;
  selfPing: RoomSelfPing;
  rejoin: RoomRejoin;
  catchUp: RoomCatchUp;
  /** Whether the room is rejoined on a new stream (`Room.autorejoin`, settable). */
  autorejoin(): boolean;
  /** The password to (re)join with (`Room.password`, settable). */
  password(): string | undefined;
  /** The room leaves its client's bookkeeping. */
  removed(): void;
}

/** The state and transitions of one room. @internal */
export class RoomLifecycle {
  readonly #ctx: RoomContext;
  readonly #parts: LifecycleParts;
  /** The retries are over: the next termination is final. */
  #givingUp = false;
  /** Bumped by every join presence sent, so a deferred first join sends at most once. */
  #joinToken = 0;
  #state: RoomState = RoomState.JOIN_PRESENCE;
  #me: Occupant | undefined;
  #entered = false;
  #closed = false;
  #nick: string;

  /** `nick`: the nick of the first join (prepared). */
  constructor(ctx: RoomContext, nick: string, parts: LifecycleParts) {
    this.#ctx = ctx;
    this.#nick = nick;
    this.#parts = parts;
  }

  /** The {@link RoomState}. */
  get state(): RoomState {
    return this.#state;
  }

  /** Our own occupant, once entered. */
  get me(): Occupant | undefined {
    return this.#me;
  }

  /** Whether the room was entered at least once (stays true while suspended). */
  get entered(): boolean {
    return this.#entered;
  }

  /** Whether the room has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** HISTORY or ACTIVE. */
  get isActive(): boolean {
    return this.#state === RoomState.HISTORY || this.#state === RoomState.ACTIVE;
  }

  /** Our occupant's nick after a presence was applied (it may have been renamed). */
  nickIs(nick: string): void {
    this.#nick = nick;
  }

  /** Throw `NotJoinedError` unless the room is HISTORY or ACTIVE. */
  requireActive(): void {
    if (this.#closed) throw new NotJoinedError('The room was left');
    if (!this.isActive) throw new NotJoinedError(`The room is not joined yet (state ${this.#state})`);
  }

  /** Send our unavailable presence (not awaited; a failure is logged). */
  sendUnavailable(): void {
    const ctx = this.#ctx;
    sendQuietly(ctx, leavePresence(ctx.jid, this.#me?.nick ?? this.#nick), 'unavailable presence');
  }

  /** Our self-presence (status 110) completes the join: HISTORY, `enter`, `joined` resolves. */
  enter(p: OccupantPresence): void {
    const ctx = this.#ctx;
    const host = ctx.host;
    if (!p.state.available) {
      host.logger.debug('unavailable self-presence before the join completed ignored', { nick: p.nick });
      return;
    }
    if (nicknameKey(p.nick) !== nicknameKey(this.#nick) && !p.statusCodes.has(StatusCode.NICKNAME_MODIFIED)) {
      host.logger.debug('self-presence for another nick without status 210 ignored', { nick: p.nick });
      return;
    }
    const parts = this.#parts;
    const me = occupantFromPresence(p, true, host.randomId);
    const clash = ctx.registry.get(me.nick);
    if (clash) ctx.registry.remove(clash);
    ctx.registry.add(me);
    this.#me = me;
    this.#nick = me.nick;
    this.#entered = true;
    this.setState(RoomState.HISTORY);
    parts.replay.arm();
    ctx.emit('enter', { presence: p.stanza, occupant: me, statusCodes: p.statusCodes });
    parts.join.entered();
    parts.rejoin.entered();
    parts.catchUp.entered();
    if (host.fetchRoomInfo) parts.config.refresh();
  }

  /** Move to `state`, emitting `stateChanged` (nothing when unchanged). */
  setState(state: RoomState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    if (previous === RoomState.HISTORY) this.#parts.replay.clear();
    if (state === RoomState.ACTIVE) this.#parts.catchUp.historyOver();
    this.#ctx.emit('stateChanged', { state, previous });
  }

  /**
   * End the room: state DISCONNECTED, pending operations failed, trackers aborted, removed
   * from the client; then `exit` (when given) and `stateChanged`; then leaves resolve.
   */
  terminate(exit: RoomEvents['exit'] | undefined, joinError?: Error): void {
    if (this.#closed) return;
    const parts = this.#parts;
    const removedByRoom = exit !== undefined && (exit.presence !== undefined || joinError instanceof MucJoinError);
    if (removedByRoom && parts.autorejoin() && !this.#givingUp && parts.rejoin.intercept(exit, joinError)) return;
    this.#closed = true;
    parts.selfPing.stop();
    parts.rejoin.cancel();
    parts.catchUp.stop();
    const previous = this.#state;
    this.#state = RoomState.DISCONNECTED;
    parts.replay.clear();
    parts.config.stop();
    parts.join.fail(joinError);
    this.#failPending(new NotJoinedError('The room was left'));
    for (const tracker of parts.trackers.all()) tracker.abort();
    parts.removed();
    if (exit) this.#ctx.emit('exit', exit);
    if (previous !== RoomState.DISCONNECTED) this.#ctx.emit('stateChanged', { state: RoomState.DISCONNECTED, previous });
    parts.leaves.settle();
  }

  /** The rejoin retries are over: exit for good. */
  giveUp(exit: RoomEvents['exit'], error: Error): void {
    this.#givingUp = true;
    this.terminate(exit, error);
  }

  /** `Room.leave`: wait for our unavailable self-presence, or abandon a join not complete. */
  leave(options: AbortOptions): Promise<void> {
    if (this.#closed) return Promise.resolve();
    try {
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (this.isActive) return this.#parts.leaves.start(options);
    if (this.#parts.join.inFlight) this.sendUnavailable();
    this.terminate(
      this.#entered ? localExit(this.#ctx, LeaveMode.NORMAL) : undefined,
      new AbortError('Left the room before the join completed'),
    );
    return Promise.resolve();
  }

  /** The client is closing: leave without waiting. */
  close(): void {
    if (this.#closed) return;
    if (this.isActive || this.#parts.join.inFlight) this.sendUnavailable();
    this.terminate(this.#entered ? localExit(this.#ctx, LeaveMode.NORMAL) : undefined, new AbortError('The MUC client was closed'));
  }

  #failPending(error: Error): void {
    this.#parts.nickChange.fail(error);
    this.#parts.topics.fail(error);
  }

  /**
   * Send the join presence. A rejoin sends it at once (so it goes out before whatever the
   * connection queued during the outage), its catch-up planned on the features last known
   * (or the room's stanza-ids, see `RoomCatchUp`); a first join resuming from a stored
   * position first asks the room's disco#info whether it has an archive.
   */
  sendJoin(): void {
    const { join, replay, catchUp } = this.#parts;
    const token = ++this.#joinToken;
    const rejoin = this.#entered;
    if (!rejoin && !catchUp.resumesFirstJoin) {
      join.send(this.#nick, replay.request, this.#parts.password());
      return;
    }
    if (rejoin) {
      replay.rejoining();
      join.send(this.#nick, catchUp.joinHistory(replay.request), this.#parts.password());
      return;
    }
    void catchUp.discover().then(() => {
      if (token !== this.#joinToken || this.#closed || this.#state !== RoomState.JOIN_PRESENCE) return;
      if (this.#ctx.host.connection.status !== 'online') return;
      join.send(this.#nick, catchUp.joinHistory(replay.request), this.#parts.password());
    });
  }

  /** Send the first join's presence if it waits for a session (none sent on the current one). */
  sendDeferredJoin(): void {
    if (this.#state === RoomState.JOIN_PRESENCE && !this.#parts.join.sentOnSession) this.sendJoin();
  }

  /** The room is out of reach but will be rejoined: DISCONNECTED, `suspend` (once per outage). */
  suspend(): void {
    this.#streamLost(new DisconnectedError('The room is being rejoined'));
    if (this.#state === RoomState.DISCONNECTED) return;
    this.setState(RoomState.DISCONNECTED);
    if (this.#entered) this.#ctx.emit('suspend', {});
  }

  /** Rejoin a suspended room: occupants cleared, `resume`, the join presence with the catch-up's history. */
  resumeAndJoin(): void {
    if (this.#closed) return;
    this.#ctx.registry.clear();
    this.setState(RoomState.JOIN_PRESENCE);
    if (this.#entered) this.#ctx.emit('resume', {});
    this.sendJoin();
  }

  /** A self-ping says we are out: rejoin (autorejoin, per the retry policy) or exit DISCONNECTED. */
  selfPingGone(): void {
    if (this.#closed) return;
    const exit = localExit(this.#ctx, LeaveMode.DISCONNECTED);
    if (this.#parts.autorejoin() && this.#parts.rejoin.lost(LeaveMode.DISCONNECTED, exit)) return;
    this.terminate(exit, new DisconnectedError('The room dropped us'));
  }

  /** The stream is gone (not resumed): suspend (autorejoin) or exit. */
  streamDestroyed(): void {
    if (this.#closed) return;
    this.#parts.rejoin.cancel();
    if (this.#parts.autorejoin()) {
      this.suspend();
      return;
    }
    this.#streamLost(new DisconnectedError('The stream was lost'));
    this.terminate(
      this.#entered ? localExit(this.#ctx, LeaveMode.DISCONNECTED) : undefined,
      new DisconnectedError('The stream was lost during the join'),
    );
  }

  /** A new stream is up: (re)send the join presence, resuming a suspended room. */
  streamEstablished(): void {
    if (this.#closed) return;
    if (this.isActive) {
      // A new session without a `destroyed` first: the old occupancy is gone all the same.
      this.streamDestroyed();
      if (this.#closed) return;
    }
    if (this.#state === RoomState.JOIN_PRESENCE) {
      // Whatever was sent on an earlier session is lost, and so is whoever it showed us.
      this.#parts.join.streamLost();
      this.#ctx.registry.clear();
      this.sendJoin();
      return;
    }
    if (this.#state !== RoomState.DISCONNECTED) return;
    if (!this.#entered) {
      this.#ctx.registry.clear();
      this.setState(RoomState.JOIN_PRESENCE);
      this.sendJoin();
      return;
    }
    this.resumeAndJoin();
  }

  /** The stream (or the occupancy) is lost: join, replay, self-ping and catch-up stop; pending operations fail. */
  #streamLost(error: Error): void {
    const parts = this.#parts;
    parts.join.streamLost();
    parts.replay.streamLost();
    parts.selfPing.stop();
    parts.catchUp.stop();
    this.#failPending(error);
  }
}
