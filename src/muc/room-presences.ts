/**
 * The presences a {@link Room} receives: error presences (a refused join, a refused nick
 * change), our self-presence completing the join (handed to the room's `enter` transition),
 * and occupant presences, applied by `diffPresence` (presence.ts) and emitted in order (our
 * own removal ends the room).
 * @internal
 */
import type { Element } from 'ltx';
import { StanzaError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { RoomState, StatusCode } from './constants.js';
import { historyEnd } from './history.js';
import { findUserExt } from './payloads/user.js';
import type { NickChange } from './pending-ops.js';
import { type OccupantPresence, diffPresence, readOccupantPresence } from './presence.js';
import type { RoomContext } from './room-context.js';
import type { RoomEventRecord, RoomEvents } from './room-events.js';
import type { RoomJoin } from './room-join.js';

/** The parts of its room that presence handling works with. @internal */
export interface PresenceParts {
  join: RoomJoin;
  nickChange: NickChange;
  /** The room's `enter` transition, for a self-presence (status 110) while joining. */
  enter(p: OccupantPresence): void;
  /** Our occupant's nick after a presence was applied (it may have been renamed). */
  nickIs(nick: string): void;
}

/** The inbound presences of one room. @internal */
export class RoomPresences {
  readonly #ctx: RoomContext;
  readonly #parts: PresenceParts;

  constructor(ctx: RoomContext, parts: PresenceParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  /** A presence whose bare `from` is the room. */
  handle(stanza: Element, from: JID): void {
    const ctx = this.#ctx;
    if (ctx.closed) return;
    const logger = ctx.host.logger;
    const type = stanza.attrs.type as string | undefined;
    if (type === 'error') {
      this.#error(stanza, from);
      return;
    }
    if (from.resource === undefined) {
      logger.debug('presence from the room itself ignored', { room: ctx.jid.toString(), type });
      return;
    }
    if (type !== undefined && type !== 'unavailable') {
      logger.debug('presence of unexpected type ignored', { room: ctx.jid.toString(), type });
      return;
    }
    const ext = findUserExt(stanza, { logger });
    if (!ext) {
      logger.debug('occupant presence without muc#user ignored', { from: String(stanza.attrs.from) });
      return;
    }
    const p = readOccupantPresence(stanza, from, ext);
    const me = ctx.me;
    const hasSelfCode = p.statusCodes.has(StatusCode.SELF);

    if (ctx.state === RoomState.JOIN_PRESENCE) {
      if (hasSelfCode) {
        this.#parts.enter(p);
        return;
      }
    } else if (ctx.state === RoomState.DISCONNECTED) {
      logger.debug('presence while disconnected ignored', { from: String(stanza.attrs.from) });
      return;
    } else if (hasSelfCode && ctx.registry.get(p.nick) !== me) {
      logger.debug('self-presence for a nick that is not ours ignored', { nick: p.nick });
      return;
    }
    if (ctx.state === RoomState.HISTORY && historyEnd({ kind: 'presence' }) === 'before') ctx.setState(RoomState.ACTIVE);
    const events = diffPresence(ctx.registry, p, { self: me, logger, randomId: ctx.host.randomId });
    if (me) this.#parts.nickIs(me.nick);
    this.#emitAll(events);
    this.#parts.nickChange.onPresence(p, events);
  }

  #error(stanza: Element, from: JID): void {
    if (this.#ctx.state === RoomState.JOIN_PRESENCE) {
      if (this.#parts.join.answers(stanza, from)) {
        this.#parts.join.refused(stanza);
        return;
      }
      const condition = StanzaError.fromStanza(stanza).condition;
      this.#ctx.host.logger.debug('error presence not answering our join ignored', {
        from: String(stanza.attrs.from),
        id: stanza.attrs.id,
        condition,
      });
      return;
    }
    const error = StanzaError.fromStanza(stanza);
    if (this.#parts.nickChange.onErrorPresence(stanza, from, error)) return;
    this.#ctx.host.logger.debug('error presence from the room ignored', { from: String(stanza.attrs.from), condition: error.condition });
  }

  /** Emit the events of one presence in order; our `exit` ends the room (and the list). */
  #emitAll(events: RoomEventRecord[]): void {
    const ctx = this.#ctx;
    for (let i = 0; i < events.length; i++) {
      // Indexed, not `for … of` or `[name, payload]` destructuring: an unoptimised function runs
      // the array iterator (an allocation per step) for those.
      const event = events[i] as RoomEventRecord;
      const name = event[0];
      const payload = event[1];
      if (name === 'exit') {
        ctx.terminate(payload as RoomEvents['exit']);
        return;
      }
      ctx.emit(name, payload as never);
    }
  }
}
