/**
 * {@link Room}: one joined (or joining) multi-user chat. This file holds the public class, its
 * getters and actions one-line delegates to the room's parts (room-parts.ts wires them).
 *
 * The pattern: each concern is a class in its own file (room-join.ts, pending-ops.ts, history.ts,
 * room-presences.ts, room-messages.ts, room-moderation.ts, room-voice.ts, room-invitations.ts,
 * room-config.ts, room-selfping.ts, room-rejoin.ts, room-catchup.ts) built with the room's internal
 * `RoomContext` (room-context.ts); the state and its transitions (enter, the end of the room,
 * stream lost and re-established) live in room-lifecycle.ts. A concern that needs more of the
 * room grows the context, never `Room`'s public surface. Pure decisions stay pure functions
 * tested directly (`diffPresence` in presence.ts, `classifyGroupchat` in groupchat.ts).
 *
 * The client drives a room through its {@link RoomController} (stanzas, stream lifecycle,
 * close), which only {@link openRoom} hands out; neither is exported by the package.
 */
import type { AbortOptions } from '../core/abort.js';
import { TypedEmitter } from '../core/emitter.js';
import type { AbortError, NotJoinedError } from '../core/errors.js';
import { type JID, prepareNickname } from '../core/jid.js';
import type { LanguageMap } from '../core/language-map.js';
import type { Conversation } from '../im/conversation.js';
import type { AffiliatedEntity, AffiliationChange, RoleChange, RoleHolder } from './admin.js';
import type { Affiliation, Role, RoomState } from './constants.js';
import type { RoomFeatures, RoomInfo } from './discovery.js';
import type { ConfigurationFormInstance } from './forms.js';
import { type Occupant, ServiceMember } from './occupant.js';
import type { ConfigSubmission } from './owner.js';
import type { DestroyOptions } from './room-config.js';
import type { RoomInit, RoomServices } from './room-context.js';
import type { RoomEvents } from './room-events.js';
import type { InviteOptions } from './room-invitations.js';
import type { BanOptions, BatchOptions, ModerationOptions } from './room-moderation.js';
import { type RoomDriver, type RoomParts, createRoomParts } from './room-parts.js';
import { type OutgoingMessage, groupchatMessage, privateMessage } from './room-stanzas.js';
import type { RoomPosition } from './position.js';
import type { SelfPingOptions } from './self-ping.js';
import type { MessageTracker } from './tracking.js';

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

