import type { Element } from 'ltx';
import type { TypedEmitter } from './emitter.js';
import type { JID } from './jid.js';

/** Default time an IQ request waits for its reply. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Where a connection is:
 * - `offline`: not started, or stopped for good;
 * - `connecting`: opening a stream, authenticating, binding or resuming;
 * - `online`: a session is bound and stanzas flow;
 * - `disconnected`: the transport is down; a reconnect (and maybe a resumption) is pending.
 */
export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'disconnected';

/** Options for {@link XmppConnection.request}. */
export interface RequestOptions {
  /** Cancel the wait: the promise rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Give up after this long (default {@link DEFAULT_REQUEST_TIMEOUT_MS}): rejects with `TimeoutError`. */
  timeoutMs?: number | undefined;
}

/** Events of an {@link XmppConnection}. */
export interface ConnectionEvents {
  /**
   * A new session was bound: the first one, or one after a resumption failed or was not
   * possible. Server-side state tied to the old session (room occupancy) is gone: rooms
   * with autorejoin must rejoin. Not emitted for an XEP-0198 resumption.
   */
  established: {
    /** The full JID bound for the new session. */
    jid: JID;
  };
  /**
   * The session is gone and will not be resumed. Pending requests have been rejected with
   * `DisconnectedError`. `willReconnect` says whether a new session will be attempted.
   */
  destroyed: {
    /** Why the session ended, when known. */
    reason: Error | undefined;
    /** Whether a new session will be attempted. */
    willReconnect: boolean;
  };
  /** Informational: the status changed. */
  status: {
    /** The new status. */
    status: ConnectionStatus;
  };
  /** The server acknowledged an outbound stanza (XEP-0198). */
  acked: {
    /** The outbound stanza the server acknowledged. */
    stanza: Element;
  };
  /** An incoming stanza that no handler claimed: it belongs to the application. */
  stanza: {
    /** The unclaimed incoming stanza. */
    stanza: Element;
  };
  /** A non-fatal problem (bad input, a failed reconnect attempt). */
  error: {
    /** The problem. */
    error: Error;
  };
}

/**
 * A handler for incoming stanzas (`message`, `presence`, `iq`). Return `true` to claim the
 * stanza (no later handler and no application listener sees it). Handlers are called in
 * the order they were added; one that throws is logged and treated as not claiming.
 */
export type StanzaHandler = (stanza: Element) => boolean;

/**
 * The seam between xmuc and an XMPP connection. Everything below it (sockets, TLS, SASL,
 * binding, stream management, reconnect) is the connection's job; everything above talks
 * only to this interface. Implemented by xmuc's native connection (`connect()`), by
 * `fromXmppJs(client)` over an `@xmpp/client` instance, and by the test `FakeConnection`.
 */
export interface XmppConnection {
  /** The full JID of the current session, once bound. */
  readonly jid: JID | undefined;
  /** The current status. */
  readonly status: ConnectionStatus;
  /** Whether the transport reports XEP-0198 acks through the `acked` event. */
  readonly supportsAcks: boolean;
  /** Lifecycle and stanza events. */
  readonly events: Pick<TypedEmitter<ConnectionEvents>, 'on' | 'once' | 'waitFor'>;

  /**
   * Send a stanza. Resolves once it was written to the stream or, while the stream is down,
   * queued to be sent when the session resumes or a new one starts. Rejects with
   * `DisconnectedError` only when the connection is stopped for good.
   */
  send(stanza: Element): Promise<void>;

  /**
   * Send an IQ `get`/`set` and wait for its reply. An `id` is assigned when missing (random,
   * from `crypto.getRandomValues`); an `id` that is already pending is refused with
   * `InvalidArgumentError`.
   *
   * The reply must carry the same id AND pass the reply rule, the same in every
   * implementation (`isAcceptableReplySender`): a reply whose `from` is absent, the account's
   * bare JID or the bound full JID is the server answering for the account, and is accepted
   * when the request had no `to` or was addressed to the account (its bare or full JID); for
   * any other request the reply's `from` must equal the request's `to`. Addresses compare as
   * JIDs (PRECIS-normalised). So another resource of the account answers only a request
   * addressed to it. A reply that fails the rule is not taken as the answer: it goes on to the
   * handlers and the `stanza` event.
   *
   * Resolves with the whole `<iq type="result"/>`; rejects with `StanzaError` (an error
   * reply), `TimeoutError`, `AbortError`, or `DisconnectedError` when a new session replaces
   * the one the request was sent on.
   */
  request(iq: Element, options?: RequestOptions): Promise<Element>;

  /** Add a stanza handler (see {@link StanzaHandler}). Returns a function that removes it. */
  addHandler(handler: StanzaHandler): () => void;
}
