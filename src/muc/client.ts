/**
 * {@link MucClient}: joins rooms and routes incoming stanzas to them. One stanza handler on
 * the connection; routing is a map lookup on the bare `from` (no JID parsing for stanzas
 * that are not a room's).
 */
import type { Element } from 'ltx';
import { checkDuration } from '../core/abort.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { XmppConnection } from '../core/connection.js';
import { TypedEmitter } from '../core/emitter.js';
import { DisconnectedError, InvalidArgumentError } from '../core/errors.js';
import { JID, parseJid, prepareNickname } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { ownString } from '../core/own-string.js';
import { InviteMode } from '../im/conversation.js';
import { setAffiliations } from './admin.js';
import type { Affiliation } from './constants.js';
import {
  type ListRoomsOptions,
  type MucService,
  type RoomInfo,
  type RoomPage,
  findMucService,
  getRoomInfo,
  getUniqueRoomName,
  listRooms,
} from './discovery.js';
import type { ConfigurationFormInstance } from './forms.js';
import { type Invitation, declineMessage, readInvitation } from './invitations.js';
import { type ConfigSubmission, type DestroyRoomOptions, destroyRoom, getRoomConfig, setRoomConfig } from './owner.js';
import type { History } from './payloads/muc.js';
import { type RegistrationInfo, getRegistrationForm, getReservedNick, registerNick } from './registration.js';
import { type MucRequestOptions, toJid } from './requests.js';
import type { RoomPosition } from './position.js';
import type { RejoinPolicyOptions } from './rejoin-policy.js';
import type { SelfPingOptions } from './self-ping.js';
import { type Room, type RoomController, type RoomHost, openRoom } from './room.js';
import type { ModerationOptions } from './room-moderation.js';

/** Events of the {@link MucClient}. */
export interface MucClientEvents {
  /**
   * A room was created by `join()`. Emitted right after the caller's synchronous code (and
   * always before the room's first event).
   */
  conversationAdded: {
    /** The new room. */
    room: Room;
  };
  /** A room left the client's bookkeeping (after its `exit`, or a failed join). */
  conversationRemoved: {
    /** The room that was removed. */
    room: Room;
  };
  /**
   * An invitation (aioxmpp `on_muc_invitation`): DIRECT (XEP-0249, from anyone: the inviter
   * is the sender) or MEDIATED (XEP-0045 §7.8.2, relayed by a room, joined or not: its
   * `inviterAddress` is only the room's claim, never proven; any room can name anyone).
   * Answer a mediated one with `declineInvitation()` or by joining.
   */
  mucInvitation: Invitation;
}

/** Options of {@link MucClient.joinWithReservedNick}. */
export interface ReservedNickJoinOptions extends JoinOptions {
  /** The nick to join with when none is reserved (default: reject with `InvalidArgumentError`). */
  fallbackNick?: string | undefined;
}

/** Options of the {@link MucClient} constructor. */
export interface MucClientOptions {
  /** Where problems and dropped input are reported. Default: silent. */
  logger?: Logger | undefined;
  /** The time source (inject a `FakeClock` in tests). */
  clock?: Clock | undefined;
  /** The stanza id generator (default: random UUIDs). */
  newId?: (() => string) | undefined;
  /** Random source for uids of occupants with no known identity (tests). */
  randomId?: (() => string) | undefined;
  /**
   * A room in HISTORY becomes ACTIVE after this long without a history message, for
   * services that never send the subject (default {@link DEFAULT_HISTORY_TIMEOUT_MS}; 0: never).
   */
  historyTimeoutMs?: number | undefined;
  /**
   * Fetch each room's disco#info after `enter` and after each configuration change, for
   * `Room.info` / `Room.features` (one disco#info IQ per join). Default false (the stanzas of
   * a join stay exactly the join presence); `Room.getRoomInfo()` fetches on demand.
   */
  fetchRoomInfo?: boolean | undefined;
  /**
   * XEP-0410 self-ping of every room (default: on, 13/15/2/8 minutes); `false`: off. A join
   * option of the same name overrides it per room; each room's durations are settable.
   */
  selfPing?: SelfPingOptions | false | undefined;
  /** Retries of a removal by error (333), a failed rejoin, a self-ping that found us out (default: 10 attempts, 1 s to 5 min backoff). */
  rejoin?: RejoinPolicyOptions | undefined;
}

