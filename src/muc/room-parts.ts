/**
 * The parts of a {@link Room} and how they are wired together: the room's internal
 * {@link RoomContext}, one instance of each concern (room-join.ts, history.ts, pending-ops.ts,
 * room-presences.ts, room-messages.ts, room-moderation.ts, room-voice.ts, room-invitations.ts,
 * room-config.ts, room-catchup.ts, room-selfping.ts, room-rejoin.ts), its
 * {@link RoomLifecycle} (state and transitions), and the {@link RoomDriver} its client drives
 * it through. The public `Room` builds its parts once and delegates to them.
 * @internal
 */
import type { Element } from 'ltx';
import type { AbortOptions } from '../core/abort.js';
import type { JID } from '../core/jid.js';
import { HistoryReplay } from './history.js';
import type { ServiceMember } from './occupant.js';
import { OccupantRegistry } from './occupant-registry.js';
import { NickChange, PendingLeaves, TopicChanges } from './pending-ops.js';
import { RoomCatchUp } from './room-catchup.js';
import { RoomConfig } from './room-config.js';
import type { RoomContext, RoomInit, RoomServices } from './room-context.js';
import type { RoomEvents } from './room-events.js';
import { RoomInvitations } from './room-invitations.js';
import { RoomJoin } from './room-join.js';
import { RoomLifecycle } from './room-lifecycle.js';
import { RoomMessages } from './room-messages.js';
import { RoomModeration } from './room-moderation.js';
import { RoomPresences } from './room-presences.js';
import { RoomRejoin } from './room-rejoin.js';
import { RoomSelfPing } from './room-selfping.js';
import { RoomVoice } from './room-voice.js';
import { ReflectionMatcher } from './tracking.js';

/** How the client drives a room: inbound stanzas, the stream lifecycle, close. @internal */
export interface RoomDriver {
  /** A presence whose bare `from` is the room. */
  handlePresence(stanza: Element, from: JID): void;
  /** A message whose bare `from` is the room; returns whether it was claimed. */
  handleMessage(stanza: Element, from: JID): boolean;
  /** The occupant JID of the occupant whose nick is exactly `nick` (no preparation needed), if one is in the room. */
  occupantJid(nick: string): JID | undefined;
  /** The XEP-0198 ack of a message sent to the room. */
  handleAcked(stanza: Element): void;
  /** Send the join presence (first join). */
  sendJoin(): void;
  /** Send the first join's presence if it waits for a session (none sent on the current one). */
  sendDeferredJoin(): void;
  /** Bind the first join to an abort signal and a timeout. */
  bindJoin(options: AbortOptions): void;
  /** The stream is gone (not resumed). */
  streamDestroyed(): void;
  /** A new stream is up. */
  streamEstablished(): void;
  /** The client is closing: leave without waiting. */
  close(): void;
}

/** What the parts need of the public room. @internal */
export interface RoomShell {
  /** The room itself as a member. */
  serviceMember: ServiceMember;
  /** Emit a room event to the room's listeners. */
  emit<K extends keyof RoomEvents>(event: K, payload: RoomEvents[K]): void;
  /** `Room.autorejoin` (settable). */
  autorejoin(): boolean;
  /** `Room.password` (settable). */
  password(): string | undefined;
  /** The room leaves its client's bookkeeping. */
  removed(): void;
}

/** The parts of one room. @internal */
export interface RoomParts {
  readonly registry: OccupantRegistry;
  readonly life: RoomLifecycle;
  readonly join: RoomJoin;
  readonly nickChange: NickChange;
  readonly topics: TopicChanges;
  readonly messages: RoomMessages;
  readonly moderation: RoomModeration;
  readonly voice: RoomVoice;
  readonly invitations: RoomInvitations;
  readonly config: RoomConfig;
  readonly selfPing: RoomSelfPing;
  readonly catchUp: RoomCatchUp;
  readonly driver: RoomDriver;
}

