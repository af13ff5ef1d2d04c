import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { checkDuration } from '../../core/abort.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';

/** TLS settings for STARTTLS, direct TLS (`xmpps://`) and `wss://` (Node only). */
export interface TlsOptions {
  /** Trusted CA certificate(s) in PEM, replacing the default roots. */
  ca?: string | string[] | Uint8Array | undefined;
  /** Verify the server certificate (default true). Turn off only in tests. */
  rejectUnauthorized?: boolean | undefined;
  /** The SNI / certificate name to check (default: the XMPP domain). */
  servername?: string | undefined;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /**
   * Where to connect: `xmpp://host:port` (TCP + STARTTLS), `xmpps://host:port` (direct TLS),
   * `ws://…` / `wss://…` (RFC 7395 WebSocket). Default: `xmpp://{host ?? domain}:{port ?? 5222}`.
   */
  service?: string | undefined;
  /** TCP host when `service` is not given (default: `domain`). */
  host?: string | undefined;
  /** TCP port when `service` is not given (default 5222). */
  port?: number | undefined;
  /** The XMPP domain of the account (`localhost` for `alice@localhost`). */
  domain: string;
  /** The account's localpart. Without it, SASL ANONYMOUS is used. */
  username?: string | undefined;
  /** The password (SASLprep'd before use). */
  password?: string | undefined;
  /** A resource to ask for when binding (default: let the server choose). */
  resource?: string | undefined;
  /** TLS settings. */
  tls?: TlsOptions | undefined;
  /**
   * STARTTLS policy on `xmpp://`: `required` (default: fail when not offered, unless
   * `allowPlaintext`), `optional` (use when offered), `never`.
   */
  starttls?: 'required' | 'optional' | 'never' | undefined;
  /**
   * With the default `starttls: 'required'`: continue without encryption when the server does
   * not offer STARTTLS, and allow `ws://`. Default false. (`starttls: 'optional' | 'never'` are
   * explicit choices that allow an unencrypted stream by themselves.)
   */
  allowPlaintext?: boolean | undefined;
  /** Allow SASL PLAIN on an unencrypted stream. Default false. */
  allowPlainMechanismWithoutTls?: boolean | undefined;
  /**
   * Acceptable SASL mechanisms in order of preference. Default: SCRAM-SHA-512-PLUS,
   * SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-512, SCRAM-SHA-256, SCRAM-SHA-1, PLAIN
   * (PLAIN only over TLS unless `allowPlainMechanismWithoutTls`; ANONYMOUS without a username).
   */
  mechanisms?: readonly string[] | undefined;
  /** Cancels the initial connect (`connect()` rejects with `AbortError`). Ignored once connected. */
  signal?: AbortSignal | undefined;
  /** Time source (inject a `FakeClock` in tests). */
  clock?: Clock | undefined;
  /** Logger (default silent). */
  logger?: Logger | undefined;
  /** Largest stanza accepted from the server, in bytes (default 4 MiB); larger ones are a stream error. */
  maxStanzaBytes?: number | undefined;
  /** Reconnect after a loss: exponential backoff with jitter (default `{ baseMs: 1000, maxMs: 60000 }`), or `false`. */
  reconnect?:
    | {
        /** Delay ceiling of the first retry; it doubles per attempt (the delay is jittered in its upper half). */
        baseMs: number;
        /** Upper bound of the delay. */
        maxMs: number;
      }
    | false
    | undefined;
  /**
   * Liveness: when nothing was received for `intervalMs`, send `<r/>` (XEP-0198) or an XEP-0199
   * ping; when nothing arrives within `timeoutMs` after that, drop the socket (no polite close,
   * so the session can be resumed). Default `{ intervalMs: 60000, timeoutMs: 20000 }`; `false` disables.
   */
  keepalive?:
    | {
        /** Quiet time before a probe (`<r/>` or an XEP-0199 ping) is sent. */
        intervalMs: number;
        /** How long to wait for any data after a probe before the socket is dropped. */
        timeoutMs: number;
      }
    | false
    | undefined;
  /** A connect attempt that makes no progress (no data received) for this long is dropped (default 20000 ms). */
  connectTimeoutMs?: number | undefined;
  /** Use XEP-0198 stream management when offered (default true). */
  streamManagement?: boolean | undefined;
  /** Delay after an outbound stanza before the batched `<r/>` ack request (default 250 ms). */
  ackRequestDelayMs?: number | undefined;
}

/** Where and how to open the transport. @internal */
export type Endpoint = { kind: 'tcp'; host: string; port: number; directTls: boolean } | { kind: 'ws'; url: string; secure: boolean };

