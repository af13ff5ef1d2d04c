/**
 * How a room catches up on what was said while the client was away (after a rejoin, or
 * when it is confirmed joined again after a stale period): from the room's archive when it
 * has one, else with the discussion history the room replays on join.
 */
import { checkDuration } from '../core/abort.js';
import type { XmppConnection } from '../core/connection.js';
import { StanzaError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { type ArchiveQueryEnd, type ArchiveQueryOptions, type ArchivedMessage, queryRoomArchive } from './archive.js';
import type { History } from './payloads/muc.js';
import type { RoomPosition } from './position.js';

/** Default {@link CatchUpInput.marginMs}: how far before the last message a time-based catch-up starts. */
export const DEFAULT_CATCH_UP_MARGIN_MS = 5000;

/** What {@link catchUpPlan} decides from. */
export interface CatchUpInput {
  /**
   * The room's disco#info features, when known; the archive is used only when they include
   * `urn:xmpp:mam:2` (XEP-0313 §3.4: a stanza-id is an archive id only then).
   */
  features?: Iterable<string> | undefined;
  /** Where the client was: the last room stanza-id and the time of the last message actually received. */
  position?: RoomPosition | undefined;
  /**
   * Start a time-based catch-up this long before the last message (default
   * {@link DEFAULT_CATCH_UP_MARGIN_MS}), rounded down to the second: services compare times
   * at one-second granularity and the local clock may differ from the service's; what comes
   * twice is de-duplicated.
   */
  marginMs?: number | undefined;
  /** The history the application asked for, used when there is nothing to catch up from. */
  history?: History | undefined;
}

/** The `<history/>` of a join that catches up from the archive instead: none. */
export const NO_HISTORY: Readonly<History> = Object.freeze({ maxStanzas: 0 });

/** Catch up from the archive after the last stanza-id received. */
export interface ArchiveAfterIdPlan {
  /** The plan's kind. */
  kind: 'archive-after-id';
  /** Query the archive after this archive id (the room's stanza-id of the last message received). */
  afterId: string;
  /**
   * Also bound the query by this time, when known: an archive that does not know the id
   * either fails (`item-not-found`: query again from `since`) or ignores it (ejabberd: the
   * bound keeps it from replaying the whole archive).
   */
  since: Date | undefined;
  /** The `<history/>` of the join presence: none (the archive replaces it). */
  joinHistory: History;
}

/** Catch up from the archive by time (no stanza-id known). */
export interface ArchiveSincePlan {
  /** The plan's kind. */
  kind: 'archive-since';
  /** Query the archive from this time (`start`). */
  since: Date;
  /** The `<history/>` of the join presence: none (the archive replaces it). */
  joinHistory: History;
}

/** No archive: ask the join for history since the last message received. */
export interface HistorySincePlan {
  /** The plan's kind. */
  kind: 'history-since';
  /** The time asked for: the last message received (less the margin), not the disconnect. */
  since: Date;
  /** The `<history since/>` of the join presence. */
  joinHistory: History;
}

/** Nothing to catch up from: the join asks for the application's history. */
export interface PlainHistoryPlan {
  /** The plan's kind. */
  kind: 'history';
  /** The `<history/>` of the join presence (`undefined`: the service's default). */
  joinHistory: History | undefined;
}

/**
 * A catch-up decision: every plan says what `<history/>` to put in the join presence
 * (`joinHistory`); the archive plans also say what to query once joined (join first, then
 * query, so nothing falls between the two; the overlap is de-duplicated).
 */
export type CatchUpPlan = ArchiveAfterIdPlan | ArchiveSincePlan | HistorySincePlan | PlainHistoryPlan;

/** `at - marginMs`, rounded down to the second. */
function startFrom(at: Date, marginMs: number): Date {
  const t = at.getTime() - marginMs;
  return new Date(t - (((t % 1000) + 1000) % 1000));
}

function hasArchive(features: Iterable<string> | undefined): boolean {
  if (features === undefined) return false;
  for (const f of features) if (f === NS.MAM) return true;
  return false;
}

/**
 * Decide how to catch up (see {@link CatchUpPlan}). Pure.
 *
 * @example
 * ```ts
 * const plan = catchUpPlan({ features: info.features, position: room.position });
 * // join with plan.joinHistory; then, for an archive plan:
 * if (plan.kind === 'archive-after-id') for await (const m of queryRoomArchive(conn, room.jid, { afterId: plan.afterId })) ...
 * ```
 */
export function catchUpPlan(input: CatchUpInput): CatchUpPlan {
  const { position } = input;
  checkDuration('marginMs', input.marginMs);
  const marginMs = input.marginMs ?? DEFAULT_CATCH_UP_MARGIN_MS;
  const since = position?.at === undefined ? undefined : startFrom(position.at, marginMs);
  if (hasArchive(input.features)) {
    if (position?.stanzaId !== undefined)
      return { kind: 'archive-after-id', afterId: position.stanzaId, since, joinHistory: { ...NO_HISTORY } };
    if (since !== undefined) return { kind: 'archive-since', since, joinHistory: { ...NO_HISTORY } };
  } else if (since !== undefined) {
    return { kind: 'history-since', since, joinHistory: { since } };
  }
  return { kind: 'history', joinHistory: input.history };
}

/** Options of {@link catchUpFromArchive}: those of {@link queryRoomArchive} but where to start. */
export type ArchiveCatchUpOptions = Omit<ArchiveQueryOptions, 'afterId' | 'since'>;

/** How a {@link catchUpFromArchive} walk ended (the generator's return value). */
export interface ArchiveCatchUpResult {
  /** Why the (last) query stopped. */
  end: ArchiveQueryEnd | undefined;
  /** The archive id of the last message yielded: the new position. */
  lastId: string | undefined;
  /** Whether the after-id walk failed (unknown id) or was empty, and the walk was done again from `since`. */
  fellBack: boolean;
}

/**
 * Run the archive part of an archive plan (join the room first): the archive after
 * `plan.afterId`, bounded by `plan.since` when known, or from `plan.since`. Yields the
 * messages in order; the caller drops those already seen (see `MessageKeyIndex`). When the
 * plan has both an id and a time, the walk starts again from the time (`fellBack`) if the
 * archive does not know the id: Prosody answers `item-not-found`; ejabberd answers an
 * unknown (non-numeric) id with an empty, complete page when `start` is given. As an empty
 * answer cannot be told from "nothing missed", an empty after-id walk is always checked by
 * time: one more query, whose messages (those of the margin) are all duplicates when
 * nothing was missed. Rejects like {@link queryRoomArchive}.
 *
 * @example
 * ```ts
 * for await (const m of catchUpFromArchive(conn, room.jid, plan, { max: 50 })) {
 *   if (seen.add(messageKeys(m.message, room.jid, { archiveId: m.archiveId, stamp: m.delay?.stamp }))) emit(m);
 * }
 * ```
 */
export async function* catchUpFromArchive(
  conn: XmppConnection,
  room: JID | string,
  plan: ArchiveAfterIdPlan | ArchiveSincePlan,
  options: ArchiveCatchUpOptions = {},
): AsyncGenerator<ArchivedMessage, ArchiveCatchUpResult, undefined> {
  const logger = options.logger ?? silentLogger;
  const afterId = plan.kind === 'archive-after-id' ? plan.afterId : undefined;
  const first = queryRoomArchive(conn, room, { ...options, afterId, since: plan.since });
  try {
    for await (const m of first) yield m;
    if (afterId === undefined || plan.since === undefined || first.count > 0)
      return { end: first.end, lastId: first.lastId, fellBack: false };
    logger.debug('nothing after the last stanza-id; checking by time', { afterId, since: plan.since });
  } catch (error) {
    const unknownId = error instanceof StanzaError && error.condition === 'item-not-found';
    if (!unknownId || afterId === undefined || plan.since === undefined || first.count > 0) throw error;
    logger.warn('the archive does not know the last stanza-id; catching up by time', { afterId, since: plan.since });
  }
  const retry = queryRoomArchive(conn, room, { ...options, since: plan.since });
  for await (const m of retry) yield m;
  return { end: retry.end, lastId: retry.lastId, fellBack: true };
}
