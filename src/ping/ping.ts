import { Element } from 'ltx';
import type { XmppConnection } from '../core/connection.js';
import { JID } from '../core/jid.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';

/** Options of {@link ping}. */
export interface PingOptions {
  /** Give up after this long (default: the connection's request timeout): rejects with `TimeoutError`. */
  timeoutMs?: number | undefined;
  /** Cancel the ping: rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
}

/**
 * Send an XEP-0199 ping to `jid` and wait for the reply. Resolves (with nothing) on a
 * result; rejects with `StanzaError` when the entity answers with an error (note that for
 * some purposes, e.g. XEP-0410 self-ping, certain errors still prove the target is alive),
 * `TimeoutError`, `AbortError`, `DisconnectedError`, or `InvalidArgumentError` for a
 * malformed JID (nothing is sent).
 *
 * @example
 * ```ts
 * await ping(conn, 'room@conference.example.org/me', { timeoutMs: 10_000 });
 * ```
 */
export async function ping(conn: XmppConnection, jid: JID | string, options: PingOptions = {}): Promise<void> {
  const to = typeof jid === 'string' ? JID.parse(jid).toString() : jid.toString();
  const iq = new Element('iq', { type: 'get', to });
  iq.cnode(new Element('ping', { xmlns: NS.PING }));
  await conn.request(iq, { signal: options.signal, timeoutMs: options.timeoutMs });
}

/** Options of {@link answerPings}. */
export interface AnswerPingsOptions {
  /** Where answered pings are reported (debug level). */
  logger?: Logger | undefined;
}

/**
 * Answer incoming XEP-0199 pings (`<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>`) with
 * an empty result addressed to the sender, and claim them (a ping without `id` cannot be
 * answered: it is claimed and dropped). Returns a function that removes
 * the handler.
 */
export function answerPings(conn: XmppConnection, options: AnswerPingsOptions = {}): () => void {
  const logger = options.logger ?? silentLogger;
  return conn.addHandler((stanza) => {
    if (stanza.name !== 'iq' || stanza.attrs.type !== 'get') return false;
    const payload = stanza.getChildElements();
    if (payload.length !== 1 || !payload[0]!.is('ping', NS.PING)) return false;
    const from = stanza.attrs.from as string | undefined;
    if (stanza.attrs.id === undefined) {
      logger.debug('dropping ping without id', { from });
      return true;
    }
    const attrs: Record<string, string> = { type: 'result', id: String(stanza.attrs.id) };
    if (from !== undefined) attrs.to = from;
    logger.debug('answering ping', { from });
    conn.send(new Element('iq', attrs)).catch((error: unknown) => logger.debug('could not answer ping', { from, error }));
    return true;
  });
}
