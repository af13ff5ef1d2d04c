import { AbortError, TimeoutError } from './errors.js';
import { type Clock, systemClock } from './clock.js';
import { type Logger, silentLogger } from './logger.js';

/** A listener gets exactly one payload object. */
export type Listener<P> = (payload: P) => void;

/** Options for {@link TypedEmitter.waitFor}. */
export interface WaitForOptions<P> {
  /** Cancel the wait; the promise rejects with {@link AbortError}. */
  signal?: AbortSignal | undefined;
  /** Give up after this many milliseconds; the promise rejects with {@link TimeoutError}. */
  timeoutMs?: number | undefined;
  /** Resolve only for a payload that passes this test. */
  filter?: ((payload: P) => boolean) | undefined;
}

/**
 * A typed event emitter where every event carries one payload object.
 *
 * A listener that throws is reported to the logger, stays subscribed, and never stops the
 * other listeners or the emitter's owner.
 *
 * @example
 * ```ts
 * const off = room.on('message', ({ message, member }) => console.log(member.nick, message.body.any()));
 * off(); // unsubscribe
 * ```
 */
export class TypedEmitter<Events extends { [K in keyof Events]: object }> {
  #listeners = new Map<keyof Events, Set<Listener<never>>>();
  /** @internal */
  protected emitterLogger: Logger;
  /** @internal */
  protected emitterClock: Clock;

  constructor(options: { logger?: Logger | undefined; clock?: Clock | undefined } = {}) {
    this.emitterLogger = options.logger ?? silentLogger;
    this.emitterClock = options.clock ?? systemClock;
  }

  /** Subscribe to an event. Returns a function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    // Wrap so that the same function can be subscribed twice and removed independently.
    const entry: Listener<Events[K]> = (p) => listener(p);
    set.add(entry as Listener<never>);
    return () => {
      const s = this.#listeners.get(event);
      if (!s) return;
      s.delete(entry as Listener<never>);
      if (s.size === 0) this.#listeners.delete(event);
    };
  }

  /** Subscribe to the next occurrence of an event only. Returns a function that unsubscribes. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (p) => {
      off();
      listener(p);
    });
    return off;
  }

  /**
   * Wait for the next occurrence of an event (that passes `filter`). Always bounded by
   * `signal` or `timeoutMs` if either is given; the listener is removed in every outcome.
   */
  waitFor<K extends keyof Events>(event: K, options: WaitForOptions<Events[K]> = {}): Promise<Events[K]> {
    const { signal, timeoutMs, filter } = options;
    return new Promise<Events[K]>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError(undefined, { cause: signal.reason }));
        return;
      }
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const cleanup = () => {
        off();
        signal?.removeEventListener('abort', onAbort);
        if (timer !== undefined) this.emitterClock.clearTimeout(timer);
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      const off = this.on(event, (payload) => {
        if (filter && !filter(payload)) return;
        cleanup();
        resolve(payload);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = this.emitterClock.setTimeout(() => {
          cleanup();
          reject(new TimeoutError(`Timed out after ${timeoutMs} ms waiting for '${String(event)}'`));
        }, timeoutMs);
      }
    });
  }

  /** How many listeners an event has (or all events, without an argument). */
  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.#listeners.get(event)?.size ?? 0;
    let n = 0;
    for (const s of this.#listeners.values()) n += s.size;
    return n;
  }

  /** Remove every listener of one event, or of all events. */
  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
  }

  /**
   * Call every listener of `event` with `payload`, in subscription order. A listener that
   * throws is logged and the others still run. Returns whether any listener was called.
   * @internal
   */
  emit<K extends keyof Events>(event: K, payload: Events[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    if (set.size === 1) {
      // The common case, without copying the set (a snapshot keeps listeners added or removed
      // during the emit from changing who is called).
      this.#call(event, set.values().next().value as Listener<Events[K]>, payload);
      return true;
    }
    for (const listener of [...set]) this.#call(event, listener as Listener<Events[K]>, payload);
    return true;
  }

  #call<K extends keyof Events>(event: K, listener: Listener<Events[K]>, payload: Events[K]): void {
    try {
      listener(payload);
    } catch (error) {
      this.emitterLogger.error(`listener for '${String(event)}' threw`, { error });
    }
  }
}
