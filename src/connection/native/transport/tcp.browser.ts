/**
 * The browser stand-in for `tcp.ts`: package.json's `browser` field maps that module
 * to this one, so that bundles for browsers never see `node:net`/`node:tls`/`node:crypto`.
 * Browsers cannot open TCP sockets; an `xmpp://`/`xmpps://` service fails with a clear error.
 */
import { InvalidArgumentError } from '../../../core/errors.js';
import type { Transport } from './transport.js';

/** Always rejects: TCP is not available in browsers. @internal */
export async function openTcpTransport(): Promise<Transport> {
  throw new InvalidArgumentError('TCP is not available in browsers; use a ws:// or wss:// service');
}
