/**
 * {@link Room}: one joined (or joining) multi-user chat. This file holds the public class: its
 * getters, its actions and its state transitions (enter, state changes, the end of the room,
 * stream lost and re-established).
 *
 * The pattern for everything else: each concern is a class in its own file (room-join.ts,
 * pending-ops.ts, history.ts, room-presences.ts, room-messages.ts, room-moderation.ts,
 * room-voice.ts, room-invitations.ts, room-config.ts; next self-ping, archive catch-up), constructed here with
 * the room's internal {@link RoomContext} (room-context.ts) and kept in a private field. Its
 * public methods are one-line delegates on `Room`; the room calls its hooks from the inbound
 * handlers and the transitions (`onPresence`, `streamLost`, `fail`...). A concern that needs
 * more of the room grows the context, never `Room`'s public surface. Pure decisions stay pure
 * functions tested directly (`diffPresence` in presence.ts, `classifyGroupchat` in groupchat.ts).
 *
 * The client drives a room through its {@link RoomController} (stanzas, stream lifecycle,
 * close), which only {@link openRoom} hands out; neither is exported by the package.
 */
import type { Element } from 'ltx';
import { checkDuration, type AbortOptions } from '../core/abort.js';
import { TypedEmitter } from '../core/emitter.js';
import { AbortError, DisconnectedError, NotJoinedError, toError } from '../core/errors.js';
import { type JID, nicknameKey, prepareNickname } from '../core/jid.js';
import type { LanguageMap } from '../core/language-map.js';
import type { Conversation } from '../im/conversation.js';
import type { AffiliatedEntity, AffiliationChange, RoleChange, RoleHolder } from './admin.js';
import { type Affiliation, LeaveMode, type Role, RoomState, StatusCode } from './constants.js';
import type { RoomFeatures, RoomInfo } from './discovery.js';
import type { ConfigurationFormInstance } from './forms.js';
import { HistoryReplay } from './history.js';
import { type Occupant, ServiceMember } from './occupant.js';
import { OccupantRegistry } from './occupant-registry.js';
import { NickChange, PendingLeaves, TopicChanges } from './pending-ops.js';
import { type OccupantPresence, occupantFromPresence } from './presence.js';
import type { ConfigSubmission } from './owner.js';
import { RoomConfig, type DestroyOptions } from './room-config.js';
import { type RoomContext, type RoomInit, type RoomServices, localExit, sendQuietly } from './room-context.js';
import type { RoomEvents } from './room-events.js';
import { type InviteOptions, RoomInvitations } from './room-invitations.js';
import { RoomJoin } from './room-join.js';
import { RoomMessages } from './room-messages.js';
import { type BanOptions, type BatchOptions, type ModerationOptions, RoomModeration } from './room-moderation.js';
import { RoomPresences } from './room-presences.js';
import { RoomVoice } from './room-voice.js';
import { type OutgoingMessage, groupchatMessage, leavePresence, privateMessage } from './room-stanzas.js';
import { RoomCatchUp } from './room-catchup.js';
import { RoomRejoin } from './room-rejoin.js';
import { RoomSelfPing } from './room-selfping.js';
import { MucJoinError } from './join-error.js';
import type { RoomPosition } from './position.js';
import type { SelfPingOptions } from './self-ping.js';
import { type MessageTracker, ReflectionMatcher } from './tracking.js';

/** Options of {@link Room.sendMessageTracked}. */
export interface TrackedSendOptions {
  /** Time to wait for the reflection before `TIMED_OUT` (default 120 000; 0: never). */
  timeoutMs?: number | undefined;
}

/** What the client lends its rooms, and how a room leaves the client's bookkeeping. @internal */
export interface RoomHost extends RoomServices {
  /** The room left the bookkeeping (exit, failed join, leave before joining). */
  removed(room: Room): void;
}

