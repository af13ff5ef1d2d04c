/**
 * History replay, as one unit: the rules (when the HISTORY state ends, who the sender of a
 * message is: a live occupant only when the identity really matches, else a transitional
 * occupant that never enters `members`) and {@link HistoryReplay}, a room's replay state
 * (the HISTORY timer, the messages already seen, the history a rejoin asks for).
 */
import type { TimerHandle } from '../core/clock.js';
import type { Element } from 'ltx';
import { JID, nicknameKey } from '../core/jid.js';
import { NS } from '../core/namespaces.js';
import { RoomState } from './constants.js';
import type { Message } from './message.js';
import { Occupant } from './occupant.js';
import type { OccupantRegistry } from './occupant-registry.js';
import type { History } from './payloads/muc.js';
import type { RoomContext } from './room-context.js';
import { SeenMessages } from './seen-messages.js';

/**
 * What a stanza received in the HISTORY state does to it:
 * - `'after'`: the subject message: it is handled (`topicChanged`), then the room is ACTIVE;
 * - `'before'`: a live (undelayed) message or any occupant presence: the server is not
 *   sending history (or is done without a subject, as buggy servers do), so the room becomes
 *   ACTIVE first and the stanza is handled as live;
 * - `'no'`: a delayed message: history continues.
 */
export type HistoryEnd = 'after' | 'before' | 'no';

/** Decide how a stanza ends the HISTORY state (see {@link HistoryEnd}). Pure. */
export function historyEnd(stanza: { kind: 'message'; isSubject: boolean; delayed: boolean } | { kind: 'presence' }): HistoryEnd {
  if (stanza.kind === 'presence') return 'before';
  if (stanza.isSubject) return 'after';
  return stanza.delayed ? 'no' : 'before';
}

/** Who a message claims to come from. */
export interface ClaimedSender {
  /** The occupant JID `room/nick`. */
  from: JID;
  /** The real JID the room disclosed in the message (muc#user item), if any. */
  realJid?: JID | undefined;
  /** The XEP-0421 occupant id, if any. */
  occupantId?: string | undefined;
}

/**
 * Whether `live` is provably the entity `claimed` describes: same nick AND (same real bare
 * JID, or, only when `trustOccupantId` — the room advertises `urn:xmpp:occupant-id:0` in its
 * disco#info, so the id is the room's and not forged by a client — same occupant id), each
 * side having the value.
 */
export function provablySame(live: Occupant, claimed: ClaimedSender, trustOccupantId = false): boolean {
  if (nicknameKey(live.nick) !== nicknameKey(claimed.from.resource)) return false;
  if (claimed.realJid && live.directJid?.bare().equals(claimed.realJid.bare())) {
    return true;
  }
  return trustOccupantId && claimed.occupantId !== undefined && live.occupantId !== undefined && live.occupantId === claimed.occupantId;
}

/** A transitional occupant for a sender that is not (provably) a live one: never in `members`. */
export function transitionalOccupant(claimed: ClaimedSender, randomId?: () => string): Occupant {
  return new Occupant({
    conversationJid: claimed.from,
    isSelf: false,
    directJid: claimed.realJid,
    presenceState: { available: false },
    occupantId: claimed.occupantId,
    randomId,
  });
}

/**
 * The sender of a history message: the live occupant (us included) when
 * {@link provablySame}, else a fresh transitional occupant.
 */
export function historySender(
  registry: OccupantRegistry,
  claimed: ClaimedSender,
  randomId?: () => string,
  trustOccupantId = false,
): Occupant {
  const live = registry.get(claimed.from.resource);
  if (live && provablySame(live, claimed, trustOccupantId)) return live;
  return transitionalOccupant(claimed, randomId);
}

/**
 * The sender of a live message: the occupant with that nick, unless the message carries an
 * occupant id that contradicts the occupant's; otherwise (unknown nick or contradiction) a
 * transitional occupant.
 */
export function liveSender(registry: OccupantRegistry, claimed: ClaimedSender, randomId?: () => string): Occupant {
  const live = registry.get(claimed.from.resource);
  if (live) {
    if (claimed.occupantId === undefined || live.occupantId === undefined || claimed.occupantId === live.occupantId) return live;
  }
  return transitionalOccupant(claimed, randomId);
}

/**
 * The real JID a room discloses in a message: the `jid` of the first muc#user `<item/>` of any
 * muc#user `<x/>` (Prosody puts an empty muc#user marker before the one with the item).
 */