/**
 * Build the parts of a room. Throws `InvalidArgumentError` for a bad self-ping timing or
 * rejoin policy in `init`.
 */
export function createRoomParts(host: RoomServices, init: RoomInit, shell: RoomShell): RoomParts {
  const registry = new OccupantRegistry();
  const trackers = new ReflectionMatcher();
  // Built last: the context and the callbacks below read it lazily (no concern reads them while constructed).
  let life: RoomLifecycle;
  const ctx: RoomContext = {
    jid: init.jid,
    host,
    registry,
    get state() {
      return life.state;
    },
    get me() {
      return life.me;
    },
    get entered() {
      return life.entered;
    },
    get closed() {
      return life.closed;
    },
    emit: (event, payload) => {
      if (event === 'message') catchUp.emitting(payload as RoomEvents['message']);
      shell.emit(event, payload);
    },
    setState: (state) => life.setState(state),
    requireActive: () => life.requireActive(),
    terminate: (exit, joinError) => life.terminate(exit, joinError),
    sendUnavailable: () => life.sendUnavailable(),
    featuresKnown: (features) => {
      replay.featuresKnown(features);
      catchUp.featuresKnown(new Set(features));
    },
  };
  const join = new RoomJoin(ctx);
  const replay = new HistoryReplay(ctx, init.history);
  const nickChange = new NickChange(ctx);
  const topics = new TopicChanges(ctx);
  const leaves = new PendingLeaves(ctx);
  const presences = new RoomPresences(ctx, {
    join,
    nickChange,
    enter: (p) => life.enter(p),
    nickIs: (nick) => life.nickIs(nick),
  });
  const messages = new RoomMessages(ctx, { replay, trackers, topics, serviceMember: shell.serviceMember });
  const moderation = new RoomModeration(ctx);
  const voice = new RoomVoice(ctx);
  const invitations = new RoomInvitations(ctx, shell.password);
  const config = new RoomConfig(ctx);
  const catchUp = new RoomCatchUp(ctx, replay, init.since, (stanza, from) => messages.handle(stanza, from));
  const selfPing = new RoomSelfPing(
    ctx,
    init.selfPing,
    () => life.selfPingGone(),
    () => catchUp.fresh(),
  );
  const rejoin = new RoomRejoin(ctx, init.rejoin, {
    suspend: () => life.suspend(),
    resumeAndJoin: () => life.resumeAndJoin(),
    exit: (exit, error) => life.giveUp(exit, error),
  });
  life = new RoomLifecycle(ctx, init.nick, {
    join,
    replay,
    nickChange,
    topics,
    leaves,
    trackers,
    config,
    selfPing,
    rejoin,
    catchUp,
    autorejoin: shell.autorejoin,
    password: shell.password,
    removed: shell.removed,
  });
  const handleMessage = (stanza: Element, from: JID): boolean => {
    if (messages.handle(stanza, from)) {
      config.onRoomMessage(stanza, from);
      return true;
    }
    return voice.handle(stanza, from) || invitations.handle(stanza, from) || moderation.handleNotice(stanza, from);
  };
  const driver: RoomDriver = {
    handlePresence: (stanza, from) => {
      selfPing.traffic('presence');
      presences.handle(stanza, from);
    },
    handleMessage: (stanza, from) => {
      selfPing.traffic('message');
      if (catchUp.hold(stanza, from)) return true;
      return handleMessage(stanza, from);
    },
    occupantJid: (nick) => registry.getExact(nick)?.conversationJid,
    handleAcked: (stanza) => messages.acked(stanza),
    sendJoin: () => life.sendJoin(),
    sendDeferredJoin: () => life.sendDeferredJoin(),
    bindJoin: (options) => join.bind(options),
    streamDestroyed: () => life.streamDestroyed(),
    streamEstablished: () => life.streamEstablished(),
    close: () => life.close(),
  };
  return { registry, life, join, nickChange, topics, messages, moderation, voice, invitations, config, selfPing, catchUp, driver };
}
