import type { Element } from 'ltx';

/*
 * Our own minimal declarations of the parts of an `@xmpp/client` 0.14 instance that
 * `fromXmppJs()` touches (mitigation M8 of the transport evaluation): xmuc's public
 * declarations must not depend on `@types/xmpp__*`, and nothing is imported from xmpp.js
 * at runtime. Members are loose on purpose, so that a client typed by DefinitelyTyped is
 * assignable too.
 */

/** A listener as xmpp.js's Node-style emitters call it. */
// biome-ignore lint/suspicious/noExplicitAny: xmpp.js's emitters call listeners with arguments of any type
export type XmppJsListener = (...args: any[]) => void;

/** The Node `EventEmitter` methods we use on xmpp.js objects. */
export interface XmppJsEmitter {
  /** Add a listener for `event`. */
  on(event: string, listener: XmppJsListener): unknown;
  /** Remove a listener added with {@link XmppJsEmitter.on}. */
  removeListener(event: string, listener: XmppJsListener): unknown;
}

/** The context object of an xmpp.js incoming middleware. */
export interface XmppJsMiddlewareContext {
  /** The incoming element (stanza or nonza). */
  stanza: Element;
}

/** An xmpp.js incoming middleware (koa-compose style). */
export type XmppJsMiddleware = (context: XmppJsMiddlewareContext, next: () => Promise<unknown>) => unknown;

/** `client.socket`: a Node `net.Socket`/`tls.TLSSocket` for TCP, a wrapper for WebSocket. */
export interface XmppJsSocket {
  /** TCP: drop the connection at once, without closing the stream. */
  destroy?(): void;
  /** WebSocket wrapper: the underlying `WebSocket` (the `ws` one has `terminate()`). */
  socket?: {
    /** Close the WebSocket (a close frame). */
    close?(): void;
    /** `ws` only: drop the WebSocket at once, without a close frame. */
    terminate?(): void;
  } | null;
}

/** `client.streamManagement` (XEP-0198) of `@xmpp/stream-management` 0.14. */
export interface XmppJsStreamManagement extends XmppJsEmitter {
  /** Whether SM is enabled on the current stream. */
  enabled: boolean;
  /** The resumption id; empty when the session cannot be resumed. */
  id: string;
  /** Ack timeout in ms after which xmpp.js closes the stream gracefully; 0 disables it. */
  timeout: number;
}

/** `client.reconnect` of `@xmpp/reconnect` 0.14. */
export interface XmppJsReconnect extends XmppJsEmitter {
  /** Listen to `disconnect` and retry after a constant delay (xmpp.js's own policy). */
  start(): void;
  /** Stop xmpp.js's own retry policy. */
  stop(): void;
  /** One attempt: connect the socket and open the stream (emits `reconnecting`/`reconnected`). */
  reconnect(): Promise<unknown>;
}

/** The parts of an `@xmpp/client` instance (`client({...})`) that xmuc uses. */
export interface XmppJsClient extends XmppJsEmitter {
  /** xmpp.js status: offline, connecting, connect, opening, open, online, closing, close, disconnecting, disconnect. */
  status: string;
  /** The bound JID (an `@xmpp/jid` object) or null. */
  jid: {
    /** The JID as a string (`local@domain/resource`). */
    toString(): string;
  } | null;
  /** The current socket, or null. */
  socket: XmppJsSocket | null;
  /** The current XML parser, or null. */
  parser: {
    /** Feed decoded stream text to the parser. */
    write(data: string): void;
  } | null;
  /** The options given to `client()`. */
  options: {
    /** The service URI to connect to (`xmpp://host:port`, `wss://...`). */
    service?: string;
    /** The XMPP domain the stream is opened to. */
    domain?: string;
    /** The stream's `xml:lang`. */
    lang?: string;
  };
  /** Write a stanza; resolves after the socket write. */
  send(element: Element): Promise<unknown>;
  /** Close the stream and the socket for good. */
  stop(): Promise<unknown>;
  /** The middleware of `@xmpp/middleware`. */
  middleware: {
    /** Add an incoming middleware. */
    use(fn: XmppJsMiddleware): unknown;
  };
  /**
   * {@link XmppJsStreamManagement} on clients built by `@xmpp/client` (typed loosely here:
   * DefinitelyTyped's declaration lacks its events and `timeout`).
   */
  streamManagement?: object | undefined;
  /** {@link XmppJsReconnect} on clients built by `@xmpp/client` (typed loosely, as above). */
  reconnect?: object | undefined;
  /** Connect the socket (used when `reconnect` is absent). */
  connect?(service?: string): Promise<unknown>;
  /** Open the stream (used when `reconnect` is absent). */
  open?(options: { domain?: string | undefined; lang?: string | undefined }): Promise<unknown>;
  /** The socket `data` handler of `@xmpp/connection` (replaced by xmuc: mitigation M1). */
  _onData?(data: unknown): void;
}
