/**
 * How a room catches up on what was said while the client was away (after a rejoin, or
 * when it is confirmed joined again after a stale period): from the room's archive when it
 * has one, else with the discussion history the room replays on join.
 */
import { checkDuration } from '../core/abort.js';
import { NS } from '../core/namespaces.js';
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
    if (position?.stanzaId !== undefined) return { kind: 'archive-after-id', afterId: position.stanzaId, since, joinHistory: { ...NO_HISTORY } };
    if (since !== undefined) return { kind: 'archive-since', since, joinHistory: { ...NO_HISTORY } };
  } else if (since !== undefined) {
    return { kind: 'history-since', since, joinHistory: { since } };
  }
  return { kind: 'history', joinHistory: input.history };
}
