import { NativeConnection } from './native-connection.js';
import { type ConnectOptions, resolveOptions } from './options.js';

/**
 * Connect to an XMPP server with xmuc's own client connection: TCP + STARTTLS, direct TLS or
 * RFC 7395 WebSocket; SASL SCRAM-SHA-256/SHA-1 (+ -PLUS channel binding), PLAIN (TLS only unless
 * allowed), ANONYMOUS; resource binding; XEP-0198 stream management with resumption;
 * keepalive; reconnect with backoff.
 *
 * Resolves once the first session is online. Rejects (and leaves nothing running) when that
 * first attempt fails: `AuthError` (credentials, no usable mechanism), `StreamError` (stream
 * error, bad XML, STARTTLS required but not offered...), `TimeoutError` (no progress within
 * `connectTimeoutMs`), `AbortError` (`signal`), `InvalidArgumentError` (options), or the
 * socket's error (e.g. `ECONNREFUSED`). Reconnecting applies only after the first session.
 *
 * @example
 * ```ts
 * const conn = await connect({ service: 'xmpp://127.0.0.1:5222', domain: 'localhost',
 *   username: 'alice', password: 'secret', allowPlaintext: true });
 * conn.events.on('established', ({ jid }) => console.log('online as', jid.toString()));
 * await conn.close();
 * ```
 */
export async function connect(options: ConnectOptions): Promise<NativeConnection> {
  const connection = new NativeConnection(resolveOptions(options));
  await connection.start();
  return connection;
}
