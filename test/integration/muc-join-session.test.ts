/**
 * Issue 13 bugs 1 and 2 against real Prosody and ejabberd over xmuc's native connection (whose
 * status is `online` before `established` is emitted): a join made before the stream is up is
 * deferred, not timed out while offline, and exactly one join presence goes out per session,
 * even for a `join()` made from a `status: online` listener.
 */
import type { Element } from 'ltx';
import { afterEach, expect, it } from 'vitest';
import { NativeConnection } from '../../src/connection/native/native-connection.js';
import { resolveOptions } from '../../src/connection/native/options.js';
import type { XmppConnection } from '../../src/core/connection.js';
import { MucClient } from '../../src/muc/index.js';
import { describeEachServer, type ServerInfo } from '../support/servers.js';
import { bounded, WAIT_MS } from './muc-harness.js';

/** A native connection, not started, and a view of it that records every stanza sent. */
function offlineClient(server: ServerInfo, user: string) {
  const account = server.users.find((u) => u.name === user)!;
  const native = new NativeConnection(
    resolveOptions({
      service: `xmpp://${server.host}:${server.c2sPort}`,
      domain: server.domain,
      username: user,
      password: account.password,
      allowPlaintext: true,
      reconnect: false,
      connectTimeoutMs: WAIT_MS,
    }),
  );
  const sent: Element[] = [];
  const counted = new Proxy(native, {
    get(target, prop) {
      if (prop === 'send') {
        return (stanza: Element) => {
          sent.push(stanza);
          return target.send(stanza);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as XmppConnection;
  const muc = new MucClient(counted);
  const joinPresences = (roomJid: string) =>
    sent.filter((s) => s.name === 'presence' && s.attrs.type === undefined && String(s.attrs.to).startsWith(`${roomJid}/`));
  return { native, muc, joinPresences };
}

const room = (server: ServerInfo, tag: string) =>
  `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;

describeEachServer('MUC join across the session lifecycle (issue 13)', (server) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  it('join while connecting: deferred past its timeout, sent once on `established`, joined resolves', async () => {
    const { native, muc, joinPresences } = offlineClient(server, 'alice');
    closers.push(
      () => bounded(native.close(), 'close'),
      () => muc.close(),
    );
    const roomJid = room(server, 'deferred');
    const { room: r, joined } = muc.join(roomJid, 'alice', { timeoutMs: 2000 });
    // Offline for longer than the join timeout: the timeout must not run yet.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(muc.rooms).toEqual([r]);
    expect(joinPresences(roomJid)).toHaveLength(0);
    await bounded(native.start(), 'start');
    await bounded(joined, 'join');
    expect(joinPresences(roomJid)).toHaveLength(1);
    expect(r.isJoined).toBe(true);
  });

  it('join() from a `status: online` listener sends exactly one join presence', async () => {
    const { native, muc, joinPresences } = offlineClient(server, 'alice');
    closers.push(
      () => bounded(native.close(), 'close'),
      () => muc.close(),
    );
    const roomJid = room(server, 'onstatus');
    let joined: Promise<void> | undefined;
    const statuses: string[] = [];
    native.events.on('status', ({ status }) => {
      statuses.push(status);
      if (status === 'online' && !joined) joined = muc.join(roomJid, 'alice').joined;
    });
    const established = native.events.waitFor('established', { timeoutMs: WAIT_MS });
    await bounded(native.start(), 'start');
    await established;
    expect(statuses).toContain('online');
    await bounded(joined!, 'join');
    // Anything extra would have been sent synchronously with the first: the count is final.
    expect(joinPresences(roomJid)).toHaveLength(1);
  });
});
