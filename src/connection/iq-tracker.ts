import type { Element } from 'ltx';
import type { Clock, TimerHandle } from '../core/clock.js';
import { AbortError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';

interface Pending {
  /** The `to` of the request, or undefined (the account itself). */
  to: string | undefined;
  /** Whether the request was written on the current session (false while queued). */
  sent: boolean;
  resolve(reply: Element): void;
  reject(error: Error): void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** JID equality of two address strings (PRECIS-normalised); identical strings are equal. */
function sameJid(a: string, b: string): boolean {
  if (a === b) return true;
  const ja = JID.tryParse(a);
  return ja?.equals(b) === true;
}

/** Whether `address` is the account itself: its bare JID or its bound full JID. */
function isOwn(address: string, own: JID | undefined): boolean {
  return own !== undefined && (own.equals(address) || own.bare().equals(address));
}

/**
 * The IQ reply rule, the one definition every connection uses: may a reply from `replyFrom`
 * answer a request sent to `requestTo`, on a session bound to `ownFullJid`?
 *
 * A reply whose `from` is absent, the account's bare JID or the bound full JID is the server
 * answering for the account: it is accepted when the request had no `to` or was addressed to
 * the account (its bare or full JID). For any other request, the reply's `from` must equal the
 * request's `to`. Addresses compare as JIDs (PRECIS-normalised), so `ALICE@localhost` is
 * `alice@localhost`. Another resource of the account (`alice@localhost/other`) is not the
 * server: it answers only requests addressed to it.
 */
export function isAcceptableReplySender(
  requestTo: string | undefined,
  replyFrom: string | undefined,
  ownFullJid: JID | undefined,
): boolean {
  if (requestTo === undefined || isOwn(requestTo, ownFullJid)) {
    return replyFrom === undefined || isOwn(replyFrom, ownFullJid);
  }
  return replyFrom !== undefined && sameJid(requestTo, replyFrom);
}

/** What an {@link IqTracker} needs. @internal */
export interface IqTrackerOptions {
  /** Timer source for request timeouts. */
  clock: Clock;
  /** The account's current full JID (for {@link isAcceptableReplySender}). */
  ownJid: () => JID | undefined;
  /** Where replies from the wrong sender are reported (default: silent). */
  logger?: Logger | undefined;
}

/**
 * Tracks outstanding IQ requests by id, for every connection implementation (native, xmpp.js
 * adapter, `FakeConnection`). A reply settles a request only when it has the request's id AND
 * its sender passes {@link isAcceptableReplySender}; any other reply is not ours (it goes on to
 * the handlers and the application).
 * @internal
 */
export class IqTracker {
  readonly #pending = new Map<string, Pending>();
  readonly #clock: Clock;
  readonly #ownJid: () => JID | undefined;
  readonly #logger: Logger;

  constructor(options: IqTrackerOptions) {
    this.#clock = options.clock;
    this.#ownJid = options.ownJid;
    this.#logger = options.logger ?? silentLogger;
  }

  /** How many requests are waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /** Whether `id` is a pending request. */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /**
   * Register a request; the returned promise settles with the reply (`StanzaError` for an
   * error reply), `TimeoutError` after `timeoutMs`, or `AbortError` when `signal` aborts (at
   * once when it already has: nothing is registered then).
   */
  track(id: string, to: string | undefined, timeoutMs: number, signal: AbortSignal | undefined): Promise<Element> {
    return new Promise<Element>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError('The IQ request was aborted', { cause: signal.reason }));
        return;
      }
      const entry: Pending = { to, sent: false, resolve, reject, timer: undefined, signal, onAbort: undefined };
      entry.timer = this.#clock.setTimeout(() => {
        this.#settle(id, entry);
        reject(new TimeoutError(`No reply to IQ ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (signal) {
        entry.onAbort = () => {
          this.#settle(id, entry);
          reject(new AbortError('The IQ request was aborted', { cause: signal.reason }));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#pending.set(id, entry);
    });
  }

  /** Record whether request `id` was written on the current session (see {@link rejectAll}). */
  markSent(id: string, sent: boolean): void {
    const entry = this.#pending.get(id);
    if (entry) entry.sent = sent;
  }

  #settle(id: string, entry: Pending): void {
    if (this.#pending.get(id) === entry) this.#pending.delete(id);
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
  }

  /**
   * Offer an incoming `<iq type="result|error">`. Returns true when it answered a pending
   * request (which is then settled), false when it is not ours: not a reply, unknown id, or
   * from the wrong sender (logged as a warning: a possible spoofing attempt).
   */
  handleReply(iq: Element): boolean {
    const type = iq.attrs.type;
    if (type !== 'result' && type !== 'error') return false;
    const id = iq.attrs.id as string | undefined;
    if (id === undefined) return false;
    const entry = this.#pending.get(id);
    if (!entry) return false;
    const from = iq.attrs.from as string | undefined;
    if (!isAcceptableReplySender(entry.to, from, this.#ownJid())) {
      this.#logger.warn('IQ reply with a pending id from an unexpected sender ignored', { id, to: entry.to, from });
      return false;
    }
    this.#settle(id, entry);
    if (type === 'result') entry.resolve(iq);
    else entry.reject(StanzaError.fromStanza(iq));
    return true;
  }

  /**
   * Reject pending requests with `error`: all of them, or with `'sent'` only those written on
   * the current session (those still queued can go out on the next one). Returns their ids.
   */
  rejectAll(error: Error, which: 'all' | 'sent' = 'all'): Set<string> {
    const ids = new Set<string>();
    for (const [id, entry] of [...this.#pending]) {
      if (which === 'sent' && !entry.sent) continue;
      ids.add(id);
      this.#settle(id, entry);
      entry.reject(error);
    }
    return ids;
  }
}