/** How the {@link MucClient} drives a room: not API (not exported by the package). @internal */
export interface RoomController {
  /** The room it drives. */
  readonly room: Room;
  /** A presence whose bare `from` is the room. */
  handlePresence(stanza: Element, from: JID): void;
  /** A message whose bare `from` is the room; returns whether it was claimed. */
  handleMessage(stanza: Element, from: JID): boolean;
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

let open: (host: RoomHost, init: RoomInit) => RoomController;

/** Create a room and the controller its client drives it through. @internal */
export function openRoom(host: RoomHost, init: RoomInit): RoomController {
  return open(host, init);
}

/**
 * A multi-user chat room (aioxmpp `Room`), created by `MucClient.join()`.
 *
 * Sending before the join completes: `sendMessage`, `sendMessageTracked`,
 * `sendPrivateMessage`, `setTopic` and `setNick` need the room entered (state HISTORY or
 * ACTIVE); before that (and while suspended) they reject (or throw) {@link NotJoinedError}:
 * nothing is queued and nothing is lost silently.
 *
 * @example
 * ```ts
 * const { room, joined } = muc.join('room@conference.example.org', 'alice');
 * room.on('message', ({ member, message }) => console.log(member.nick, message.body.any()));
 * await joined;
 * await room.sendMessage('hello');
 * ```
 */
export class Room extends TypedEmitter<RoomEvents> implements Conversation {
  static {
    open = (host, init) => new Room(host, init).#controller;
  }

  /** The room's bare JID. */
  readonly jid: JID;
  /** The room itself as a member (sender of messages from the bare JID). */
  readonly serviceMember: ServiceMember;
  /** Whether the room is rejoined when a new stream is established. */
  autorejoin: boolean;
  /** The password used to (re)join. */
  password: string | undefined;
  /** The first join's completion: the same promise as `MucClient.join()`'s `joined`. */
  readonly joined: Promise<void>;

  readonly #host: RoomHost;
  readonly #registry = new OccupantRegistry();
  readonly #matcher = new ReflectionMatcher();
  readonly #ctx: RoomContext;
  readonly #controller: RoomController;
  readonly #join: RoomJoin;
  readonly #replay: HistoryReplay;
  readonly #nickChange: NickChange;
  readonly #topics: TopicChanges;
  readonly #leaves: PendingLeaves;
  readonly #presences: RoomPresences;
  readonly #messages: RoomMessages;
  readonly #moderation: RoomModeration;
  readonly #voice: RoomVoice;
  readonly #invitations: RoomInvitations;
  readonly #config: RoomConfig;
  readonly #selfPing: RoomSelfPing;
  readonly #rejoin: RoomRejoin;
  readonly #catchUp: RoomCatchUp;
  /** The retries are over: the next termination is final. */
  #givingUp = false;
  /** Bumped by every join presence sent, so a deferred first join sends at most once. */
  #joinToken = 0;
  #state: RoomState = RoomState.JOIN_PRESENCE;
  #me: Occupant | undefined;
  #entered = false;
  #closed = false;
  #nick: string;

