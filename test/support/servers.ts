/**
 * Access, inside integration tests, to the XMPP servers started by
 * test/integration/global-setup.ts.
 */
import { describe, inject } from 'vitest';
import type { ServerInfo, ServerKind } from '../../scripts/xmpp-server/servers.js';

export type { ServerInfo, ServerKind, ServerUser } from '../../scripts/xmpp-server/servers.js';

/** The running servers (`[prosody, ejabberd]`), as provided by the integration global setup. */
export function servers(): ServerInfo[] {
  const list = inject('xmppServers');
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('no xmppServers provided: run this file in the vitest "integration" project');
  }
  return list;
}

/** The running server of the given kind. */
export function serverOf(kind: ServerKind): ServerInfo {
  const s = servers().find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind} server provided`);
  return s;
}

/** A `describe` block per running server, titled `name [kind]`, with that server passed to `fn`. */
export function describeEachServer(name: string, fn: (server: ServerInfo) => void): void {
  for (const server of servers()) {
    describe(`${name} [${server.kind}]`, () => fn(server));
  }
}
