/**
 * Internals of the xmpp.js adapter (`adapter.ts`): the streaming UTF-8 socket reader (M1) and
 * small helpers. (Its IQ tracker (M2), handler list, reconnect backoff (M10), liveness (M3) and
 * ids are the ones every connection shares, in `src/connection/`.) Not part of the public API.
 * @internal
 * @module
 */
import type { XmppJsClient, XmppJsReconnect, XmppJsStreamManagement } from './types.js';

/** Run `fn` after the current macrotask, when every pending microtask has run. @internal */
export const yieldToEventLoop: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => globalThis.setTimeout(fn, 0);

export { isElement } from '../../xml/element.js';

/**
 * M1: xmpp.js decodes every socket chunk on its own (`data.toString('utf8')`), so a UTF-8
 * sequence split across two TCP reads becomes U+FFFD. Replace `_onData` with a streaming
 * decoder per socket. Must run before `start()`: xmpp.js binds `_onData` once, at the
 * first socket. Also ignores data arriving after the parser was detached. @internal
 */
export function installUtf8Decoder(client: XmppJsClient): void {
  const decoders = new WeakMap<object, TextDecoder>();
  client._onData = function onData(this: XmppJsClient, data: unknown): void {
    const parser = this.parser;
    if (!parser) return;
    if (typeof data === 'string') {
      parser.write(data);
      return;
    }
    const key: object = this.socket ?? this;
    let decoder = decoders.get(key);
    if (!decoder) {
      decoder = new TextDecoder('utf-8');
      decoders.set(key, decoder);
    }
    const text = decoder.decode(data as Uint8Array, { stream: true });
    if (text) parser.write(text);
  };
}

/** The client's XEP-0198 plugin, if it has one of the expected shape. @internal */
export function smOf(client: XmppJsClient): XmppJsStreamManagement | undefined {
  const sm = client.streamManagement as Partial<XmppJsStreamManagement> | undefined;
  return sm && typeof sm.on === 'function' && typeof sm.removeListener === 'function' ? (sm as XmppJsStreamManagement) : undefined;
}

/** The client's reconnect plugin, if it has one of the expected shape. @internal */
export function reconnectOf(client: XmppJsClient): XmppJsReconnect | undefined {
  const r = client.reconnect as Partial<XmppJsReconnect> | undefined;
  return r && typeof r.stop === 'function' && typeof r.start === 'function' && typeof r.reconnect === 'function'
    ? (r as XmppJsReconnect)
    : undefined;
}
