/**
 * Reading a room's message archive (XEP-0313 MAM v2 on the room's bare JID), page by page
 * with XEP-0059 RSM, for catching up on what was said while the client was away.
 */
import { Element } from 'ltx';
import { checkDuration } from '../core/abort.js';
import type { XmppConnection } from '../core/connection.js';
import { AbortError, InvalidArgumentError, PayloadError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { type Delay, type Message, readMessage } from './message.js';
import { type MamFilter, type MamFin, type MamQuery, type MamResult, mamFin, mamQuery, mamResult } from './payloads/mam.js';
import type { RsmSet } from './payloads/rsm.js';

/** Default page size of {@link queryRoomArchive} (`<max/>`). */
export const DEFAULT_ARCHIVE_PAGE_SIZE = 50;
/** Default bound on the messages {@link queryRoomArchive} returns. */
export const DEFAULT_ARCHIVE_LIMIT = 1000;
/** Default bound on the pages {@link queryRoomArchive} requests. */
export const DEFAULT_ARCHIVE_MAX_PAGES = 100;

/** One message of a room's archive. */
export interface ArchivedMessage {
  /** The archive id (the `<result id/>`): the room's XEP-0359 stanza-id of the message. */
  archiveId: string;
  /** The archived message (`from` is `room/nick`), read by {@link readMessage}. */
  message: Message;
  /** The `<delay/>` of the `<forwarded/>`: when the room received the message. */
  delay: Delay | undefined;
  /** The `<message/>` stanza that carried the result. */
  stanza: Element;
}

/** One page of an archive query. */
export interface ArchivePage {
  /** The well-formed results of the page, in order (malformed ones were logged and skipped). */
  messages: ArchivedMessage[];
  /** How many results of the page were received, malformed ones included. */
  received: number;
  /** The archive id of the last result received (well-formed or not). */
  lastReceivedId: string | undefined;
  /** The `<fin/>` that ended the page. */
  fin: MamFin;
}

/** Options of {@link fetchArchivePage}. */
export interface ArchivePageOptions {
  /** The filter form (omitted when `undefined` or empty). */
  filter?: MamFilter | undefined;
  /** The RSM page to ask for. */
  rsm?: RsmSet | undefined;
  /** The `queryid` (default: a random one). */
  queryId?: string | undefined;
  /** Cancel: rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Give up on the page after this long (default: the connection's request timeout). */
  timeoutMs?: number | undefined;
  /** Where forged, foreign and malformed results are reported. */
  logger?: Logger | undefined;
  /** Source of random query ids (tests). */
  randomId?: (() => string) | undefined;
}

/** 12 random bytes as hex. */
function defaultRandomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The room JID, checked to be bare; throws {@link InvalidArgumentError}. */
function bareRoom(room: JID | string): JID {
  const jid = typeof room === 'string' ? JID.tryParse(room) : room;
  if (jid === undefined || !jid.isBare || jid.local === undefined) {
    throw new InvalidArgumentError(`A room archive is queried on the room's bare JID, got ${String(room)}`);
  }
  return jid;
}

function hasFilter(filter: MamFilter | undefined): filter is MamFilter {
  return filter !== undefined && Object.values(filter).some((v) => v !== undefined);
}

/**
 * Ask the archive of room `room` for one page and collect its results. Only `<message/>`s
 * from exactly the room's bare JID carrying a `<result/>` with this query's id are claimed;
 * anything else (a result from another sender, of another query) is left to other handlers.
 * Malformed results of this query are claimed, logged and skipped. Resolves when the
 * `<iq type='result'/>` with the `<fin/>` arrives; rejects with `StanzaError` (e.g.
 * `item-not-found` for an unknown `after` id), `TimeoutError`, `AbortError`,
 * `DisconnectedError`, or `PayloadError` when the reply has no `<fin/>`. The handler is
 * removed in every outcome.
 *
 * @example
 * ```ts
 * const page = await fetchArchivePage(conn, 'room@conference.example.org', { rsm: { max: 25 } });
 * ```
 */
export async function fetchArchivePage(conn: XmppConnection, room: JID | string, options: ArchivePageOptions = {}): Promise<ArchivePage> {
  const roomJid = bareRoom(room);
  checkDuration('timeoutMs', options.timeoutMs);
  if (options.signal?.aborted) throw new AbortError('The archive query was aborted', { cause: options.signal.reason });
  const logger = options.logger ?? silentLogger;
  const queryId = options.queryId ?? (options.randomId ?? defaultRandomId)();
  const roomString = roomJid.toString();
  const messages: ArchivedMessage[] = [];
  let received = 0;
  let lastReceivedId: string | undefined;

  const remove = conn.addHandler((stanza) => {
    if (stanza.name !== 'message') return false;
    const resultEl = stanza.getChild('result', NS.MAM);
    if (resultEl === undefined || resultEl.attrs.queryid !== queryId) return false;
    const from = stanza.attrs.from as unknown;
    if (typeof from !== 'string' || (from !== roomString && JID.tryParse(from)?.equals(roomJid) !== true)) {
      logger.warn('ignoring an archive result from another sender than the room', { room: roomString, from });
      return false;
    }
    received++;
    const rawId = resultEl.attrs.id as unknown;
    if (typeof rawId === 'string' && rawId !== '') lastReceivedId = rawId;
    const item = readResult(resultEl, stanza, roomJid, logger);
    if (item !== undefined) messages.push(item);
    return true;
  });
  try {
    const iq = new Element('iq', { type: 'set', to: roomString });
    const query: MamQuery = { queryId };
    if (hasFilter(options.filter)) query.filter = options.filter;
    if (options.rsm !== undefined) query.rsm = options.rsm;
    iq.cnode(mamQuery.encode(query));
    const reply = await conn.request(iq, { signal: options.signal, timeoutMs: options.timeoutMs });
    let fin: MamFin | undefined;
    try {
      fin = mamFin.findIn(reply, { logger });
    } catch (error) {
      throw new PayloadError('The archive answered with a malformed <fin/>', { cause: error });
    }
    if (fin === undefined) throw new PayloadError('The archive answered without a <fin/>');
    return { messages, received, lastReceivedId, fin };
  } finally {
    remove();
  }
}

/** Decode one result of ours; `undefined` (logged) when malformed or withheld. */
function readResult(resultEl: Element, stanza: Element, room: JID, logger: Logger): ArchivedMessage | undefined {
  let result: MamResult;
  try {
    result = mamResult.decode(resultEl, { logger });
  } catch (error) {
    logger.warn('skipping a malformed archive result', { room: room.toString(), error });
    return undefined;
  }
  const inner = result.forwarded.message;
  if (inner === undefined) {
    logger.debug('skipping an archive result without a message (withheld by the archive)', { room: room.toString(), id: result.id });
    return undefined;
  }
  const message = readMessage(inner, logger);
  if (message.from === undefined || !message.from.bare().equals(room)) {
    logger.warn('skipping an archive result whose message is not from the room', {
      room: room.toString(),
      id: result.id,
      from: inner.attrs.from,
    });
    return undefined;
  }
  return { archiveId: result.id, message, delay: result.forwarded.delay, stanza };
}

/** Options of {@link queryRoomArchive}. */
export interface ArchiveQueryOptions {
  /** Only messages after the one with this archive id (the room's stanza-id), by RSM `<after/>`. */
  afterId?: string | undefined;
  /** Only messages stamped at or after this time (`start`). */
  since?: Date | undefined;
  /** Only messages stamped at or before this time (`end`). */
  until?: Date | undefined;
  /** Page size (`<max/>`), default {@link DEFAULT_ARCHIVE_PAGE_SIZE}. */
  max?: number | undefined;
  /** Return at most this many messages in all, default {@link DEFAULT_ARCHIVE_LIMIT}. */
  limit?: number | undefined;
  /** Request at most this many pages, default {@link DEFAULT_ARCHIVE_MAX_PAGES}. */
  maxPages?: number | undefined;
  /** Cancel: the iteration rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Give up on a page after this long (default: the connection's request timeout). */
  timeoutMs?: number | undefined;
  /** Where forged, foreign and malformed results are reported. */
  logger?: Logger | undefined;
  /** Source of random query ids (tests). */
  randomId?: (() => string) | undefined;
}

/** Why a {@link RoomArchiveQuery} stopped: the archive said complete, a bound was hit, or a page made no progress. */
export type ArchiveQueryEnd = 'complete' | 'limit' | 'max-pages' | 'no-progress';

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/**
 * A paged walk through a room's archive, oldest message first: iterate it with
 * `for await`, or {@link RoomArchiveQuery.collect} everything. A page is requested only
 * when the previous one has been consumed; breaking out of the loop stops the query (nothing
 * stays pending between pages). Iterable once.
 */
export class RoomArchiveQuery implements AsyncIterable<ArchivedMessage> {
  /** The room's bare JID. */
  readonly room: JID;
  /** Why the walk stopped; `undefined` while it runs (and after an error or an early break). */
  end: ArchiveQueryEnd | undefined;
  /** How many pages were received. */
  pages = 0;
  /** How many messages were returned. */
  count = 0;
  /** The archive id of the last message returned: where a later query picks up. */
  lastId: string | undefined;
  readonly #conn: XmppConnection;
  readonly #options: ArchiveQueryOptions;
  #started = false;

  /** Use {@link queryRoomArchive}. @internal */
  constructor(conn: XmppConnection, room: JID, options: ArchiveQueryOptions) {
    this.#conn = conn;
    this.room = room;
    this.#options = options;
  }

  /** Whether the archive said the walk reached its end (`<fin complete='true'/>`). */
  get complete(): boolean {
    return this.end === 'complete';
  }

  /** Start the walk (once; a second call throws {@link InvalidArgumentError}). */
  [Symbol.asyncIterator](): AsyncIterator<ArchivedMessage> {
    if (this.#started) throw new InvalidArgumentError('A RoomArchiveQuery can be iterated only once');
    this.#started = true;
    return this.#walk();
  }

  /** Every message of the walk, in order. */
  async collect(): Promise<ArchivedMessage[]> {
    const all: ArchivedMessage[] = [];
    for await (const m of this) all.push(m);
    return all;
  }

  async *#walk(): AsyncGenerator<ArchivedMessage, void, undefined> {
    const o = this.#options;
    const logger = o.logger ?? silentLogger;
    const max = o.max ?? DEFAULT_ARCHIVE_PAGE_SIZE;
    const limit = o.limit ?? DEFAULT_ARCHIVE_LIMIT;
    const maxPages = o.maxPages ?? DEFAULT_ARCHIVE_MAX_PAGES;
    const filter: MamFilter = {};
    if (o.since !== undefined) filter.start = o.since;
    if (o.until !== undefined) filter.end = o.until;
    let after = o.afterId;
    for (;;) {
      if (this.count >= limit) {
        this.end = 'limit';
        return;
      }
      if (this.pages >= maxPages) {
        this.end = 'max-pages';
        return;
      }
      const rsm: RsmSet = { max: Math.min(max, limit - this.count) };
      if (after !== undefined) rsm.after = after;
      const page = await fetchArchivePage(this.#conn, this.room, {
        filter,
        rsm,
        signal: o.signal,
        timeoutMs: o.timeoutMs,
        logger,
        randomId: o.randomId,
      });
      this.pages++;
      let yielded = 0;
      for (const m of page.messages) {
        if (this.count >= limit) break;
        this.count++;
        yielded++;
        this.lastId = m.archiveId;
        yield m;
      }
      if (yielded < page.messages.length) {
        this.end = 'limit';
        return;
      }
      if (page.fin.complete === true) {
        this.end = 'complete';
        return;
      }
      const next = page.fin.rsm?.last ?? page.lastReceivedId;
      if (page.received === 0 || next === undefined || next === after) {
        logger.warn('archive page made no progress; stopping', { room: this.room.toString(), after, received: page.received });
        this.end = 'no-progress';
        return;
      }
      after = next;
    }
  }
}

