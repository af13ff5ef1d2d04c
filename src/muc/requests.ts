/**
 * What the standalone MUC request modules (admin, owner, discovery, registration) share:
 * their options, argument checks done before anything is sent, and the IQ round trip.
 * @internal
 */
import { Element } from 'ltx';
import { type AbortOptions, checkDuration } from '../core/abort.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type XmppConnection } from '../core/connection.js';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import type { Logger } from '../core/logger.js';

/** Options of every MUC request: cancel, time out, and where dropped bad input is reported. */
export interface MucRequestOptions extends AbortOptions {
  /** Cancel the request: rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Give up after this long (default 30 s): rejects with `TimeoutError`. */
  timeoutMs?: number | undefined;
  /** Where malformed parts of a reply that were skipped are reported. */
  logger?: Logger | undefined;
}

/** Parse `value` as a JID, or throw {@link InvalidArgumentError} naming `what`. */
export function toJid(value: JID | string, what: string): JID {
  if (value instanceof JID) return value;
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a JID, got ${typeof value}`);
  try {
    return JID.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`Malformed ${what}: ${JSON.stringify(value.slice(0, 64))}`, { cause: error });
  }
}

/** A room JID: parsed, bare, with a localpart (`room@service`); else {@link InvalidArgumentError}. */
export function toRoomJid(value: JID | string): JID {
  const jid = toJid(value, 'room JID');
  if (!jid.isBare || jid.local === undefined) throw new InvalidArgumentError(`A room JID must be bare (room@service): ${jid.toString()}`);
  return jid;
}

/** A service or server JID: parsed, a bare domain (`conference.example.org`); else {@link InvalidArgumentError}. */
export function toDomainJid(value: JID | string, what: string): JID {
  const jid = toJid(value, what);
  if (jid.local !== undefined || jid.resource !== undefined) {
    throw new InvalidArgumentError(`A ${what} must be a domain (service.example.org): ${jid.toString()}`);
  }
  return jid;
}

/** Check the options' durations; throws {@link InvalidArgumentError}. */
export function checkOptions(options: MucRequestOptions): void {
  checkDuration('timeoutMs', options.timeoutMs);
}

/**
 * Send `<iq type to>{payload}</iq>` and resolve with the whole result. Rejects like
 * `XmppConnection.request` (`StanzaError` passed through, `TimeoutError`, `AbortError`,
 * `DisconnectedError`).
 */
export function iqRequest(
  conn: XmppConnection,
  type: 'get' | 'set',
  to: JID,
  payload: Element,
  options: MucRequestOptions,
): Promise<Element> {
  const iq = new Element('iq', { type, to: to.toString() });
  iq.cnode(payload);
  return conn.request(iq, { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS });
}
