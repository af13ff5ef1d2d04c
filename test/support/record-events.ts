import type { TypedEmitter } from '../../src/core/emitter.js';
import type { RoomEvents } from '../../src/muc/room-events.js';

/** One recorded event: its name and payload. */
export type Recorded<E> = { [K in keyof E]: [K, E[K]] }[keyof E];

/** The ordered record of {@link recordEvents}, plus helpers. */
export interface EventRecord<E> extends Array<Recorded<E>> {
  /** The names only, in order. */
  names(): (keyof E)[];
  /** Forget what was recorded so far. */
  clear(): void;
  /** Stop recording. */
  stop(): void;
}

/**
 * Record every occurrence of `names` on `emitter`, in emission order, as `[name, payload]`
 * pairs (aioxmpp's `make_listener` pattern). Tests assert on the whole ordered list.
 */
export function recordEvents<E extends { [K in keyof E]: object }, const N extends keyof E>(
  emitter: TypedEmitter<E>,
  names: readonly N[],
): EventRecord<Pick<E, N>> {
  const record = [] as unknown as EventRecord<Pick<E, N>>;
  const offs = names.map((name) => emitter.on(name, (payload) => record.push([name, payload] as Recorded<Pick<E, N>>)));
  Object.defineProperties(record, {
    names: { value: () => record.map(([n]) => n) },
    clear: { value: () => record.splice(0) },
    stop: {
      value: () => {
        for (const off of offs) off();
      },
    },
  });
  return record;
}

/**
 * Every event of {@link RoomEvents}. A `Record` over its keys: an event added to `RoomEvents`
 * and not here (or named here and not there) does not compile.
 */
const ROOM_EVENTS: Record<keyof RoomEvents, true> = {
  enter: true,
  exit: true,
  join: true,
  leave: true,
  presenceChanged: true,
  nickChanged: true,
  roleChanged: true,
  affiliationChanged: true,
  message: true,
  privateMessage: true,
  messageError: true,
  topicChanged: true,
  stateChanged: true,
  suspend: true,
  resume: true,
  roleRequest: true,
  declined: true,
  configChanged: true,
  infoChanged: true,
  affiliationNotice: true,
  stale: true,
  fresh: true,
  rejoinFailed: true,
};

/** Every event a room emits, in order, as `[name, payload]` (see {@link recordEvents}). */
export function recordAll(room: TypedEmitter<RoomEvents>): EventRecord<RoomEvents> {
  return recordEvents(room, Object.keys(ROOM_EVENTS) as (keyof RoomEvents)[]);
}