/** How the {@link MucClient} drives a room ({@link RoomDriver}): not API (not exported by the package). @internal */
export interface RoomController extends RoomDriver {
  /** The room it drives. */
  readonly room: Room;
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
    open = (host, init) => {
      const room = new Room(host, init);
      return { room, ...room.#parts.driver };
    };
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
  readonly #parts: RoomParts;

  private constructor(host: RoomHost, init: RoomInit) {
    super({ logger: host.logger, clock: host.clock });
    this.#host = host;
    this.jid = init.jid;
    this.password = init.password;
    this.autorejoin = init.autorejoin;
    this.serviceMember = new ServiceMember(init.jid);
    this.#parts = createRoomParts(host, init, {
      serviceMember: this.serviceMember,
      emit: (event, payload) => this.emit(event, payload),
      autorejoin: () => this.autorejoin,
      password: () => this.password,
      removed: () => host.removed(this),
    });
    this.joined = this.#parts.join.joined;
  }

  // ---------------------------------------------------------------- state

  /** The {@link RoomState}. */
  get state(): RoomState {
    return this.#parts.life.state;
  }

  /** True from `enter` until `exit` (also while suspended for autorejoin). */
  get isJoined(): boolean {
    return this.#parts.life.entered && !this.#parts.life.closed;
  }

  /** True while the room is live: HISTORY or ACTIVE. */
  get isActive(): boolean {
    return this.#parts.life.isActive;
  }

  /** Our own occupant; `undefined` until the first `enter`. Its identity changes on each `enter`. */
  get me(): Occupant | undefined {
    return this.#parts.life.me;
  }

  /** Every occupant, a copy, `me` first (once entered). */
  get members(): Occupant[] {
    const out: Occupant[] = [];
    const me = this.#parts.life.me;
    if (me && this.#parts.registry.get(me.nick) === me) out.push(me);
    for (const o of this.#parts.registry.values()) if (o !== me) out.push(o);
    return out;
  }

  /** The current subject (empty until received). */
  get subject(): LanguageMap {
    return this.#parts.messages.subject;
  }

  /** The nick of whoever set the subject, if known. */
  get subjectSetter(): string | undefined {
    return this.#parts.messages.subjectSetter;
  }

  /**
   * Where we are in the discussion: the room's stanza-id of the last message received and when
   * it was received (`undefined` before any message). Store `position.toString()` and give
   * `RoomPosition.parse(stored)` back as the `since` join option to resume after a restart.
   */
  get position(): RoomPosition | undefined {
    return this.#parts.catchUp.position;
  }

  /** Whether the room is stale: silent past `hardTimeoutMs`, not confirmed since (XEP-0410). */
  get isStale(): boolean {
    return this.#parts.selfPing.stale;
  }

  /** XEP-0410: silence (ms) after which our occupant is self-pinged (default 13 min). Settable. */
  get softTimeoutMs(): number {
    return this.#parts.selfPing.timing.softTimeoutMs;
  }

  set softTimeoutMs(ms: number) {
    this.#parts.selfPing.set({ softTimeoutMs: ms });
  }

  /** XEP-0410: silence (ms) after which the room is `stale` (default 15 min). Settable. */
  get hardTimeoutMs(): number {
    return this.#parts.selfPing.timing.hardTimeoutMs;
  }

  set hardTimeoutMs(ms: number) {
    this.#parts.selfPing.set({ hardTimeoutMs: ms });
  }

  /** XEP-0410: time (ms) between two self-pings while pinging (default 2 min). Settable. */
  get pingIntervalMs(): number {
    return this.#parts.selfPing.timing.pingIntervalMs;
  }

  set pingIntervalMs(ms: number) {
    this.#parts.selfPing.set({ pingIntervalMs: ms });
  }

  /** XEP-0410: how long (ms) one self-ping waits for its reply (default 8 min). Settable. */
  get pingTimeoutMs(): number {
    return this.#parts.selfPing.timing.pingTimeoutMs;
  }

  set pingTimeoutMs(ms: number) {
    this.#parts.selfPing.set({ pingTimeoutMs: ms });
  }

  /** Change several self-ping durations at once (see {@link SelfPingOptions}); throws on a bad value. */
  setSelfPing(options: SelfPingOptions): void {
    this.#parts.selfPing.set(options);
  }

  /** The occupant with this nick (RFC 8266 comparison), in O(1). */
  getOccupant(nick: string): Occupant | undefined {
    return this.#parts.registry.get(nick);
  }

  /** The occupant with this XEP-0421 occupant id, in O(1). */
  getOccupantById(occupantId: string): Occupant | undefined {
    return this.#parts.registry.getById(occupantId);
  }

  // ---------------------------------------------------------------- actions

  /**
   * Send a groupchat message: a text, or a message whose `to`/`type` the room sets (an `id`
   * and an XEP-0359 origin-id are added when missing). Resolves once handed to the
   * connection. Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendMessage(message: string | OutgoingMessage): Promise<void> {
    this.#parts.life.requireActive();
    await this.#host.connection.send(groupchatMessage(this.jid, message, this.#host.newId));
  }

  /**
   * Send a groupchat message and track its reflection (see {@link MessageTracker}). A
   * reflection caught by the tracker is not emitted as `message`. Throws
   * {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  sendMessageTracked(message: string | OutgoingMessage, options: TrackedSendOptions = {}): MessageTracker {
    this.#parts.life.requireActive();
    return this.#parts.messages.sendTracked(groupchatMessage(this.jid, message, this.#host.newId), options.timeoutMs);
  }

  /**
   * Send a MUC private message (`type="chat"` to `room/nick`, with the muc#user marker).
   * Rejects with {@link NotJoinedError} unless the room is HISTORY or ACTIVE.
   */
  async sendPrivateMessage(to: Occupant | string, text: string): Promise<void> {
    this.#parts.life.requireActive();
    const nick = typeof to === 'string' ? prepareNickname(to) : to.nick;
    await this.#host.connection.send(privateMessage(this.jid, nick, text, this.#host.newId()));
  }

  /**
   * Set the subject. Resolves when the room reflects the new subject from us; rejects with
   * {@link StanzaError} (e.g. `forbidden`) on an error reply, {@link NotJoinedError} unless
   * HISTORY or ACTIVE, and `TimeoutError`/`AbortError` per `options`.
   */
  setTopic(topic: string | LanguageMap, options: AbortOptions = {}): Promise<void> {
    return this.#parts.topics.start(topic, options);
  }

  /**
   * Change our nick. Resolves with the nick the service assigned once the 303 round trip is
   * complete; rejects with {@link StanzaError} (`conflict`, `not-acceptable`...) leaving the
   * old nick intact, {@link NotJoinedError} unless HISTORY or ACTIVE, and
   * {@link InvalidArgumentError} for a malformed nick or while another change is pending.
   */
  setNick(nick: string, options: AbortOptions = {}): Promise<string> {
    return this.#parts.nickChange.start(nick, options);
  }

  /**
   * Leave the room. Resolves on our unavailable self-presence (`exit` with mode NORMAL);
   * the room then leaves the client's bookkeeping. Leaving a room still joining abandons the
   * join (`joined` rejects with {@link AbortError}). On timeout or abort the room is removed
   * locally all the same (an `exit` without presence) and the promise rejects.
   */
  leave(options: AbortOptions = {}): Promise<void> {
    return this.#parts.life.leave(options);
  }

  // ---------------------------------------------------------------- moderation (room-moderation.ts)
  // Rejections: NotJoinedError unless HISTORY or ACTIVE (nothing sent); the server's StanzaError.

  /**
   * Kick an occupant (role `none`, XEP-0045 §8.2); resolves when the server acknowledges.
   * @example `await room.kick('troll', { reason: 'spam' });`
   */
  kick(member: Occupant | string, options: ModerationOptions = {}): Promise<void> {
    return this.#parts.moderation.kick(member, options);
  }

  /**
   * Ban an occupant by its real JID (affiliation `outcast`, §9.1). Rejects with
   * InvalidArgumentError, nothing sent, when the room hides its real JID from us.
   * @example `await room.ban(room.getOccupant('troll')!, { reason: 'spam' });`
   */
  ban(member: Occupant | string, options: BanOptions = {}): Promise<void> {
    return this.#parts.moderation.ban(member, options);
  }

  /**
   * Set an occupant's role by nick (§8: `visitor` revokes voice, `participant` grants it).
   * @example `await room.setRole('dave', 'participant', { reason: 'welcome' });`
   */
  setRole(nick: string, role: Role, options: ModerationOptions = {}): Promise<void> {
    return this.#parts.moderation.setRole(nick, role, options);
  }

  /**
   * Set an entity's affiliation by its bare JID (§9, §10), in the room or not.
   * @example `await room.setAffiliation('bob@example.org', 'member');`
   */
  setAffiliation(jid: JID | string, affiliation: Affiliation, options: ModerationOptions = {}): Promise<void> {
    return this.#parts.moderation.setAffiliation(jid, affiliation, options);
  }

  /**
   * Several role changes: one IQ per change by default (Prosody applies only the first item
   * of a batch), one IQ with `oneIq: true`.
   * @example `await room.setRoles([{ nick: 'a', role: 'visitor' }, { nick: 'b', role: 'visitor' }]);`
   */
  setRoles(changes: readonly RoleChange[], options: BatchOptions = {}): Promise<void> {
    return this.#parts.moderation.setRoles(changes, options);
  }

  /**
   * Several affiliation changes, as {@link Room.setRoles}.
   * @example `await room.setAffiliations([{ jid: 'a@example.org', affiliation: 'member' }], { oneIq: true });`
   */
  setAffiliations(changes: readonly AffiliationChange[], options: BatchOptions = {}): Promise<void> {
    return this.#parts.moderation.setAffiliations(changes, options);
  }

  /**
   * The entities with an affiliation (owner, admin, member, outcast), with nick and reason.
   * @example `const banned = await room.getAffiliated('outcast');`
   */
  getAffiliated(affiliation: Affiliation, options: AbortOptions = {}): Promise<AffiliatedEntity[]> {
    return this.#parts.moderation.getAffiliated(affiliation, options);
  }

  /**
   * The occupants with a role (moderator, participant, visitor).
   * @example `const mods = await room.getRoles('moderator');`
   */
  getRoles(role: Role, options: AbortOptions = {}): Promise<RoleHolder[]> {
    return this.#parts.moderation.getRoles(role, options);
  }

  /**
   * Ask the room's moderators for voice (§7.13); resolves once sent. Moderators see `roleRequest`.
   * @example `if (room.me?.role === 'visitor') await room.requestVoice();`
   */
  requestVoice(): Promise<void> {
    return this.#parts.voice.request();
  }

  /**
   * Invite someone: DIRECT (XEP-0249, default; carries the room password) or MEDIATED (through
   * the room; a decline comes back as `declined`). Resolves once sent.
   * @example `await room.invite('bob@example.org', { reason: 'join us', mode: InviteMode.MEDIATED });`
   */
  invite(jid: JID | string, options: InviteOptions = {}): Promise<void> {
    return this.#parts.invitations.invite(jid, options);
  }

  // ---------------------------------------------------------------- configuration (room-config.ts)

  /**
   * Unlock a room this join created (status 201) with the default configuration (§10.1.2).
   * @example `room.on('enter', ({ statusCodes }) => statusCodes.has(201) && void room.createInstant());`
   */
  createInstant(options: AbortOptions = {}): Promise<void> {
    return this.#parts.config.createInstant(options);
  }

  /**
   * Unlock a room this join created with a configuration (§10.1.3): a filled
   * {@link ConfigurationForm} instance, a `DataForm` of type submit, or the element.
   * @example `const c = await room.getConfiguration(); c.persistentroom = true; await room.createConfigured(c);`
   */
  createConfigured(form: ConfigSubmission, options: AbortOptions = {}): Promise<void> {
    return this.#parts.config.setConfiguration(form, options);
  }

  /**
   * The room's configuration form, typed (unknown server fields kept).
   * @example `const config = await room.getConfiguration(); console.log(config.membersonly);`
   */
  getConfiguration(options: AbortOptions = {}): Promise<ConfigurationFormInstance> {
    return this.#parts.config.getConfiguration(options);
  }

  /**
   * Submit a configuration; occupants then see `configChanged`.
   * @example `const c = await room.getConfiguration(); c.moderatedroom = true; await room.setConfiguration(c);`
   */
  setConfiguration(form: ConfigSubmission, options: AbortOptions = {}): Promise<void> {
    return this.#parts.config.setConfiguration(form, options);
  }

  /**
   * Cancel a configuration (of a new locked room: destroys it, §10.1.3).
   * @example `await room.cancelConfiguration();`
   */
  cancelConfiguration(options: AbortOptions = {}): Promise<void> {
    return this.#parts.config.cancelConfiguration(options);
  }

  /**
   * Destroy the room (§10.9); every occupant (us too) exits with mode DESTROYED, the reason
   * and the alternate venue.
   * @example `await room.destroy({ reason: 'moved', alternateVenue: 'new@conference.example.org' });`
   */
  destroy(options: DestroyOptions = {}): Promise<void> {
    return this.#parts.config.destroy(options);
  }

  /**
   * Fetch the room's disco#info now (also done after `enter` and each `configChanged`);
   * updates `info`/`features` and emits `infoChanged`.
   * @example `const { features } = await room.getRoomInfo(); if (features.moderated) ...`
   */
  getRoomInfo(options: AbortOptions = {}): Promise<RoomInfo> {
    return this.#parts.config.getRoomInfo(options);
  }

  /** The room's disco information, once fetched (see {@link Room.getRoomInfo}). */
  get info(): RoomInfo | undefined {
    return this.#parts.config.info;
  }

  /** The room's features as booleans, once its information was fetched (aioxmpp `Room.features`: `info.featureSet`). */
  get features(): RoomFeatures | undefined {
    return this.#parts.config.features;
  }
}