/**
 * Walk the archive of room `room` (its bare JID; else `InvalidArgumentError` at once) in
 * order, `max` messages a page, following RSM `<after/>` until the archive says
 * `complete='true'`, `limit` messages were returned, or `maxPages` pages were requested.
 * With `afterId`, only what came after that message (an unknown id makes the first page
 * reject with `StanzaError` `item-not-found`); with `since`/`until`, only that time span.
 *
 * @example
 * ```ts
 * for await (const { archiveId, message } of queryRoomArchive(conn, room, { afterId: last, max: 25 })) {
 *   console.log(archiveId, message.from?.resource, message.body.any());
 * }
 * ```
 */
export function queryRoomArchive(conn: XmppConnection, room: JID | string, options: ArchiveQueryOptions = {}): RoomArchiveQuery {
  const roomJid = bareRoom(room);
  checkCount('max', options.max, 1);
  checkCount('limit', options.limit, 0);
  checkCount('maxPages', options.maxPages, 1);
  checkDuration('timeoutMs', options.timeoutMs);
  if (options.afterId !== undefined && (typeof options.afterId !== 'string' || options.afterId === '')) {
    throw new InvalidArgumentError('afterId must be a non-empty string');
  }
  for (const [name, d] of [
    ['since', options.since],
    ['until', options.until],
  ] as const) {
    if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime())))
      throw new InvalidArgumentError(`${name} must be a valid Date`);
  }
  return new RoomArchiveQuery(conn, roomJid, options);
}
