/**
 * Internals of the xmpp.js adapter (`xmppjs-adapter.ts`): the IQ request tracker (M2), the
 * streaming UTF-8 socket reader (M1) and small helpers. Not part of the public API.
 * @internal
 * @module
 */
import { Element } from 'ltx';
import { StanzaError } from '../../core/errors.js';
import { JID } from '../../core/jid.js';
import type { Logger } from '../../core/logger.js';
import type { XmppJsClient, XmppJsReconnect, XmppJsStreamManagement } from './types.js';

/** Run `fn` after the current macrotask, when every pending microtask has run. @internal */
export const yieldToEventLoop: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => globalThis.setTimeout(fn, 0);

/** An ltx element, also one built by another copy of ltx (xmpp.js's `xml()`). @internal */
export function isElement(value: unknown): value is Element {
  if (value instanceof Element) return true;
  const v = value as { name?: unknown; attrs?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.attrs === 'object' && v.attrs !== null;
}

/** 12 random bytes as hex, from `crypto.getRandomValues` (M2: not `Math.random`). @internal */
export function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One IQ request awaiting its reply. @internal */
export interface PendingRequest {
  /** The request's `to`, as sent. */
  readonly to: string | undefined;
  /** Whether the request was written on the current session (false while queued). */
  written: boolean;
  resolve(el: Element): void;
  reject(e: Error): void;
}

/**
 * M2: pending IQ requests by id; a reply settles one only when its `from` matches the
 * request's `to` (xmpp.js's `iqCaller` matches by id only, so any entity could answer).
 * @internal
 */
export class IqTracker {
  readonly #pending = new Map<string, PendingRequest>();
  readonly #logger: Logger;
  readonly #ownJid: () => JID | undefined;

  constructor(logger: Logger, ownJid: () => JID | undefined) {
    this.#logger = logger;
    this.#ownJid = ownJid;
  }

  /** Track a request; the promise settles with its reply. */
  add(id: string, to: string | undefined): Promise<Element> {
    return new Promise<Element>((resolve, reject) => {
      this.#pending.set(id, { to, written: false, resolve, reject });
    });
  }

  has(id: string): boolean {
    return this.#pending.has(id);
  }

  get(id: string): PendingRequest | undefined {
    return this.#pending.get(id);
  }

  delete(id: string): void {
    this.#pending.delete(id);
  }

  /** Settle the request this stanza answers (id AND sender). Returns whether it was consumed. */
  route(stanza: Element): boolean {
    const type = stanza.attrs.type;
    if (stanza.name !== 'iq' || (type !== 'result' && type !== 'error')) return false;
    const id = stanza.attrs.id === undefined ? undefined : String(stanza.attrs.id);
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (id === undefined || !pending) return false;
    const from = stanza.attrs.from === undefined ? undefined : String(stanza.attrs.from);
    if (!this.#fromMatches(pending.to, from)) {
      this.#logger.warn('IQ reply with a pending id from an unexpected sender ignored', { id, to: pending.to, from });
      return false;
    }
    this.#pending.delete(id);
    if (type === 'result') pending.resolve(stanza);
    else pending.reject(StanzaError.fromStanza(stanza));
    return true;
  }

  /** Reject (and forget) every request for which `which` holds. */
  rejectWhere(error: Error, which: (p: PendingRequest) => boolean): void {
    for (const [id, p] of [...this.#pending]) {
      if (!which(p)) continue;
      this.#pending.delete(id);
      p.reject(error);
    }
  }

  /**
   * A request without `to` went to the account's server: accept no `from` or the account's
   * own (bare or full) JID. A request to the account's bare JID also accepts no `from`.
   */
  #fromMatches(to: string | undefined, from: string | undefined): boolean {
    const own = this.#ownJid()?.bare();
    if (to === undefined) return from === undefined || (own !== undefined && JID.tryParse(from)?.bare().equals(own) === true);
    const target = JID.tryParse(to);
    if (target === undefined) return false;
    if (from === undefined) return own !== undefined && target.equals(own);
    return target.equals(from);
  }
}

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
  return r && typeof r.stop === 'function' && typeof r.start === 'function' && typeof r.reconnect === 'function' ? (r as XmppJsReconnect) : undefined;
}
