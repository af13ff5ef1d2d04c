/**
 * Typed access to `@xmpp/client` (a devDependency; it ships no types) for tests, over xmuc's
 * own declarations of the part it uses.
 */
// @ts-expect-error -- @xmpp/client has no type declarations; typed below with our own.
import { client as untypedClient, xml as untypedXml } from '@xmpp/client';
import type { Element } from 'ltx';
import type { XmppJsClient, XmppJsReconnect, XmppJsStreamManagement } from '../../src/connection/xmppjs/types.js';

/** An `@xmpp/client` instance as the tests use it. */
export interface TestXmppClient extends XmppJsClient {
  start(): Promise<unknown>;
  reconnect: XmppJsReconnect;
  streamManagement: XmppJsStreamManagement & { outbound_q: unknown[]; requestAckInterval: number };
  middleware: { use(fn: (ctx: { stanza: Element }, next: () => Promise<unknown>) => unknown): unknown };
  iqCallee: { get(ns: string, name: string, handler: (ctx: unknown) => unknown): void };
}

/** Options of `client()` used by the tests. */
export interface TestClientOptions {
  service: string;
  domain: string;
  username?: string;
  password?: string;
  resource?: string;
}

/** Create an `@xmpp/client` instance (ANONYMOUS when no credentials are given). */
export function createXmppJsClient(options: TestClientOptions): TestXmppClient {
  return (untypedClient as (o: TestClientOptions) => TestXmppClient)(options);
}

/** The ltx `Element` class xmpp.js builds its stanzas with (`ltx/lib/Element.js`, not the `ltx` xmuc imports). */
export const XmppJsElement = (untypedXml as { Element: typeof import('ltx').Element }).Element;
