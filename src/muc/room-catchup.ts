/**
 * The catch-up of a {@link Room}: its position (the room's stanza-id of the last message
 * received and when it was received: `room.position`), and what a rejoin (or `fresh` after a
 * stale period) does to get back what was said meanwhile: the room's archive (XEP-0313) after
 * the last stanza-id when the room's disco#info advertises `urn:xmpp:mam:2`, else history
 * `since` the last message actually received. Archive messages are emitted in order as
 * `message` with source `archive`; live messages arriving during the walk wait for it, so the
 * order holds. Everything is de-duplicated against what the room already emitted.
 * @internal
 */
import type { Element } from 'ltx';
import { toError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { NS } from '../core/namespaces.js';
import { MessageSource } from '../im/conversation.js';
import type { ArchivedMessage } from './archive.js';
import { type ArchiveAfterIdPlan, type ArchiveSincePlan, catchUpFromArchive, catchUpPlan } from './catch-up.js';
import { getRoomInfo } from './discovery.js';
import type { HistoryReplay } from './history.js';
import { readMessage } from './message.js';
import { messageKeys } from './message-keys.js';
import type { History } from './payloads/muc.js';
import { RoomPosition } from './position.js';
import type { RoomContext } from './room-context.js';
import type { RoomEvents } from './room-events.js';

/** The features assumed of a room that stamped our messages with its stanza-id, before its disco#info is known. */
const ASSUMED_ARCHIVE: ReadonlySet<string> = new Set([NS.MAM]);
/** How long the disco#info and each archive page may take. @internal */
export const CATCH_UP_REQUEST_TIMEOUT_MS = 20_000;

/** The catch-up of one room. @internal */
export class RoomCatchUp {
  readonly #ctx: RoomContext;
  readonly #replay: HistoryReplay;
  readonly #deliver: (stanza: Element, from: JID) => void;
  #stanzaId: string | undefined;
  #at: Date | number | undefined;
  #features: ReadonlySet<string> | undefined;
  #discovering: Promise<void> | undefined;
  #plan: ArchiveAfterIdPlan | ArchiveSincePlan | undefined;
  #walking = false;
  #rejoining = false;
  #held: [Element, JID][] = [];
  #generation = 0;

  /** `since`: where a previous process stopped (join option); `deliver` handles a held live message. */
  constructor(
    ctx: RoomContext,
    replay: HistoryReplay,
    since: RoomPosition | Date | undefined,
    deliver: (stanza: Element, from: JID) => void,
  ) {
    this.#ctx = ctx;
    this.#replay = replay;
    this.#deliver = deliver;
    if (since instanceof RoomPosition) {
      this.#stanzaId = since.stanzaId;
      this.#at = since.at;
    } else if (since instanceof Date) {
      this.#at = since;
    }
  }

  /** Where the room is: the last message received (`undefined` before any). */
  get position(): RoomPosition | undefined {
    const at = this.#at;
    if (this.#stanzaId === undefined && at === undefined) return undefined;
    return new RoomPosition({ stanzaId: this.#stanzaId, at: typeof at === 'number' ? new Date(at) : at });
  }

  /** Whether the first join must learn the room's features first (a `since` was given). */
  get resumesFirstJoin(): boolean {
    return !this.#ctx.entered && (this.#stanzaId !== undefined || this.#at !== undefined);
  }

  /** The room's disco#info was fetched (`room.getRoomInfo()`, or `fetchRoomInfo`): plan with its features from now on. */
  featuresKnown(features: ReadonlySet<string>): void {
    this.#features = features;
  }

  /** Whether the room is known to have an archive. */
  get hasArchive(): boolean {
    return this.#features?.has(NS.MAM) ?? false;
  }

  /** A `message` is being emitted: move the position (and mark catch-up history). */
  emitting(payload: RoomEvents['message']): void {
    if (payload.member === undefined) return;
    if (payload.isHistory && this.#rejoining && payload.source === MessageSource.STREAM) payload.source = MessageSource.HISTORY;
    if (payload.stanzaId !== undefined) this.#stanzaId = payload.stanzaId;
    this.#at = payload.delay?.stamp ?? this.#ctx.host.clock.now();
  }

  /**
   * Learn (again) the room's features (disco#info): before each rejoin, as the room may have
   * been reconfigured or its service restarted. A failure is logged; the features last known
   * are kept (none: no archive). Concurrent calls share one request.
   */
  discover(): Promise<void> {
    const ctx = this.#ctx;
    this.#discovering ??= getRoomInfo(ctx.host.connection, ctx.jid, { timeoutMs: CATCH_UP_REQUEST_TIMEOUT_MS, logger: ctx.host.logger })
      .then(
        (info) => {
          this.#features = info.featureSet;
        },
        (error: unknown) => ctx.host.logger.debug('room features unknown: catch-up without archive', { room: ctx.jid.toString(), error }),
      )
      .finally(() => {
        this.#discovering = undefined;
      });
    return this.#discovering;
  }

  /**
   * The features a catch-up plan can count on: those learnt from disco#info; before any, a
   * stanza-id stamped by the room (XEP-0359 `by` = room, which a room adds when it archives:
   * XEP-0313 uses it as the archive id) stands for the archive.
   */
  #planFeatures(): ReadonlySet<string> | undefined {
    if (this.#features !== undefined || this.#stanzaId === undefined) return this.#features;
    return ASSUMED_ARCHIVE;
  }

  /** The `<history/>` of a rejoin (or a resumed first join); remembers the archive walk to run once entered. */
  joinHistory(requested: History | undefined): History | undefined {
    const plan = catchUpPlan({ features: this.#planFeatures(), position: this.position, history: requested });
    this.#rejoining = this.#ctx.entered;
    this.#plan = plan.kind === 'archive-after-id' || plan.kind === 'archive-since' ? plan : undefined;
    return plan.joinHistory;
  }

  /** We are in: run the archive walk of the plan, if any. */
  entered(): void {
    const plan = this.#plan;
    this.#plan = undefined;
    if (plan) this.#walk(plan);
  }

  /** The room is live (ACTIVE): history catch-up is over. */
  historyOver(): void {
    this.#rejoining = false;
  }

  /** `fresh` after a stale period: walk the archive from the position (if the room has one). */
  fresh(): void {
    if (this.#walking || this.position === undefined) return;
    const generation = this.#generation;
    void this.discover().then(() => {
      const position = this.position;
      if (generation !== this.#generation || this.#walking || this.#ctx.closed || !this.hasArchive || position === undefined) return;
      const plan = catchUpPlan({ features: this.#planFeatures(), position });
      if (plan.kind === 'archive-after-id' || plan.kind === 'archive-since') this.#walk(plan);
    });
  }

  /** Hold a live groupchat message while a walk runs (returns `true` when held). */
  hold(stanza: Element, from: JID): boolean {
    if (!this.#walking || stanza.attrs.type !== 'groupchat') return false;
    this.#held.push([stanza, from]);
    return true;
  }

  /** The stream or the room is gone: abandon a walk (held messages are delivered first). */
  stop(): void {
    this.#generation++;
    this.#plan = undefined;
    this.#release();
  }

  #walk(plan: ArchiveAfterIdPlan | ArchiveSincePlan): void {
    const ctx = this.#ctx;
    const generation = ++this.#generation;
    this.#walking = true;
    const run = async () => {
      const walk = catchUpFromArchive(ctx.host.connection, ctx.jid, plan, {
        logger: ctx.host.logger,
        timeoutMs: CATCH_UP_REQUEST_TIMEOUT_MS,
      });
      let count = 0;
      for await (const m of walk) {
        if (generation !== this.#generation || ctx.closed) return;
        if (this.#emitArchived(m)) count++;
      }
      ctx.host.logger.info('caught up from the archive', { room: ctx.jid.toString(), count });
    };
    run()
      .catch((error: unknown) => ctx.host.logger.warn('archive catch-up failed', { room: ctx.jid.toString(), error: toError(error) }))
      .finally(() => {
        if (generation === this.#generation) this.#release();
      });
  }

  #release(): void {
    this.#walking = false;
    const held = this.#held;
    this.#held = [];
    for (const [stanza, from] of held) {
      if (this.#ctx.closed) return;
      // A live message the walk already emitted (the archive has it too) is not emitted twice.
      if (this.#replay.seen.index.has(messageKeys(readMessage(stanza, this.#ctx.host.logger), this.#ctx.jid))) {
        this.#ctx.host.logger.debug('live message already caught up from the archive', { room: this.#ctx.jid.toString() });
        continue;
      }
      this.#deliver(stanza, from);
    }
  }

  /** Emit one archived message unless already seen; returns whether it was emitted. */
  #emitArchived(m: ArchivedMessage): boolean {
    const ctx = this.#ctx;
    const { message } = m;
    const nick = message.from?.resource;
    if (message.body.size === 0) return false;
    const keys = messageKeys(message, ctx.jid, { archiveId: m.archiveId, stamp: m.delay?.stamp });
    if (!this.#replay.seen.index.add(keys)) return false;
    const member = nick === undefined || message.from === undefined ? undefined : this.#replay.sender(message.from, message);
    if (member === undefined) return false;
    const payload: RoomEvents['message'] = { message, member, source: MessageSource.ARCHIVE, isHistory: true, stanzaId: m.archiveId };
    if (m.delay) payload.delay = { stamp: m.delay.stamp, from: m.delay.from?.toString() };
    ctx.emit('message', payload);
    return true;
  }
}