/** Options with defaults applied. @internal */
export interface ResolvedOptions {
  endpoint: Endpoint;
  domain: string;
  username: string | undefined;
  password: string | undefined;
  resource: string | undefined;
  tls: TlsOptions;
  starttls: 'required' | 'optional' | 'never';
  allowPlaintext: boolean;
  allowPlainMechanismWithoutTls: boolean;
  mechanisms: readonly string[] | undefined;
  signal: AbortSignal | undefined;
  clock: Clock;
  logger: Logger;
  maxStanzaBytes: number;
  reconnect: { baseMs: number; maxMs: number } | false;
  keepalive: { intervalMs: number; timeoutMs: number } | false;
  connectTimeoutMs: number;
  streamManagement: boolean;
  ackRequestDelayMs: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether a host name is a loopback address. @internal */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || host.startsWith('127.');
}

function parseService(service: string): Endpoint {
  let url: URL;
  try {
    url = new URL(service);
  } catch (cause) {
    throw new InvalidArgumentError(`Malformed service URL: ${JSON.stringify(service)}`, { cause });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  switch (url.protocol) {
    case 'xmpp:':
      return { kind: 'tcp', host, port: url.port ? Number(url.port) : 5222, directTls: false };
    case 'xmpps:':
      return { kind: 'tcp', host, port: url.port ? Number(url.port) : 5223, directTls: true };
    case 'ws:':
    case 'wss:':
      return { kind: 'ws', url: url.toString(), secure: url.protocol === 'wss:' };
    default:
      throw new InvalidArgumentError(`Unsupported service URL scheme ${url.protocol} (use xmpp:, xmpps:, ws: or wss:)`);
  }
}

/** Validate options and apply defaults. Throws `InvalidArgumentError`. @internal */
export function resolveOptions(o: ConnectOptions): ResolvedOptions {
  if (!o || typeof o.domain !== 'string' || o.domain === '') throw new InvalidArgumentError('options.domain is required');
  if (o.username !== undefined && o.password === undefined) throw new InvalidArgumentError('options.password is required with a username');
  checkDuration('connectTimeoutMs', o.connectTimeoutMs);
  checkDuration('ackRequestDelayMs', o.ackRequestDelayMs);
  if (o.reconnect) {
    checkDuration('reconnect.baseMs', o.reconnect.baseMs);
    checkDuration('reconnect.maxMs', o.reconnect.maxMs);
  }
  if (o.keepalive) {
    checkDuration('keepalive.intervalMs', o.keepalive.intervalMs);
    checkDuration('keepalive.timeoutMs', o.keepalive.timeoutMs);
    if (o.keepalive.intervalMs <= 0 || o.keepalive.timeoutMs <= 0) throw new InvalidArgumentError('keepalive durations must be > 0');
  }
  if (o.maxStanzaBytes !== undefined && !(Number.isInteger(o.maxStanzaBytes) && o.maxStanzaBytes > 0)) {
    throw new InvalidArgumentError('maxStanzaBytes must be a positive integer');
  }
  const endpoint: Endpoint = o.service
    ? parseService(o.service)
    : { kind: 'tcp', host: o.host ?? o.domain, port: o.port ?? 5222, directTls: false };
  if (endpoint.kind === 'tcp' && !(Number.isInteger(endpoint.port) && endpoint.port > 0 && endpoint.port < 65536)) {
    throw new InvalidArgumentError(`Invalid port ${String(endpoint.port)}`);
  }
  return {
    endpoint,
    domain: o.domain,
    username: o.username,
    password: o.password,
    resource: o.resource,
    tls: o.tls ?? {},
    starttls: o.starttls ?? 'required',
    allowPlaintext: o.allowPlaintext ?? false,
    allowPlainMechanismWithoutTls: o.allowPlainMechanismWithoutTls ?? false,
    mechanisms: o.mechanisms,
    signal: o.signal,
    clock: o.clock ?? systemClock,
    logger: o.logger ?? silentLogger,
    maxStanzaBytes: o.maxStanzaBytes ?? 4 * 1024 * 1024,
    reconnect: o.reconnect === false ? false : (o.reconnect ?? { baseMs: 1000, maxMs: 60_000 }),
    keepalive: o.keepalive === false ? false : (o.keepalive ?? { intervalMs: 60_000, timeoutMs: 20_000 }),
    connectTimeoutMs: o.connectTimeoutMs ?? 20_000,
    streamManagement: o.streamManagement ?? true,
    ackRequestDelayMs: o.ackRequestDelayMs ?? 250,
  };
}