  private constructor(host: RoomHost, init: RoomInit) {
    super({ logger: host.logger, clock: host.clock });
    this.#host = host;
    this.jid = init.jid;
    this.#nick = init.nick;
    this.password = init.password;
    this.autorejoin = init.autorejoin;
    this.serviceMember = new ServiceMember(init.jid);
    const room = this;
    this.#ctx = {
      jid: init.jid,
      host,
      registry: this.#registry,
      get state() {
        return room.#state;
      },
      get me() {
        return room.#me;
      },
      get entered() {
        return room.#entered;
      },
      get closed() {
        return room.#closed;
      },
      emit: (event, payload) => {
        if (event === 'message') this.#catchUp.emitting(payload as RoomEvents['message']);
        this.emit(event, payload);
      },
      setState: (state) => this.#setState(state),
      requireActive: () => this.#requireActive(),
      terminate: (exit, joinError) => this.#terminate(exit, joinError),
      sendUnavailable: () => sendQuietly(this.#ctx, leavePresence(this.jid, this.#me?.nick ?? this.#nick), 'unavailable presence'),
      featuresKnown: (features) => {
        this.#replay.featuresKnown(features);
        this.#catchUp.featuresKnown(new Set(features));
      },
    };
    this.#join = new RoomJoin(this.#ctx);
    this.#replay = new HistoryReplay(this.#ctx, init.history);
    this.#nickChange = new NickChange(this.#ctx);
    this.#topics = new TopicChanges(this.#ctx);
    this.#leaves = new PendingLeaves(this.#ctx);
    this.#presences = new RoomPresences(this.#ctx, {
      join: this.#join,
      nickChange: this.#nickChange,
      enter: (p) => this.#enter(p),
      nickIs: (nick) => (this.#nick = nick),
    });
    this.#messages = new RoomMessages(this.#ctx, {
      replay: this.#replay,
      trackers: this.#matcher,
      topics: this.#topics,
      serviceMember: this.serviceMember,
    });
    this.#moderation = new RoomModeration(this.#ctx);
    this.#voice = new RoomVoice(this.#ctx);
    this.#invitations = new RoomInvitations(this.#ctx, () => this.password);
    this.#config = new RoomConfig(this.#ctx);
    this.#catchUp = new RoomCatchUp(this.#ctx, this.#replay, init.since, (stanza, from) => this.#messages.handle(stanza, from));
    this.#selfPing = new RoomSelfPing(
      this.#ctx,
      init.selfPing,
      () => this.#selfPingGone(),
      () => this.#catchUp.fresh(),
    );
    this.#rejoin = new RoomRejoin(this.#ctx, init.rejoin, {
      suspend: () => this.#suspend(),
      resumeAndJoin: () => this.#resumeAndJoin(),
      exit: (exit, error) => {
        this.#givingUp = true;
        this.#terminate(exit, error);
      },
    });
    this.joined = this.#join.joined;
    this.#controller = {
      room: this,
      handlePresence: (stanza, from) => {
        this.#selfPing.traffic('presence');
        this.#presences.handle(stanza, from);
      },
      handleMessage: (stanza, from) => {
        this.#selfPing.traffic('message');
        if (this.#catchUp.hold(stanza, from)) return true;
        return this.#handleMessage(stanza, from);
      },
      handleAcked: (stanza) => this.#messages.acked(stanza),
      sendJoin: () => this.#sendJoin(),
      sendDeferredJoin: () => {
        if (this.#state === RoomState.JOIN_PRESENCE && !this.#join.sentOnSession) this.#sendJoin();
      },
      bindJoin: (options) => this.#join.bind(options),
      streamDestroyed: () => this.#streamDestroyed(),
      streamEstablished: () => this.#streamEstablished(),
      close: () => this.#close(),
    };
  }

  // ---------------------------------------------------------------- state

  /** The {@link RoomState}. */
  get state(): RoomState {
    return this.#state;
  }

  /** True from `enter` until `exit` (also while suspended for autorejoin). */
  get isJoined(): boolean {
    return this.#entered && !this.#closed;
  }

  /** True while the room is live: HISTORY or ACTIVE. */
  get isActive(): boolean {
    return this.#state === RoomState.HISTORY || this.#state === RoomState.ACTIVE;
  }

  /** Our own occupant; `undefined` until the first `enter`. Its identity changes on each `enter`. */
  get me(): Occupant | undefined {
    return this.#me;
  }

  /** Every occupant, a copy, `me` first (once entered). */
  get members(): Occupant[] {
    const out: Occupant[] = [];
    const me = this.#me;
    if (me && this.#registry.get(me.nick) === me) out.push(me);
    for (const o of this.#registry.values()) if (o !== me) out.push(o);
    return out;
  }

  /** The current subject (empty until received). */
  get subject(): LanguageMap {
    return this.#messages.subject;
  }

  /** The nick of whoever set the subject, if known. */
  get subjectSetter(): string | undefined {
    return this.#messages.subjectSetter;
  }

  /**
   * Where we are in the discussion: the room's stanza-id of the last message received and when
   * it was received (`undefined` before any message). Store `position.toString()` and give
   * `RoomPosition.parse(stored)` back as the `since` join option to resume after a restart.
   */
  get position(): RoomPosition | undefined {
    return this.#catchUp.position;
  }

  /** Whether the room is stale: silent past `hardTimeoutMs`, not confirmed since (XEP-0410). */
  get isStale(): boolean {
    return this.#selfPing.stale;
  }

  /** XEP-0410: silence (ms) after which our occupant is self-pinged (default 13 min). Settable. */
  get softTimeoutMs(): number {
    return this.#selfPing.timing.softTimeoutMs;
  }

  set softTimeoutMs(ms: number) {
    this.#selfPing.set({ softTimeoutMs: ms });
  }

  /** XEP-0410: silence (ms) after which the room is `stale` (default 15 min). Settable. */
  get hardTimeoutMs(): number {
    return this.#selfPing.timing.hardTimeoutMs;
  }

  set hardTimeoutMs(ms: number) {
    this.#selfPing.set({ hardTimeoutMs: ms });
  }

  /** XEP-0410: time (ms) between two self-pings while pinging (default 2 min). Settable. */
  get pingIntervalMs(): number {
    return this.#selfPing.timing.pingIntervalMs;
  }

  set pingIntervalMs(ms: number) {
    this.#selfPing.set({ pingIntervalMs: ms });
  }

  /** XEP-0410: how long (ms) one self-ping waits for its reply (default 8 min). Settable. */
  get pingTimeoutMs(): number {
    return this.#selfPing.timing.pingTimeoutMs;
  }

  set pingTimeoutMs(ms: number) {
    this.#selfPing.set({ pingTimeoutMs: ms });
  }

  /** Change several self-ping durations at once (see {@link SelfPingOptions}); throws on a bad value. */
  setSelfPing(options: SelfPingOptions): void {
    this.#selfPing.set(options);
  }

  /** The occupant with this nick (RFC 8266 comparison), in O(1). */
  getOccupant(nick: string): Occupant | undefined {
    return this.#registry.get(nick);
  }

  /** The occupant with this XEP-0421 occupant id, in O(1). */
  getOccupantById(occupantId: string): Occupant | undefined {
    return this.#registry.getById(occupantId);
  }

  // ---------------------------------------------------------------- actions

  /**
   * Send a groupchat message: a text, or a message whose `to`/`type` the room sets (an `id`
   * and an XEP-0359 origin-id are added when missing). Resolves once handed to the
   * connection. Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendMessage(message: string | OutgoingMessage): Promise<void> {
    this.#requireActive();
    await this.#host.connection.send(groupchatMessage(this.jid, message, this.#host.newId));
  }

  /**
   * Send a groupchat message and track its reflection (see {@link MessageTracker}). A
   * reflection caught by the tracker is not emitted as `message`. Throws
   * {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  sendMessageTracked(message: string | OutgoingMessage, options: TrackedSendOptions = {}): MessageTracker {
    this.#requireActive();
    return this.#messages.sendTracked(groupchatMessage(this.jid, message, this.#host.newId), options.timeoutMs);
  }

  /**
   * Send a MUC private message (`type="chat"` to `room/nick`, with the muc#user marker).
   * Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendPrivateMessage(to: Occupant | string, text: string): Promise<void> {
    this.#requireActive();
    const nick = typeof to === 'string' ? prepareNickname(to) : to.nick;
    await this.#host.connection.send(privateMessage(this.jid, nick, text, this.#host.newId()));
  }

  /**
   * Set the subject. Resolves when the room reflects the new subject from us; rejects with
   * {@link StanzaError} (e.g. `forbidden`) on an error reply, {@link NotJoinedError} unless
   * HISTORY or ACTIVE, and `TimeoutError`/`AbortError` per `options`.
   */
  setTopic(topic: string | LanguageMap, options: AbortOptions = {}): Promise<void> {
    return this.#topics.start(topic, options);
  }

  /**
   * Change our nick. Resolves with the nick the service assigned once the 303 round trip is
   * complete; rejects with {@link StanzaError} (`conflict`, `not-acceptable`...) leaving the
   * old nick intact, {@link NotJoinedError} unless HISTORY or ACTIVE, and
   * {@link InvalidArgumentError} for a malformed nick or while another change is pending.
   */
  setNick(nick: string, options: AbortOptions = {}): Promise<string> {
    return this.#nickChange.start(nick, options);
  }

  /**
   * Leave the room. Resolves on our unavailable self-presence (`exit` with mode NORMAL);
   * the room then leaves the client's bookkeeping. Leaving a room still joining abandons the
   * join (`joined` rejects with {@link AbortError}). On timeout or abort the room is removed
   * locally all the same (an `exit` without presence) and the promise rejects.
   */
  leave(options: AbortOptions = {}): Promise<void> {
    if (this.#closed) return Promise.resolve();
    try {
      checkDuration('timeoutMs', options.timeoutMs);
    } catch (e) {
      return Promise.reject(toError(e));
    }
    if (this.isActive) return this.#leaves.start(options);
    if (this.#join.inFlight) this.#ctx.sendUnavailable();
    this.#terminate(
      this.#entered ? localExit(this.#ctx, LeaveMode.NORMAL) : undefined,
      new AbortError('Left the room before the join completed'),
    );
    return Promise.resolve();
  }

  // ---------------------------------------------------------------- moderation (room-moderation.ts)
  // Rejections: NotJoinedError unless HISTORY or ACTIVE (nothing sent); the server's StanzaError.

  /**
   * Kick an occupant (role `none`, XEP-0045 §8.2); resolves when the server acknowledges.
   * @example `await room.kick('troll', { reason: 'spam' });`
   */
  kick(member: Occupant | string, options: ModerationOptions = {}): Promise<void> {
    return this.#moderation.kick(member, options);
  }

  /**
   * Ban an occupant by its real JID (affiliation `outcast`, §9.1). Rejects with
   * InvalidArgumentError, nothing sent, when the room hides its real JID from us.
   * @example `await room.ban(room.getOccupant('troll')!, { reason: 'spam' });`
   */
  ban(member: Occupant | string, options: BanOptions = {}): Promise<void> {
    return this.#moderation.ban(member, options);
  }

  /**
   * Set an occupant's role by nick (§8: `visitor` revokes voice, `participant` grants it).
   * @example `await room.setRole('dave', 'participant', { reason: 'welcome' });`
   */
  setRole(nick: string, role: Role, options: ModerationOptions = {}): Promise<void> {
    return this.#moderation.setRole(nick, role, options);
  }

  /**
   * Set an entity's affiliation by its bare JID (§9, §10), in the room or not.
   * @example `await room.setAffiliation('bob@example.org', 'member');`
   */
  setAffiliation(jid: JID | string, affiliation: Affiliation, options: ModerationOptions = {}): Promise<void> {
    return this.#moderation.setAffiliation(jid, affiliation, options);
  }

  /**
   * Several role changes: one IQ per change by default (Prosody applies only the first item
   * of a batch), one IQ with `oneIq: true`.
   * @example `await room.setRoles([{ nick: 'a', role: 'visitor' }, { nick: 'b', role: 'visitor' }]);`
   */
  setRoles(changes: readonly RoleChange[], options: BatchOptions = {}): Promise<void> {
    return this.#moderation.setRoles(changes, options);
  }

  /**
   * Several affiliation changes, as {@link Room.setRoles}.
   * @example `await room.setAffiliations([{ jid: 'a@example.org', affiliation: 'member' }], { oneIq: true });`
   */
  setAffiliations(changes: readonly AffiliationChange[], options: BatchOptions = {}): Promise<void> {
    return this.#moderation.setAffiliations(changes, options);
  }

  /**
   * The entities with an affiliation (owner, admin, member, outcast), with nick and reason.
   * @example `const banned = await room.getAffiliated('outcast');`
   */
  getAffiliated(affiliation: Affiliation, options: AbortOptions = {}): Promise<AffiliatedEntity[]> {
    return this.#moderation.getAffiliated(affiliation, options);
  }

  /**
   * The occupants with a role (moderator, participant, visitor).
   * @example `const mods = await room.getRoles('moderator');`
   */
  getRoles(role: Role, options: AbortOptions = {}): Promise<RoleHolder[]> {
    return this.#moderation.getRoles(role, options);
  }

  /**
   * Ask the room's moderators for voice (§7.13); resolves once sent. Moderators see `roleRequest`.
   * @example `if (room.me?.role === 'visitor') await room.requestVoice();`
   */
  requestVoice(): Promise<void> {
    return this.#voice.request();
  }

  /**
   * Invite someone: DIRECT (XEP-0249, default; carries the room password) or MEDIATED (through
   * the room; a decline comes back as `declined`). Resolves once sent.
   * @example `await room.invite('bob@example.org', { reason: 'join us', mode: InviteMode.MEDIATED });`
   */
  invite(jid: JID | string, options: InviteOptions = {}): Promise<void> {
    return this.#invitations.invite(jid, options);
  }

  // ---------------------------------------------------------------- configuration (room-config.ts)

  /**
   * Unlock a room this join created (status 201) with the default configuration (§10.1.2).
   * @example `room.on('enter', ({ statusCodes }) => statusCodes.has(201) && void room.createInstant());`
   */
  createInstant(options: AbortOptions = {}): Promise<void> {
    return this.#config.createInstant(options);
  }

  /**
   * Unlock a room this join created with a configuration (§10.1.3): a filled
   * {@link ConfigurationForm} instance, a `DataForm` of type submit, or the element.
   * @example `const c = await room.getConfiguration(); c.persistentroom = true; await room.createConfigured(c);`
   */
  createConfigured(form: ConfigSubmission, options: AbortOptions = {}): Promise<void> {
    return this.#config.setConfiguration(form, options);
  }

  /**
   * The room's configuration form, typed (unknown server fields kept).
   * @example `const config = await room.getConfiguration(); console.log(config.membersonly);`
   */
  getConfiguration(options: AbortOptions = {}): Promise<ConfigurationFormInstance> {
    return this.#config.getConfiguration(options);
  }

  /**
   * Submit a configuration; occupants then see `configChanged`.
   * @example `const c = await room.getConfiguration(); c.moderatedroom = true; await room.setConfiguration(c);`
   */
  setConfiguration(form: ConfigSubmission, options: AbortOptions = {}): Promise<void> {
    return this.#config.setConfiguration(form, options);
  }

  /**
   * Cancel a configuration (of a new locked room: destroys it, §10.1.3).
   * @example `await room.cancelConfiguration();`
   */
  cancelConfiguration(options: AbortOptions = {}): Promise<void> {
    return this.#config.cancelConfiguration(options);
  }

  /**
   * Destroy the room (§10.9); every occupant (us too) exits with mode DESTROYED, the reason
   * and the alternate venue.
   * @example `await room.destroy({ reason: 'moved', alternateVenue: 'new@conference.example.org' });`
   */
  destroy(options: DestroyOptions = {}): Promise<void> {
    return this.#config.destroy(options);
  }

  /**
   * Fetch the room's disco#info now (also done after `enter` and each `configChanged`);
   * updates `info`/`features` and emits `infoChanged`.
   * @example `const { features } = await room.getRoomInfo(); if (features.moderated) ...`
   */
  getRoomInfo(options: AbortOptions = {}): Promise<RoomInfo> {
    return this.#config.getRoomInfo(options);
  }

  /** The room's disco information, once fetched (see {@link Room.getRoomInfo}). */
  get info(): RoomInfo | undefined {
    return this.#config.info;
  }

  /** The room's features as booleans, once its information was fetched (aioxmpp `Room.features`: `info.featureSet`). */
  get features(): RoomFeatures | undefined {
    return this.#config.features;
  }

  // ---------------------------------------------------------------- transitions

  /** Our self-presence (status 110) completes the join: HISTORY, `enter`, `joined` resolves. */
  #enter(p: OccupantPresence): void {
    const logger = this.#host.logger;
    if (!p.state.available) {
      logger.debug('unavailable self-presence before the join completed ignored', { nick: p.nick });
      return;
    }
    if (nicknameKey(p.nick) !== nicknameKey(this.#nick) && !p.statusCodes.has(StatusCode.NICKNAME_MODIFIED)) {
      logger.debug('self-presence for another nick without status 210 ignored', { nick: p.nick });
      return;
    }
    const me = occupantFromPresence(p, true, this.#host.randomId);
    const clash = this.#registry.get(me.nick);
    if (clash) this.#registry.remove(clash);
    this.#registry.add(me);
    this.#me = me;
    this.#nick = me.nick;
    this.#entered = true;
    this.#setState(RoomState.HISTORY);
    this.#replay.arm();
    this.emit('enter', { presence: p.stanza, occupant: me, statusCodes: p.statusCodes });
    this.#join.entered();
    this.#rejoin.entered();
    this.#catchUp.entered();
    if (this.#host.fetchRoomInfo) this.#config.refresh();
  }

  #handleMessage(stanza: Element, from: JID): boolean {
    if (this.#messages.handle(stanza, from)) {
      this.#config.onRoomMessage(stanza, from);
      return true;
    }
    return this.#voice.handle(stanza, from) || this.#invitations.handle(stanza, from) || this.#moderation.handleNotice(stanza, from);
  }

  #setState(state: RoomState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    if (previous === RoomState.HISTORY) this.#replay.clear();
    if (state === RoomState.ACTIVE) this.#catchUp.historyOver();
    this.emit('stateChanged', { state, previous });
  }

  /**
   * End the room: state DISCONNECTED, pending operations failed, trackers aborted, removed
   * from the client; then `exit` (when given) and `stateChanged`; then leaves resolve.
   */
  #terminate(exit: RoomEvents['exit'] | undefined, joinError?: Error): void {
    if (this.#closed) return;
    const removedByRoom = exit !== undefined && (exit.presence !== undefined || joinError instanceof MucJoinError);
    if (removedByRoom && this.autorejoin && !this.#givingUp && this.#rejoin.intercept(exit, joinError)) return;
    this.#closed = true;
    this.#selfPing.stop();
    this.#rejoin.cancel();
    this.#catchUp.stop();
    const previous = this.#state;
    this.#state = RoomState.DISCONNECTED;
    this.#replay.clear();
    this.#config.stop();
    this.#join.fail(joinError);
    this.#failPending(new NotJoinedError('The room was left'));
    for (const tracker of this.#matcher.all()) tracker.abort();
    this.#host.removed(this);
    if (exit) this.emit('exit', exit);
    if (previous !== RoomState.DISCONNECTED) this.emit('stateChanged', { state: RoomState.DISCONNECTED, previous });
    this.#leaves.settle();
  }

  #failPending(error: Error): void {
    this.#nickChange.fail(error);
    this.#topics.fail(error);
  }

  #requireActive(): void {
    if (this.#closed) throw new NotJoinedError('The room was left');
    if (!this.isActive) throw new NotJoinedError(`The room is not joined yet (state ${this.#state})`);
  }

  /**
   * Send the join presence. A rejoin sends it at once (so it goes out before whatever the
   * connection queued during the outage), its catch-up planned on the features last known
   * (or the room's stanza-ids, see `RoomCatchUp`); a first join resuming from a stored
   * position first asks the room's disco#info whether it has an archive.
   */
  #sendJoin(): void {
    const token = ++this.#joinToken;
    const rejoin = this.#entered;
    if (!rejoin && !this.#catchUp.resumesFirstJoin) {
      this.#join.send(this.#nick, this.#replay.request, this.password);
      return;
    }
    if (rejoin) {
      this.#replay.rejoining();
      this.#join.send(this.#nick, this.#catchUp.joinHistory(this.#replay.request), this.password);
      return;
    }
    void this.#catchUp.discover().then(() => {
      if (token !== this.#joinToken || this.#closed || this.#state !== RoomState.JOIN_PRESENCE) return;
      if (this.#host.connection.status !== 'online') return;
      this.#join.send(this.#nick, this.#catchUp.joinHistory(this.#replay.request), this.password);
    });
  }

  /** The room is out of reach but will be rejoined: DISCONNECTED, `suspend` (once per outage). */
  #suspend(): void {
    this.#join.streamLost();
    this.#replay.streamLost();
    this.#selfPing.stop();
    this.#catchUp.stop();
    this.#failPending(new DisconnectedError('The room is being rejoined'));
    if (this.#state === RoomState.DISCONNECTED) return;
    this.#setState(RoomState.DISCONNECTED);
    if (this.#entered) this.emit('suspend', {});
  }

  /** Rejoin a suspended room: occupants cleared, `resume`, the join presence with the catch-up's history. */
  #resumeAndJoin(): void {
    if (this.#closed) return;
    this.#registry.clear();
    this.#setState(RoomState.JOIN_PRESENCE);
    if (this.#entered) this.emit('resume', {});
    this.#sendJoin();
  }

  /** A self-ping says we are out: rejoin (autorejoin, per the retry policy) or exit DISCONNECTED. */
  #selfPingGone(): void {
    if (this.#closed) return;
    const exit = localExit(this.#ctx, LeaveMode.DISCONNECTED);
    if (this.autorejoin && this.#rejoin.lost(LeaveMode.DISCONNECTED, exit)) return;
    this.#terminate(exit, new DisconnectedError('The room dropped us'));
  }

  /** The stream is gone (not resumed): suspend (autorejoin) or exit. */
  #streamDestroyed(): void {
    if (this.#closed) return;
    this.#rejoin.cancel();
    if (this.autorejoin) {
      this.#suspend();
      return;
    }
    this.#join.streamLost();
    this.#replay.streamLost();
    this.#selfPing.stop();
    this.#catchUp.stop();
    this.#failPending(new DisconnectedError('The stream was lost'));
    this.#terminate(
      this.#entered ? localExit(this.#ctx, LeaveMode.DISCONNECTED) : undefined,
      new DisconnectedError('The stream was lost during the join'),
    );
  }

  /** A new stream is up: (re)send the join presence, resuming a suspended room. */
  #streamEstablished(): void {
    if (this.#closed) return;
    if (this.isActive) {
      // A new session without a `destroyed` first: the old occupancy is gone all the same.
      this.#streamDestroyed();
      if (this.#closed) return;
    }
    if (this.#state === RoomState.JOIN_PRESENCE) {
      // Whatever was sent on an earlier session is lost, and so is whoever it showed us.
      this.#join.streamLost();
      this.#registry.clear();
      this.#sendJoin();
      return;
    }
    if (this.#state !== RoomState.DISCONNECTED) return;
    if (!this.#entered) {
      this.#registry.clear();
      this.#setState(RoomState.JOIN_PRESENCE);
      this.#sendJoin();
      return;
    }
    this.#resumeAndJoin();
  }

  /** The client is closing: leave without waiting. */
  #close(): void {
    if (this.#closed) return;
    if (this.isActive || this.#join.inFlight) this.#ctx.sendUnavailable();
    this.#terminate(this.#entered ? localExit(this.#ctx, LeaveMode.NORMAL) : undefined, new AbortError('The MUC client was closed'));
  }
}
