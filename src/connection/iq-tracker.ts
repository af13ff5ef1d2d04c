import type { Element } from 'ltx';
import type { Clock, TimerHandle } from '../core/clock.js';
import { AbortError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';

interface Pending {
  /** The `to` of the request, or undefined (the account itself). */
  to: string | undefined;
  resolve(reply: Element): void;
  reject(error: Error): void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

function sameJid(a: string, b: string): boolean {
  if (a === b) return true;
  const ja = JID.tryParse(a);
  return ja !== undefined && ja.equals(b);
}

/**
 * Tracks outstanding IQ requests by id. A reply is accepted only when it has the request's id
 * AND comes from the address the request went to; a request without `to` (or to the
 * account's bare JID) accepts a reply without `from` or from the account's bare or full JID.
 * @internal
 */
export class IqTracker {
  readonly #pending = new Map<string, Pending>();
  readonly #clock: Clock;
  /** The account's current full JID (for matching replies to requests without `to`). */
  ownJid: JID | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many requests are waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /** Whether `id` is a pending request. */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /** Register a request; the returned promise settles with the reply, an error, a timeout or an abort. */
  track(id: string, to: string | undefined, timeoutMs: number, signal: AbortSignal | undefined): Promise<Element> {
    return new Promise<Element>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError('The IQ request was aborted', { cause: signal.reason }));
        return;
      }
      const entry: Pending = { to, resolve, reject, timer: undefined, signal, onAbort: undefined };
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

  #settle(id: string, entry: Pending): void {
    if (this.#pending.get(id) === entry) this.#pending.delete(id);
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
  }

  #fromMatches(entry: Pending, from: string | undefined): boolean {
    const own = this.ownJid;
    const toSelf = entry.to === undefined || (own !== undefined && sameJid(own.bare().toString(), entry.to));
    if (toSelf) {
      if (from === undefined) return true;
      return own !== undefined && (sameJid(own.bare().toString(), from) || sameJid(own.toString(), from));
    }
    return from !== undefined && sameJid(entry.to!, from);
  }

  /**
   * Offer an `<iq type="result|error">`. Returns true when it answered a pending request
   * (which is then settled), false when it is not ours (unknown id, or from the wrong address).
   */
  handleReply(iq: Element): boolean {
    const id = iq.attrs.id as string | undefined;
    if (id === undefined) return false;
    const entry = this.#pending.get(id);
    if (!entry) return false;
    if (!this.#fromMatches(entry, iq.attrs.from as string | undefined)) return false;
    this.#settle(id, entry);
    if (iq.attrs.type === 'result') entry.resolve(iq);
    else entry.reject(StanzaError.fromStanza(iq));
    return true;
  }

  /** Reject every pending request with `error`. Returns the ids that were pending. */
  rejectAll(error: Error): Set<string> {
    const ids = new Set(this.#pending.keys());
    const entries = [...this.#pending.entries()];
    this.#pending.clear();
    for (const [id, entry] of entries) {
      this.#settle(id, entry);
      entry.reject(error);
    }
    return ids;
  }
}
