/**
 * Opening a transport: the default opener (TCP/TLS or WebSocket, each module imported on
 * demand) and an abortable wait for it. Kept apart from `transport.ts`, which the transports
 * themselves import, so that no module imports one that imports it back.
 * @internal
 * @module
 */
import type { Transport, TransportOpener } from './transport.js';

/** The default opener: TCP/TLS or WebSocket, each imported on demand. @internal */
export const defaultTransportOpener: TransportOpener = async (endpoint, options, cb) => {
  if (endpoint.kind === 'tcp') {
    const { openTcpTransport } = await import('./tcp.js');
    return openTcpTransport({ ...options, host: endpoint.host, port: endpoint.port, directTls: endpoint.directTls }, cb);
  }
  const { openWebSocketTransport } = await import('./ws.js');
  return openWebSocketTransport({ ...options, url: endpoint.url, secure: endpoint.secure }, cb);
};

/**
 * Wait for a transport being opened unless `signal` aborts first (or `stale()` says the attempt
 * was superseded): a transport that arrives too late is destroyed. @internal
 */
export function openAbortable(opening: Promise<Transport>, signal: AbortSignal, stale: () => boolean): Promise<Transport> {
  return new Promise<Transport>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    opening.then(
      (t) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted || stale()) t.destroy();
        else resolve(t);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