/** Default of {@link MucClientOptions.historyTimeoutMs}. */
export const DEFAULT_HISTORY_TIMEOUT_MS = 15_000;

/** How much history to request on join (values as on the wire: `seconds` in seconds). */
export type HistoryOptions = History;

/** Options of {@link MucClient.join}. */
export interface JoinOptions {
  /** The room password; remembered on the room for rejoins. */
  password?: string | undefined;
  /** How much history to request (default: the service's default). Ignored on automatic rejoins, which ask for history since the last message seen. */
  history?: HistoryOptions | undefined;
  /** Rejoin automatically when a new stream is established after the old one was lost. Default true (as aioxmpp). */
  autorejoin?: boolean | undefined;
  /** Abandon the join: `joined` rejects with `AbortError` and an unavailable presence is sent. */
  signal?: AbortSignal | undefined;
  /**
   * Abandon the join after this long without an answer from the service: `joined` rejects
   * with `TimeoutError` and an unavailable presence is sent. The wait starts when the join
   * presence is sent (not at `join()` while the stream is down), restarts on each resend on
   * a new session, and is paused while the stream is down. Default
   * {@link DEFAULT_JOIN_TIMEOUT_MS}; `Infinity` waits without bound (use a `signal` then).
   */
  timeoutMs?: number | undefined;
  /** XEP-0410 self-ping of this room (overrides {@link MucClientOptions.selfPing}); `false`: off. */
  selfPing?: SelfPingOptions | false | undefined;
  /** Rejoin retries of this room (overrides {@link MucClientOptions.rejoin}). */
  rejoin?: RejoinPolicyOptions | undefined;
  /**
   * Where a previous process stopped (a stored `room.position`, or a time): the join catches
   * up from there, from the room's archive when it has one, else with history since that time.
   * Replaces `history`.
   */
  since?: RoomPosition | Date | undefined;
}

/** Default bound of {@link MucClient.join}'s `joined` promise: 60 s. */
export const DEFAULT_JOIN_TIMEOUT_MS = 60_000;

