import type { Element } from 'ltx';
import type { StanzaHandler } from '../core/connection.js';
import type { Logger } from '../core/logger.js';

/**
 * The ordered list of stanza handlers (see {@link StanzaHandler}), shared by every connection:
 * handlers are offered a stanza in the order they were added; the first to return `true`
 * claims it; one that throws is logged and counts as not claiming. Copy-on-write, so that a
 * handler may add or remove handlers while a stanza is being dispatched. @internal
 */
export class HandlerList {
  #list: readonly StanzaHandler[] = [];

  /** Add a handler at the end. Returns a function that removes it (idempotent). */
  add(handler: StanzaHandler): () => void {
    this.#list = [...this.#list, handler];
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const i = this.#list.indexOf(handler);
      if (i !== -1) this.#list = [...this.#list.slice(0, i), ...this.#list.slice(i + 1)];
    };
  }

  /**
   * Offer `stanza` to each handler in order, synchronously. Returns true when one claimed it.
   * A handler that throws is logged and counts as not claiming.
   */
  dispatch(stanza: Element, logger: Logger): boolean {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      try {
        if (list[i]!(stanza) === true) return true;
      } catch (error) {
        logger.error('stanza handler threw; treated as not claiming', { error, stanza: stanza.name, id: stanza.attrs.id });
      }
    }
    return false;
  }

  /** How many handlers are installed. */
  get size(): number {
    return this.#list.length;
  }
}
