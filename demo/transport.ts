/**
 * How the demo's clients connect: xmuc's own `connect()` (native, the default) or an
 * `@xmpp/client` instance wrapped by `fromXmppJs()`. Both give an `XmppConnection`.
 */
// @ts-expect-error -- @xmpp/client ships no type declarations; xmuc declares the part it uses.
import { client as untypedClient } from '@xmpp/client';
import { connect } from '../src/connection/index.js';
import type { XmppConnection } from '../src/core/connection.js';
import { fromXmppJs } from '../src/connection/xmppjs/adapter.js';
import type { XmppJsClient } from '../src/connection/xmppjs/types.js';

/** Which client connection the demo uses. */
export type TransportKind = 'native' | 'xmppjs';

/** A connected client and the way to close it. */
export interface DemoClient {
  connection: XmppConnection;
  /** Close the stream (bounded) and release everything; never rejects. */
  close(): Promise<void>;
}

/** Where and as whom to connect. */
export interface Account {
  host: string;
  port: number;
  domain: string;
  username: string;
  password: string;
}

type XmppJsFactory = (o: { service: string; domain: string; username: string; password: string }) => XmppJsClient & {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  reconnect: { stop(): void };
};

/**
 * Connect one client; rejects when the first session cannot be established. With
 * `reconnect`, the native connection reconnects (quick backoff) and resumes the stream after
 * a network loss (xmpp.js always reconnects).
 */
export async function connectClient(kind: TransportKind, account: Account, timeoutMs: number, reconnect = false): Promise<DemoClient> {
  const service = `xmpp://${account.host}:${account.port}`;
  if (kind === 'native') {
    const connection = await connect({
      service,
      domain: account.domain,
      username: account.username,
      password: account.password,
      allowPlaintext: true, // the throwaway server listens on loopback without TLS
      connectTimeoutMs: timeoutMs,
      reconnect: reconnect ? { baseMs: 200, maxMs: 2000 } : false,
    });
    return { connection, close: () => connection.close().catch(() => undefined) };
  }
  const xmpp = (untypedClient as XmppJsFactory)({
    service,
    domain: account.domain,
    username: account.username,
    password: account.password,
  });
  xmpp.on('error', () => {}); // reported through the adapter; xmpp.js would otherwise throw
  const connection = fromXmppJs(xmpp, { connectTimeoutMs: timeoutMs });
  const close = async (): Promise<void> => {
    xmpp.reconnect.stop();
    if (xmpp.status === 'online') {
      await Promise.race([xmpp.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    }
    connection.dispose();
    xmpp.socket?.destroy?.();
  };
  try {
    const established = connection.events.waitFor('established', { timeoutMs });
    await xmpp.start();
    await established;
  } catch (e) {
    await close();
    throw e;
  }
  return { connection, close };
}
