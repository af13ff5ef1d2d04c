import { Element } from 'ltx';
import type { StanzaHandler } from '../core/connection.js';
import type { Logger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';

/**
 * The ordered list of stanza handlers, copy-on-write so that a handler may add or remove
 * handlers while a stanza is being dispatched. @internal
 */
export class HandlerList {
  #list: readonly StanzaHandler[] = [];

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

  get size(): number {
    return this.#list.length;
  }
}

/**
 * The answer to an unclaimed IQ `get`/`set`: a result for an XEP-0199 ping (from anyone),
 * `service-unavailable` otherwise. `undefined` for an IQ without id (dropped). @internal
 */
export function answerUnclaimedIq(iq: Element): Element | undefined {
  const id = iq.attrs.id as string | undefined;
  if (id === undefined) return undefined;
  const attrs: Record<string, string> = { xmlns: NS.CLIENT, id };
  const from = iq.attrs.from as string | undefined;
  if (from !== undefined) attrs.to = from;
  const children = iq.getChildElements();
  if (iq.attrs.type === 'get' && children.length === 1 && children[0]!.getName() === 'ping' && children[0]!.getNS() === NS.PING) {
    return new Element('iq', { ...attrs, type: 'result' });
  }
  const reply = new Element('iq', { ...attrs, type: 'error' });
  reply.c('error', { type: 'cancel' }).c('service-unavailable', { xmlns: NS.STANZAS });
  return reply;
}
