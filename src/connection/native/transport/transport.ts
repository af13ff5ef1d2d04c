import type { Element } from 'ltx';
import type { ChannelBindingType } from '../sasl/mechanism.js';
import type { Endpoint, TlsOptions } from '../options.js';
import type { StreamParseError } from '../parser/stream-parser.js';

/** What a transport reports. Called synchronously from the socket's event handlers. @internal */
export interface TransportCallbacks {
  /** The server's stream header (`<stream:stream>` or RFC 7395 `<open/>`). */
  onStreamStart(attrs: Record<string, string>): void;
  /** A complete top-level element (stanza or nonza). */
  onElement(el: Element): void;
  /** The server closed the stream (`</stream:stream>` or `<close/>`). */
  onStreamEnd(): void;
  /** The server sent XML the parser rejects; the transport is unusable. */
  onParseError(err: StreamParseError): void;
  /** A callback threw inside the parser (logged). */
  onCallbackError(err: unknown): void;
  /** The socket is gone (exactly once). `error` when it failed. */
  onClose(error: Error | undefined): void;
}

/** One socket to the server, with its framing and streaming parser. @internal */
export interface Transport {
  /** The stream is encrypted (TLS, STARTTLS done, or wss). */
  readonly secure: boolean;
  /** RFC 7395 framing: stanzas must carry `xmlns="jabber:client"`. */
  readonly framed: boolean;
  /** STARTTLS is possible on this transport. */
  readonly canStartTls: boolean;
  /** Reset the parser and send a new stream header. */
  openStream(domain: string): void;
  /** Write serialised XML (ignored once the socket is closing). */
  write(data: string): void;
  /** Send a stream error with this condition and close the stream (then the socket is dropped). */
  sendStreamError(condition: string): void;
  /** Close the stream politely (`</stream:stream>` / `<close/>`). */
  closeStream(): void;
  /** Drop the socket at once (a network cut: the server may keep the session for resumption). */
  destroy(): void;
  /** Upgrade to TLS in place (after `<proceed/>`). */
  startTls(domain: string): Promise<void>;
  /** Channel binding data for SCRAM -PLUS, when available. */
  channelBinding(type: ChannelBindingType): Uint8Array | undefined;
}

/** Options common to all transports. @internal */
export interface TransportOptions {
  domain: string;
  tls: TlsOptions;
  maxStanzaBytes: number;
}

/** XML-escape an attribute value. @internal */
export function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

/** Opens a transport (injectable for tests). @internal */
export type TransportOpener = (endpoint: Endpoint, options: TransportOptions, cb: TransportCallbacks) => Promise<Transport>;
