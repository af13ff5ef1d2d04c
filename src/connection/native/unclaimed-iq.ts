import { Element } from 'ltx';
import { NS } from '../../core/namespaces.js';

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
