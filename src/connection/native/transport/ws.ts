/**
 * RFC 7395 WebSocket transport: subprotocol `xmpp`, one element per text frame,
 * `<open/>`/`<close/>` framing. Uses the global `WebSocket` when present (browsers, Node >= 22),
 * else (or when TLS options must be passed) the `ws` package, imported dynamically.
 */
import { AbortError } from '../../../core/errors.js';
import { StreamParseError, StreamParser } from '../parser/stream-parser.js';
import { escapeAttr, type Transport, type TransportCallbacks, type TransportOptions } from './transport.js';
import { StreamError } from '../errors.js';

const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';

/** The part of the WebSocket API xmuc uses (browser and `ws` alike). */
interface WebSocketLike {
  readonly protocol: string;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the TCP connection without a close handshake. */
  terminate?(): void;
}
type WebSocketCtor = new (url: string, protocols: string | string[], options?: unknown) => WebSocketLike;

/** Options of {@link openWebSocketTransport}. @internal */
export interface WsTransportOptions extends TransportOptions {
  url: string;
  secure: boolean;
}

async function webSocketClass(needsTlsOptions: boolean): Promise<{ ctor: WebSocketCtor; isWs: boolean }> {
  const global = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (global && !needsTlsOptions) return { ctor: global, isWs: false };
  const mod = (await import('ws')) as unknown as { WebSocket: WebSocketCtor };
  return { ctor: mod.WebSocket, isWs: true };
}

/** Open a WebSocket to the server. Resolves once the `xmpp` subprotocol was agreed. @internal */
export async function openWebSocketTransport(options: WsTransportOptions, cb: TransportCallbacks): Promise<Transport> {
  const { tls } = options;
  const needsTls = tls.ca !== undefined || tls.rejectUnauthorized === false || tls.servername !== undefined;
  const { ctor, isWs } = await webSocketClass(needsTls);
  let closed = false;
  let lastError: Error | undefined;

  const parser = new StreamParser({
    mode: 'fragments',
    maxStanzaBytes: options.maxStanzaBytes,
    onElement: (el) => {
      if (el.attrs.xmlns === FRAMING) {
        if (el.name === 'open') cb.onStreamStart(el.attrs as Record<string, string>);
        else if (el.name === 'close') cb.onStreamEnd();
        return;
      }
      cb.onElement(el);
    },
    onError: (err) => cb.onParseError(err),
    onCallbackError: (err) => cb.onCallbackError(err),
  });

  const ws = await new Promise<WebSocketLike>((resolve, reject) => {
    const s = isWs
      ? new ctor(options.url, 'xmpp', {
          ca: tls.ca,
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
          servername: tls.servername,
          maxPayload: options.maxStanzaBytes * 4 + 1024,
        })
      : new ctor(options.url, 'xmpp');
    s.onopen = () => {
      if (s.protocol !== 'xmpp') {
        s.close(1002, 'xmpp subprotocol required');
        reject(
          new StreamError('undefined-condition', {
            message: `WebSocket server did not agree to the xmpp subprotocol (got ${JSON.stringify(s.protocol)})`,
          }),
        );
        return;
      }
      resolve(s);
    };
    s.onerror = (ev) => {
      lastError = new Error(`WebSocket error: ${String((ev as { message?: string }).message ?? 'connection failed')}`);
    };
    s.onclose = (ev) => {
      reject(lastError ?? new AbortError(`WebSocket closed before opening (code ${String(ev.code)})`));
    };
  });

  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') {
      cb.onParseError(new StreamParseError('bad-format', 'binary WebSocket frame'));
      return;
    }
    parser.write(ev.data);
  };
  ws.onerror = (ev) => {
    lastError = new Error(`WebSocket error: ${String((ev as { message?: string }).message ?? 'error')}`);
  };
  ws.onclose = () => {
    if (closed) return;
    closed = true;
    cb.onClose(lastError);
  };

  const writable = () => !closed && ws.readyState === 1;

  return {
    secure: options.secure,
    framed: true,
    canStartTls: false,
    openStream(domain) {
      parser.reset();
      if (writable()) ws.send(`<open xmlns='${FRAMING}' to='${escapeAttr(domain)}' version='1.0' xml:lang='en'/>`);
    },
    write(data) {
      if (writable()) ws.send(data);
    },
    sendStreamError(condition) {
      if (!writable()) return;
      ws.send(
        `<stream:error xmlns:stream='http://etherx.jabber.org/streams'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`,
      );
      ws.send(`<close xmlns='${FRAMING}'/>`);
      ws.close(1000);
    },
    closeStream() {
      if (writable()) ws.send(`<close xmlns='${FRAMING}'/>`);
    },
    destroy() {
      if (closed) return;
      try {
        if (ws.terminate) ws.terminate();
        else ws.close(4000, 'dropped');
      } catch {
        // ignore
      }
      // A WebSocket has no abrupt abort; report the loss now instead of waiting for the close handshake.
      closed = true;
      ws.onmessage = null;
      cb.onClose(lastError);
    },
    async startTls() {
      throw new StreamError('undefined-condition', { message: 'STARTTLS is not available over WebSocket' });
    },
    channelBinding() {
      return undefined;
    },
  };
}