function disclosedJid(stanza: Element): JID | undefined {
  for (const x of stanza.getChildElements()) {
    if (x.name !== 'x' || x.attrs.xmlns !== NS.MUC_USER) continue;
    const jid = JID.tryParse(x.getChild('item')?.attrs.jid as string | undefined);
    if (jid) return jid;
  }
  return undefined;
}

/**
 * The history replay of one room: the wait for the end of the HISTORY state (a service that
 * never sends the subject), the messages already emitted (so that the history replayed after
 * an automatic rejoin does not repeat them), when the last message was seen, and so the
 * history the next join asks for (`since` that moment on a rejoin).
 * @internal
 */
export class HistoryReplay {
  /** The history the next join presence asks for. */
  request: History | undefined;
  readonly #ctx: RoomContext;
  readonly #seen = new SeenMessages();
  #timer: TimerHandle | undefined;
  /** When the last message was seen: a `Date`, or a clock time (a Date per message adds up: built when asked). */
  #lastSeen: Date | number | undefined;
  #disconnectedAt: Date | undefined;
  /** Whether the room advertises XEP-0421 (`urn:xmpp:occupant-id:0`): occupant ids prove identity. */
  #occupantIdAdvertised = false;
  /** The transitional occupants of this replay by nick + real bare JID: one per departed sender. */
  readonly #departed = new Map<string, Occupant>();

  constructor(ctx: RoomContext, request: History | undefined) {
    this.#ctx = ctx;
    this.request = request;
  }

  /** The messages already emitted (or matched to a tracker). */
  get seen(): SeenMessages {
    return this.#seen;
  }

  /** (Re)start the wait for the end of the history. */
  arm(): void {
    this.clear();
    const ctx = this.#ctx;
    const ms = ctx.host.historyTimeoutMs;
    if (ms <= 0) return;
    this.#timer = ctx.host.clock.setTimeout(() => {
      this.#timer = undefined;
      if (ctx.state !== RoomState.HISTORY) return;
      ctx.host.logger.debug('no subject after the history: assuming the replay is over', { room: ctx.jid.toString() });
      ctx.setState(RoomState.ACTIVE);
    }, ms);
  }

  /**
   * The room's disco#info features became known (whoever fetched them): an XEP-0421
   * occupant-id match then identifies a history sender.
   */
  featuresKnown(features: Iterable<string>): void {
    this.#occupantIdAdvertised = false;
    for (const f of features) if (f === NS.OCCUPANT_ID) this.#occupantIdAdvertised = true;
  }

  /** Stop the wait (the history is over, or the room ended: then the replay's transitional occupants are forgotten). */
  clear(): void {
    if (this.#ctx.state !== RoomState.HISTORY) this.#departed.clear();
    if (this.#timer === undefined) return;
    this.#ctx.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Remember a message (not a subject) as seen; `stanzaId` is the one the room assigned. */
  remember(message: Message, stanzaId: string | undefined, nick: string | undefined): void {
    this.#seen.rememberMessage(message, stanzaId, nick);
  }

  /** A message was received (live: now; replayed: at its delay stamp). */
  received(stamp: Date | undefined): void {
    this.#lastSeen = stamp ?? this.#ctx.host.clock.now();
  }

  /**
   * The sender of a replayed message: the live occupant when {@link provablySame}, else a
   * transitional one, the same object for every message of this replay with the same nick
   * and real bare JID (without a real JID nothing proves two messages share a sender).
   */
  sender(from: JID, message: Message): Occupant {
    const claimed: ClaimedSender = { from, occupantId: message.occupantId };
    const realJid = disclosedJid(message.element);
    if (realJid) claimed.realJid = realJid;
    const ctx = this.#ctx;
    const live = ctx.registry.get(from.resource);
    if (live && provablySame(live, claimed, this.#occupantIdAdvertised)) return live;
    if (claimed.realJid === undefined) return transitionalOccupant(claimed, ctx.host.randomId);
    const key = `${nicknameKey(from.resource)}\u0000${claimed.realJid.bare().toString()}`;
    let departed = this.#departed.get(key);
    if (!departed) {
      departed = transitionalOccupant(claimed, ctx.host.randomId);
      this.#departed.set(key, departed);
    }
    return departed;
  }

  /** The stream was lost (now): a rejoin asks for history since the last message, else since now. */
  streamLost(): void {
    this.#disconnectedAt = new Date(this.#ctx.host.clock.now());
  }

  /** An automatic rejoin is starting: ask for the history since the last message seen. */
  rejoining(): void {
    if (typeof this.#lastSeen === 'number') this.#lastSeen = new Date(this.#lastSeen);
    const since = this.#lastSeen ?? this.#disconnectedAt;
    if (since) this.request = { since };
  }
}