/** What {@link MucClient.join} returns. */
export interface JoinResult {
  /** The room, to attach listeners to right away. */
  room: Room;
  /**
   * Resolves on our self-presence (status 110). Rejects with `MucJoinError` (the room
   * refused: `reason` and `cause`), `AbortError`, `TimeoutError`, or `DisconnectedError`
   * (stream lost during the join of a room without autorejoin). An ignored rejection does
   * not crash the process.
   */
  joined: Promise<void>;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Whether `from` is `key/…` (`key`: a room's bare JID in its normalised form, without `/`). */
function isOccupantOf(from: string, key: string): boolean {
  return from.length > key.length && from.charCodeAt(key.length) === 0x2f && from.startsWith(key);
}
const NS_CONFERENCE = 'jabber:x:conference';

function defaultId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Client-side XEP-0045 multi-user chat over an {@link XmppConnection} (aioxmpp `MUCClient`).
 *
 * Stanzas whose bare `from` is a joined (or joining) room are claimed and handled by that
 * room (voice requests, declines and affiliation notices from a room's bare JID too);
 * invitations (mediated from any room, direct from anyone) are claimed and emitted as
 * `mucInvitation`; everything else is left to the application. Presences from a room's bare JID (ejabberd's caps
 * presence, the unavailable one before a kick) are claimed and ignored.
 *
 * @example
 * ```ts
 * const muc = new MucClient(connection);
 * const { room, joined } = muc.join('room@conference.example.org', 'alice', { history: { maxStanzas: 20 } });
 * room.on('enter', ({ statusCodes }) => { if (statusCodes.has(StatusCode.CREATED)) void room.createInstant(); });
 * await joined;
 * ```
 */
export class MucClient extends TypedEmitter<MucClientEvents> {
  readonly #connection: XmppConnection;
  readonly #logger: Logger;
  readonly #clock: Clock;
  /** The rooms joined or being joined, by bare JID, as the controllers they are driven through. */
  readonly #rooms = new Map<string, RoomController>();
  /**
   * The last `from` routed to a room found under the key `key` (the same occupant usually
   * sends the next stanza too); valid while that key still maps to that room.
   */
  #lastHit: { from: string; key: string; ctl: RoomController; jid: JID } | undefined;
  /** The room the last stanza from an occupant JID in its normalised form came from (a join's presences all do). */
  #lastRoom: { key: string; ctl: RoomController } | undefined;
  readonly #unannounced = new Set<Room>();
  readonly #host: RoomHost;
  readonly #offs: (() => void)[] = [];
  readonly #selfPing: SelfPingOptions | false | undefined;
  readonly #rejoin: RejoinPolicyOptions | undefined;
  /**
   * Whether the client holds a live session: the connection was online when the client was
   * made, or `established` came since the last `destroyed`. A join is sent at once only then
   * (see {@link MucClient.join}).
   */
  #sessionUp: boolean;
  #closed = false;

  constructor(connection: XmppConnection, options: MucClientOptions = {}) {
    super({ logger: options.logger, clock: options.clock });
    checkDuration('historyTimeoutMs', options.historyTimeoutMs);
    this.#connection = connection;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#selfPing = options.selfPing;
    this.#rejoin = options.rejoin;
    this.#host = {
      connection,
      logger: this.#logger,
      clock: this.#clock,
      newId: options.newId ?? defaultId,
      randomId: options.randomId,
      historyTimeoutMs: options.historyTimeoutMs ?? DEFAULT_HISTORY_TIMEOUT_MS,
      fetchRoomInfo: options.fetchRoomInfo ?? false,
      removed: (room) => this.#removed(room),
    };
    this.#sessionUp = connection.status === 'online';
    this.#offs.push(
      connection.addHandler((stanza) => this.#route(stanza)),
      connection.events.on('destroyed', () => {
        this.#sessionUp = false;
        for (const ctl of [...this.#rooms.values()]) ctl.streamDestroyed();
      }),
      connection.events.on('established', () => {
        this.#sessionUp = true;
        for (const ctl of [...this.#rooms.values()]) ctl.streamEstablished();
      }),
      connection.events.on('status', ({ status }) => {
        // Back online on the same session (an XEP-0198 resumption): joins deferred meanwhile
        // go out now. After the caller's code, so that an `established` emitted right after
        // this status (a new session) has sent them first.
        if (status === 'online' && this.#sessionUp) queueMicrotask(() => this.#sendDeferredJoins());
      }),
      connection.events.on('acked', ({ stanza }) => this.#acked(stanza)),
    );
  }

  /** The rooms joined or being joined (a copy). */
  get rooms(): Room[] {
    return [...this.#rooms.values()].map((c) => c.room);
  }

  /** The room with this bare JID, if joined or being joined. */
  getRoom(roomJid: JID | string): Room | undefined {
    const jid = typeof roomJid === 'string' ? JID.tryParse(roomJid) : roomJid;
    return jid ? this.#rooms.get(jid.bare().toString())?.room : undefined;
  }

  /**
   * Join a room. Synchronous: returns the room and a `joined` promise before anything can
   * be emitted. The join presence is sent right away when the connection is `online` on a
   * session this client saw established (or that was up when the client was made);
   * otherwise it is deferred to the next `established` (a new session) or to the return to
   * `online` of the same session (a resumption): exactly one join presence per session, even
   * for a `join()` made from a `status: online` listener, which runs before `established`.
   * The join timeout starts when the presence is sent (see {@link JoinOptions.timeoutMs}). Joining a room that is already joined or being joined returns
   * the existing room and promise (the new options are ignored). Throws
   * `InvalidArgumentError` at once for a malformed or non-bare room JID or a bad nick.
   */
  join(roomJid: JID | string, nick: string, options: JoinOptions = {}): JoinResult {
    if (this.#closed) throw new DisconnectedError('The MucClient is closed');
    let jid: JID;
    try {
      jid = typeof roomJid === 'string' ? JID.parse(roomJid) : roomJid;
    } catch (error) {
      throw new InvalidArgumentError(`Malformed room JID: ${JSON.stringify(String(roomJid))}`, { cause: error });
    }
    if (!jid.isBare || jid.local === undefined) throw new InvalidArgumentError(`A room JID must be bare (room@service): ${jid.toString()}`);
    const key = jid.toString();
    const existing = this.#rooms.get(key);
    if (existing) return { room: existing.room, joined: existing.room.joined };
    const wanted = prepareNickname(nick);
    const timeoutMs = options.timeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    if (timeoutMs !== Number.POSITIVE_INFINITY) checkDuration('timeoutMs', timeoutMs);
    const controller = openRoom(this.#host, {
      jid,
      nick: wanted,
      password: options.password,
      history: options.history,
      autorejoin: options.autorejoin ?? true,
      selfPing: options.selfPing ?? this.#selfPing,
      rejoin: options.rejoin ?? this.#rejoin,
      since: options.since,
    });
    const room = controller.room;
    this.#rooms.set(key, controller);
    this.#unannounced.add(room);
    queueMicrotask(() => this.#announce(room));
    controller.bindJoin({ signal: options.signal, timeoutMs: timeoutMs === Number.POSITIVE_INFINITY ? undefined : timeoutMs });
    if (this.#sessionUp && this.#connection.status === 'online' && !options.signal?.aborted) controller.sendJoin();
    return { room, joined: room.joined };
  }

  // ------------------------------------------------ without joining (admin.ts, owner.ts, discovery.ts, registration.ts)
  // Each rejects with StanzaError for the server's refusal, TimeoutError/AbortError per
  // options (default timeout DEFAULT_REQUEST_TIMEOUT_MS), InvalidArgumentError (nothing sent)
  // for a malformed JID.

  #opts<T extends MucRequestOptions>(options: T): T {
    return { ...options, logger: options.logger ?? this.#logger };
  }

  /**
   * Set an entity's affiliation in a room, joined or not (XEP-0045 §9, §10).
   * @example `await muc.setAffiliation('room@conference.example.org', 'bob@example.org', 'member', { reason: 'welcome' });`
   */
  async setAffiliation(roomJid: JID | string, jid: JID | string, affiliation: Affiliation, options: ModerationOptions = {}): Promise<void> {
    const entity = toJid(jid, 'jid').bare();
    await setAffiliations(
      this.#connection,
      roomJid,
      [{ jid: entity, affiliation, reason: options.reason }],
      this.#opts({ signal: options.signal, timeoutMs: options.timeoutMs }),
    );
  }

  /**
   * A room's configuration form, typed (aioxmpp `get_room_config`; owners only).
   * @example `const config = await muc.getRoomConfig(roomJid); config.membersonly = true; await muc.setRoomConfig(roomJid, config);`
   */
  getRoomConfig(roomJid: JID | string, options: MucRequestOptions = {}): Promise<ConfigurationFormInstance> {
    return getRoomConfig(this.#connection, roomJid, this.#opts(options));
  }

  /**
   * Submit a room's configuration (aioxmpp `set_room_config`); occupants see `configChanged`.
   * @example `await muc.setRoomConfig(roomJid, config);`
   */
  async setRoomConfig(roomJid: JID | string, form: ConfigSubmission, options: MucRequestOptions = {}): Promise<void> {
    await setRoomConfig(this.#connection, roomJid, form, this.#opts(options));
  }

  /**
   * Destroy a room, joined or not (§10.9; owners only).
   * @example `await muc.destroyRoom(roomJid, { reason: 'moved', alternateVenue: 'new@conference.example.org' });`
   */
  async destroyRoom(roomJid: JID | string, options: DestroyRoomOptions = {}): Promise<void> {
    await destroyRoom(this.#connection, roomJid, this.#opts(options));
  }

  /**
   * A room's disco#info: name, features as booleans, `muc#roominfo` form (§6.4).
   * @example `if ((await muc.getRoomInfo(roomJid)).features.passwordProtected) password = await ask();`
   */
  getRoomInfo(roomJid: JID | string, options: MucRequestOptions = {}): Promise<RoomInfo> {
    return getRoomInfo(this.#connection, roomJid, this.#opts(options));
  }

  /**
   * One page of a service's public rooms (§6.3; XEP-0059 paging where the service pages).
   * @example `const { rooms, next } = await muc.listRooms('conference.example.org', { max: 50 });`
   */
  listRooms(serviceJid: JID | string, options: ListRoomsOptions = {}): Promise<RoomPage> {
    return listRooms(this.#connection, serviceJid, this.#opts(options));
  }

  /**
   * The MUC service(s) of a server (§6.1-6.2), default our own server.
   * @example `const [service] = await muc.findMucService();`
   */
  findMucService(serverDomain?: JID | string, options: MucRequestOptions = {}): Promise<MucService[]> {
    const domain = serverDomain ?? this.#connection.jid?.domain;
    if (domain === undefined)
      return Promise.reject(new InvalidArgumentError('findMucService: no server domain given and the connection has no JID yet'));
    return findMucService(this.#connection, domain, this.#opts(options));
  }

  /**
   * A fresh room JID from the service (XEP-0307), to create a room with.
   * @example `const { room } = muc.join(await muc.getUniqueRoomName('conference.example.org'), 'alice');`
   */
  getUniqueRoomName(serviceJid: JID | string, options: MucRequestOptions = {}): Promise<JID> {
    return getUniqueRoomName(this.#connection, serviceJid, this.#opts(options));
  }

  /**
   * How to register with a room (§7.10): the room (Prosody) or its service (ejabberd).
   * @example `const info = await muc.getRegistrationForm(roomJid); if (info.registered) console.log(info.nick);`
   */
  getRegistrationForm(roomJid: JID | string, options: MucRequestOptions = {}): Promise<RegistrationInfo> {
    return getRegistrationForm(this.#connection, roomJid, this.#opts(options));
  }

  /**
   * Reserve a nick by registering (§7.10; Prosody: members only, per room; ejabberd: per service).
   * @example `await muc.registerNick(roomJid, 'thirdwitch');`
   */
  async registerNick(roomJid: JID | string, nick: string, form?: RegistrationInfo, options: MucRequestOptions = {}): Promise<void> {
    await registerNick(this.#connection, roomJid, nick, form, this.#opts(options));
  }

  /**
   * The nick reserved for us in a room (§7.12), or `undefined`.
   * @example `const nick = (await muc.getReservedNick(roomJid)) ?? 'guest';`
   */
  getReservedNick(roomJid: JID | string, options: MucRequestOptions = {}): Promise<string | undefined> {
    return getReservedNick(this.#connection, roomJid, this.#opts(options));
  }

  /**
   * Join with the nick reserved for us (§7.12), else `fallbackNick`. Async because the nick
   * is asked first (`join()` stays synchronous and needs a nick); a failed lookup falls back
   * too. Rejects with `InvalidArgumentError` when there is neither.
   * @example `const { room, joined } = await muc.joinWithReservedNick(roomJid, { fallbackNick: 'guest' }); await joined;`
   */
  async joinWithReservedNick(roomJid: JID | string, options: ReservedNickJoinOptions = {}): Promise<JoinResult> {
    const { fallbackNick, ...joinOptions } = options;
    let nick: string | undefined;
    try {
      nick = await getReservedNick(this.#connection, roomJid, this.#opts({ signal: options.signal }));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.#logger.debug('reserved nick lookup failed', { room: String(roomJid), error });
    }
    nick ??= fallbackNick;
    if (nick === undefined)
      throw new InvalidArgumentError(`No nick is reserved for us in ${String(roomJid)} and no fallbackNick was given`);
    return this.join(roomJid, nick, joinOptions);
  }

  /**
   * Decline a MEDIATED invitation (§7.8.2): the room relays it to the inviter. Rejects with
   * `InvalidArgumentError` for a DIRECT invitation (XEP-0249 has no decline) or one naming no inviter.
   * @example `muc.on('mucInvitation', (inv) => void muc.declineInvitation(inv, { reason: 'busy' }));`
   */
  async declineInvitation(invitation: Invitation, options: { reason?: string | undefined } = {}): Promise<void> {
    if (invitation.mode !== InviteMode.MEDIATED)
      throw new InvalidArgumentError('declineInvitation: only a MEDIATED invitation can be declined');
    if (invitation.inviterAddress === undefined) throw new InvalidArgumentError('declineInvitation: the invitation names no inviter');
    const id = this.#host.newId();
    await this.#connection.send(declineMessage(invitation.roomAddress, invitation.inviterAddress, { reason: options.reason, id }));
  }

  /**
   * Leave every room (unavailable presences are sent, not awaited), reject pending joins
   * with `AbortError`, and remove every handler, listener and timer. The client cannot be
   * used afterwards.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const ctl of [...this.#rooms.values()]) ctl.close();
    for (const off of this.#offs.splice(0)) off();
    this.#unannounced.clear();
    this.removeAllListeners();
  }

  #sendDeferredJoins(): void {
    if (this.#closed || !this.#sessionUp || this.#connection.status !== 'online') return;
    for (const ctl of [...this.#rooms.values()]) ctl.sendDeferredJoin();
  }

  #announce(room: Room): void {
    if (!this.#unannounced.delete(room)) return;
    this.emit('conversationAdded', { room });
  }

  #removed(room: Room): void {
    const key = room.jid.toString();
    if (this.#rooms.get(key)?.room === room) this.#rooms.delete(key);
    if (this.#lastHit?.ctl.room === room) this.#lastHit = undefined;
    if (this.#lastRoom?.ctl.room === room) this.#lastRoom = undefined;
    this.#announce(room);
    this.emit('conversationRemoved', { room });
  }

  #route(stanza: Element): boolean {
    const name = stanza.name;
    if (name !== 'presence' && name !== 'message') return false;
    const from = stanza.attrs.from as unknown;
    if (typeof from !== 'string' || from === '') return false;
    // Only a message is remembered: the next stanza is often a message from the same occupant,
    // while the presences of a join each come from another one.
    const hit = this.#lookupSafe(from, name === 'message');
    if (!hit) return name === 'message' && this.#invitation(stanza);
    if (hit === 'drop') return true;
    const { ctl, jid } = hit;
    this.#announce(ctl.room);
    try {
      if (name === 'presence') {
        ctl.handlePresence(stanza, jid);
        return true;
      }
      return ctl.handleMessage(stanza, jid) || this.#invitation(stanza);
    } catch (error) {
      this.#logger.error('room failed to handle a stanza', { room: ctl.room.jid.toString(), error });
      return true;
    }
  }

  #lookupSafe(from: string, remember = false): { ctl: RoomController; jid: JID } | 'drop' | undefined {
    const last = this.#lastHit;
    if (last !== undefined && last.from === from && this.#rooms.get(last.key) === last.ctl) return last;
    const room = this.#lastRoom;
    if (room !== undefined && isOccupantOf(from, room.key) && this.#rooms.get(room.key) === room.ctl) {
      // `room.key/nick`: what the lookup below finds, without lowercasing the bare part again.
      return this.#occupantOf(room.ctl, from, room.key.length, remember);
    }
    const slash = from.indexOf('/');
    const bareFrom = slash === -1 ? from : from.slice(0, slash);
    const rawBare = bareFrom.toLowerCase();
    const byRaw = this.#rooms.get(rawBare);
    let ctl = byRaw;
    let jid: JID | undefined;
    if (!ctl && ASCII.test(rawBare)) return undefined;
    if (byRaw !== undefined && bareFrom === rawBare) {
      // The bare part is the room's key, its normalised form: only the nick needs preparing.
      if (slash !== -1) this.#lastRoom = { key: rawBare, ctl: byRaw };
      return this.#occupantOf(byRaw, from, slash, remember);
    }
    try {
      jid = parseJid(from);
    } catch (error) {
      if (ctl) {
        this.#logger.debug('stanza for a room with a malformed from: dropped', { from, error });
        return 'drop';
      }
      return undefined;
    }
    ctl ??= this.#rooms.get(jid.bare().toString());
    if (!ctl || !jid.bare().equals(ctl.room.jid)) return undefined;
    if (ctl === byRaw && remember) return this.#remember(from, ctl, jid);
    return { ctl, jid };
  }

  /** The lookup of `from` = the key of `ctl`'s room, then `/nick` at `slash` (or nothing when `slash` is -1). */
  #occupantOf(ctl: RoomController, from: string, slash: number, remember: boolean): { ctl: RoomController; jid: JID } | 'drop' {
    const room = ctl.room.jid;
    if (slash === -1) return { ctl, jid: room };
    const nick = from.slice(slash + 1);
    // An occupant's own JID when the nick is spelled as in its presence: nothing to prepare, and
    // nothing to remember (the next lookup of that nick is as cheap).
    const known = ctl.occupantJid(nick);
    if (known !== undefined) return { ctl, jid: known };
    let jid: JID;
    try {
      jid = room.withResource(nick);
    } catch (error) {
      this.#logger.debug('stanza for a room with a malformed from: dropped', { from, error });
      return 'drop';
    }
    return remember ? this.#remember(from, ctl, jid) : { ctl, jid };
  }

  /**
   * Keep the lookup of a `from` whose lowercased bare part is the key of `ctl`'s room: the next
   * stanza from the same `from` gets the same answer while that key still maps to that room.
   */
  #remember(from: string, ctl: RoomController, jid: JID): { ctl: RoomController; jid: JID } {
    // Own copies: no parser buffer kept.
    this.#lastHit = { from: ownString(from), key: ctl.room.jid.toString(), ctl, jid };
    return this.#lastHit;
  }

  /** A message that may carry an invitation: emit `mucInvitation` and claim it. */
  #invitation(stanza: Element): boolean {
    const type = stanza.attrs.type as string | undefined;
    if (type === 'groupchat' || type === 'error') return false;
    if (!stanza.getChild('x', NS.MUC_USER) && !stanza.getChild('x', NS_CONFERENCE)) return false;
    const invitation = readInvitation(stanza, { logger: this.#logger });
    if (!invitation) return false;
    this.emit('mucInvitation', invitation);
    return true;
  }

  #acked(stanza: Element): void {
    const to = stanza.attrs.to as unknown;
    if (stanza.name !== 'message' || typeof to !== 'string') return;
    const hit = this.#lookupSafe(to);
    if (hit && hit !== 'drop') hit.ctl.handleAcked(stanza);
  }
}
