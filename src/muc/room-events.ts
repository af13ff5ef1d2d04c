/**
 * The events of a {@link Room}. Every event carries exactly one payload object, so fields can
 * be added without breaking listeners. (The {@link MucClient}'s are in client.ts.)
 */
import type { Element } from 'ltx';
import type { StanzaError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import type { LanguageMap } from '../core/language-map.js';
import type { MessageSource } from '../im/conversation.js';
import type { LeaveMode, Role, Affiliation, RoomState } from './constants.js';
import type { Message } from './message.js';
import type { Occupant, ServiceMember } from './occupant.js';
import type { RoomInfo } from './discovery.js';
import type { Actor, Destroy } from './payloads/user.js';
import type { VoiceRequestFormInstance } from './forms.js';
import type { MessageTracker } from './tracking.js';

/** Who sent a room message: an occupant (live or transitional) or the room itself. */
export type RoomMember = Occupant | ServiceMember;

/** The payload of a room's `roleRequest` event: a voice request relayed to us as moderator. */
export interface RoleRequest {
  /** The message that carried it. */
  stanza: Element;
  /** The request, typed (`roomnick`, `jid`, `role`). */
  form: VoiceRequestFormInstance;
  /** The requester's nick, when the form names it. */
  nick: string | undefined;
  /** The requester's real JID, when the form names it. */
  jid: JID | undefined;
  /**
   * Grant voice: submit the form back with `muc#request_allow` true. Only the first of
   * `approve()`/`deny()` sends anything; every call returns the same promise (resolves once
   * sent; rejects with `NotJoinedError` when the room was left).
   */
  approve(): Promise<void>;
  /** Refuse: submit the form back with `muc#request_allow` false (see {@link RoleRequest.approve}). */
  deny(): Promise<void>;
  /** Whether it was answered (by `approve()` or `deny()`). */
  readonly answered: boolean;
}

/** The payload of a room's `declined` event. */
export interface DeclinedEvent {
  /** The message the room relayed. */
  stanza: Element;
  /** Who declined, as the room states it (never proven). */
  from: JID | undefined;
  /** Their text. */
  reason: string | undefined;
}

/**
 * A field of {@link Occupant} a `presenceChanged` changed: `show` (presenceState), `status`
 * (presenceStatus), `jid` (the real JID became known: `directJid` set and `uid` changed, once).
 */
export type PresenceChange = 'show' | 'status' | 'jid';

/** Fields shared by `roleChanged` and `affiliationChanged`. */
export interface OccupantChange {
  /** The occupant (already updated). */
  member: Occupant;
  /** The presence that carried the change. */
  presence: Element;
  /** Who made the change, if the service says. */
  actor?: Actor | undefined;
  /** The reason given, if any. */
  reason?: string | undefined;
  /** The status codes of the presence. */
  statusCodes: ReadonlySet<number>;
}

/** Events of a {@link Room}. */
export interface RoomEvents {
  /**
   * We are in: our self-presence (status 110) arrived. Fired before history replay.
   * `statusCodes` holds 201 when this join created the room (then `createInstant()` or
   * `createConfigured()` unlocks it) and 210 when the service changed our nick.
   */
  enter: {
    /** Our self-presence (status 110) that completed the join. */
    presence: Element;
    /** Our own occupant in the room. */
    occupant: Occupant;
    /** The muc#user status codes of that presence (e.g. 110, 201, 210, 100). */
    statusCodes: ReadonlySet<number>;
  };
  /**
   * We are out: our unavailable self-presence arrived (`presence` set), or the stream was
   * lost without autorejoin (`mode: 'disconnected'`, no presence). The room then leaves the
   * client's bookkeeping. A destroyed room carries `destroy` (reason, alternate venue).
   */
  exit: {
    /** Our unavailable self-presence; absent when the exit was local (stream lost). */
    presence?: Element | undefined;
    /** Our own occupant, or `undefined` if we never entered. */
    occupant: Occupant | undefined;
    /** Why we are out (left, kicked, banned, destroyed, disconnected...). */
    mode: LeaveMode;
    /** Who removed us (muc#user `<item><actor/>`), if the service says. */
    actor?: Actor | undefined;
    /** The reason given (muc#user `<item><reason/>`), if any. */
    reason?: string | undefined;
    /** The muc#user status codes of the presence (empty for a local exit). */
    statusCodes: ReadonlySet<number>;
    /** The muc#user `<destroy/>` (reason, alternate venue) when the room was destroyed. */
    destroy?: Destroy | undefined;
  };
  /** Another occupant entered (it is already in `members`). */
  join: {
    /** The new occupant. */
    member: Occupant;
    /** Its available presence. */
    presence: Element;
  };
  /** Another occupant left or was removed (it is no longer in `members`). */
  leave: {
    /** The occupant that left. */
    member: Occupant;
    /** Why it left (left by itself, kicked, banned, affiliation change...). */
    mode: LeaveMode;
    /** Who removed it (muc#user `<item><actor/>`), if the service says. */
    actor?: Actor | undefined;
    /** The reason given (muc#user `<item><reason/>`), if any. */
    reason?: string | undefined;
    /** The muc#user status codes of the unavailable presence. */
    statusCodes: ReadonlySet<number>;
    /** Its unavailable presence. */
    presence: Element;
    /** The muc#user `<destroy/>` when the room was destroyed. */
    destroy?: Destroy | undefined;
  };
  /**
   * An available presence from an occupant already in the room (aioxmpp emits on every one):
   * show or status changed, or anything else it carries (XEP-0153 avatar hash, caps,
   * priority): read it from `presence`. Emitted before `roleChanged`/`affiliationChanged`.
   */
  presenceChanged: {
    /** The occupant (already updated). */
    member: Occupant;
    /** The new available presence (the whole stanza). */
    presence: Element;
    /** What changed among the fields xmuc keeps on the occupant; empty: only other content. */
    changed: readonly PresenceChange[];
  };
  /** An occupant (maybe us) changed nick (303); the same `Occupant` object now has `newNick`. */
  nickChanged: {
    /** The occupant, now under `newNick`. */
    member: Occupant;
    /** The nick before the change. */
    oldNick: string;
    /** The new nick (muc#user `<item nick=.../>` of the 303 presence). */
    newNick: string;
    /** The muc#user status codes of the 303 unavailable presence. */
    statusCodes: ReadonlySet<number>;
  };
  /** An occupant's role changed (emitted before `leave`/`exit` for the same presence). */
  roleChanged: OccupantChange & {
    /** The role before the change, if it was known. */
    oldRole?: Role | undefined;
    /** The new role (muc#user `<item role=.../>`). */
    newRole?: Role | undefined;
  };
  /** An occupant's affiliation changed (emitted after `roleChanged`, before `leave`/`exit`). */
  affiliationChanged: OccupantChange & {
    /** The affiliation before the change, if it was known. */
    oldAffiliation?: Affiliation | undefined;
    /** The new affiliation (muc#user `<item affiliation=.../>`). */
    newAffiliation?: Affiliation | undefined;
  };
  /**
   * A groupchat message. During history replay `isHistory` is true and `member` is the live
   * occupant only if nick AND real JID (or occupant id) match, else a transitional occupant
   * that is never in `members`. `stanzaId` is the XEP-0359 id assigned by this room (only a
   * `<stanza-id by=room/>` is trusted). Reflections caught by a tracker are not emitted.
   */
  message: {
    /** The decoded message. */
    message: Message;
    /** The sender: an occupant (maybe transitional) or the room's service member. */
    member: RoomMember;
    /**
     * How it reached us: `stream` for a message from the room; `local` for the local echo of
     * our own `sendMessageTracked`, emitted at once (its reflection is then not emitted).
     */
    source: MessageSource;
    /** The tracker of our tracked message (local echo only). */
    tracker?: MessageTracker | undefined;
    /** Whether it is part of the history replayed on join. */
    isHistory: boolean;
    /** The XEP-0203 `<delay/>` of a delayed (history) message, if any. */
    delay?:
      | {
          /** The `stamp` attribute: when the message was originally sent. */
          stamp: Date;
          /** The `from` attribute: the entity that delayed it (usually the room). */
          from?: string | undefined;
        }
      | undefined;
    /** The XEP-0359 `<stanza-id/>` this room assigned, if any. */
    stanzaId?: string | undefined;
    /** The muc#user status codes of a notice from the room itself (e.g. 104 configuration changed, 170 logging on). */
    statusCodes?: ReadonlySet<number> | undefined;
  };
  /**
   * A MUC private message: `type="chat"` from `room/nick` with the muc#user marker. Not
   * groupchat, and not left to a 1:1 chat service (aioxmpp leaves these to its p2p service;
   * xmuc keeps them on the room, where the occupant identity is known). A `chat` message
   * from `room/nick` without the marker is left to the application unclaimed.
   */
  privateMessage: {
    /** The decoded message. */
    message: Message;
    /** The occupant that sent it. */
    member: Occupant;
  };
  /** An error reply to a message we sent (not caught by a tracker or a pending `setTopic`). */
  messageError: {
    /** The error message as received. */
    message: Message;
    /** The stanza error it carries. */
    error: StanzaError;
  };
  /**
   * The subject changed (also once on entry, before the room becomes ACTIVE). `member` is
   * the occupant who set it when it can be identified, the service member for the room
   * itself, else `undefined`; `nick` is the setter's nick as the room says.
   */
  topicChanged: {
    /** Who set it: an occupant, the room's service member, or `undefined` if unknown. */
    member?: RoomMember | undefined;
    /** The new subject: the `<subject/>` texts by `xml:lang`. */
    topic: LanguageMap;
    /** The setter's nick (resource of the message's `from`), if any. */
    nick?: string | undefined;
  };
  /** The room's {@link RoomState} changed. */
  stateChanged: {
    /** The new state. */
    state: RoomState;
    /** The state before. */
    previous: RoomState;
  };
  /** The stream was lost and the room will be rejoined (autorejoin): state DISCONNECTED. */
  suspend: Record<string, never>;
  /** A new stream is up and the room is being rejoined; occupants were cleared. */
  resume: Record<string, never>;
  /**
   * A voice request relayed to us as moderator (XEP-0045 §8.6): answer with `approve()` or
   * `deny()`; only the first answer of all listeners is sent.
   */
  roleRequest: RoleRequest;
  /** An invitee declined our MEDIATED invitation (XEP-0045 §7.8.2; the decliner is the room's claim). */
  declined: DeclinedEvent;
  /**
   * The room's configuration changed: a notice from the room with status 104 (non-privacy
   * change) and/or 170-174 (logging on/off, now non-anonymous, semi-anonymous, fully
   * anonymous). `info`/`features` are refreshed afterwards (`infoChanged`).
   */
  configChanged: {
    /** The notice (a groupchat message from the room's bare JID). */
    stanza: Element;
    /** Its muc#user status codes. */
    statusCodes: ReadonlySet<number>;
  };
  /** The room's disco information (`room.info`, `room.features`) was (re)fetched. */
  infoChanged: {
    /** The new information. */
    info: RoomInfo;
  };
  /**
   * An affiliation changed for someone not in the room (XEP-0045 §9.3-9.8: a message from
   * the room's bare JID with a muc#user item, status 101 when it is ours while away).
   */
  affiliationNotice: {
    /** The message. */
    stanza: Element;
    /** The entity whose affiliation changed (bare JID), when the room names it. */
    jid: JID | undefined;
    /** Its new affiliation. */
    affiliation: Affiliation | undefined;
    /** Who made the change, if the room says. */
    actor?: Actor | undefined;
    /** The reason given, if any. */
    reason?: string | undefined;
    /** The muc#user status codes (101 for an affiliation change of ours made while away). */
    statusCodes: ReadonlySet<number>;
  };
  /**
   * XEP-0410: the room was silent for `hardTimeoutMs` (we may have been dropped). At most once
   * per silence; `fresh` follows when it is confirmed that we are still in.
   */
  stale: {
    /** How long the room has been silent, in milliseconds. */
    silentForMs: number;
  };
  /** After `stale`: traffic or a self-ping confirmed that we are still in the room. */
  fresh: {
    /** How long the silence lasted, in milliseconds. */
    silentForMs: number;
  };
  /**
   * An automatic rejoin attempt failed (after a removal by error, a self-ping that found us
   * out, or a refused rejoin). `willRetry: false`: the retries are over and `exit` follows.
   */
  rejoinFailed: {
    /** Why the attempt failed (`MucJoinError`, `TimeoutError`, `DisconnectedError`...). */
    error: Error;
    /** The attempt number, from 1. */
    attempt: number;
    /** Whether another attempt is scheduled. */
    willRetry: boolean;
  };
}

/** One event of a room with its payload, as `diffPresence` returns them. */
export type RoomEventRecord = { [K in keyof RoomEvents]: [K, RoomEvents[K]] }[keyof RoomEvents];
