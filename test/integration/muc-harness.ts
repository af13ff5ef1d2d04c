/**
 * Shared set-up of the MUC integration suites: xmuc clients (`MucClient` over xmuc's native
 * `connect()` or over `@xmpp/client` through `fromXmppJs()`), Python peers, unique room names,
 * and bounded waits. Everything made through a {@link Harness} is closed by `closeAll()`; the
 * Python peers of a {@link PeerPool} by its owner's `afterAll`.
 *
 * Debug aid: `XMUC_TRACE_STANZAS=1 npx vitest run --project integration test/integration/muc-core.test.ts`
 * prints every stanza the xmuc clients receive, before the MucClient sees it.
 */
import { connect } from '../../src/connection/index.js';
import type { XmppConnection } from '../../src/core/connection.js';
import { fromXmppJs } from '../../src/connection/xmppjs/adapter.js';
import { MucClient, type Room, type RoomEvents } from '../../src/muc/index.js';
import { type Peer, type PeerLine, startPeer } from '../support/peer.js';
import type { ServerInfo } from '../support/servers.js';
import { createXmppJsClient } from '../support/xmppjs-client.js';
import { within } from '../support/within.js';

/** Bound of every single wait in the MUC suites. */
export const WAIT_MS = 10_000;

/** The client connections the suites run over. */
export const TRANSPORTS = ['native', 'xmppjs'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportKind = (typeof TRANSPORTS)[number];

/** An xmuc client under test. */
export interface TestClient {
  connection: XmppConnection;
  muc: MucClient;
  /** Bare JID of the account, e.g. `alice@localhost`. */
  bare: string;
}

/** A wait bounded by `ms` (default {@link WAIT_MS}). */
export function bounded<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return within(promise, ms, what);
}

/** Settle `promise` into its rejection reason (or fail when it resolves), bounded. */
export async function rejectionOf(promise: Promise<unknown>, what: string): Promise<unknown> {
  return bounded(
    promise.then(
      () => {
        throw new Error(`${what}: resolved, expected a rejection`);
      },
      (e: unknown) => e,
    ),
    what,
  );
}

/** Wait (bounded) for the next `event` on `room` passing `filter`. */
export function next<K extends keyof RoomEvents>(room: Room, event: K, filter?: (p: RoomEvents[K]) => boolean): Promise<RoomEvents[K]> {
  return room.waitFor(event, { timeoutMs: WAIT_MS, filter });
}

/**
 * Python peers shared by the tests of one server's suite (starting python3-aioxmpp costs about
 * a second of CPU): started on first use, closed by `closeAll()` in `afterAll`. Tests stay
 * independent because each one uses fresh rooms.
 */
export class PeerPool {
  readonly #server: ServerInfo;
  readonly #peers = new Map<string, Promise<Peer>>();

  constructor(server: ServerInfo) {
    this.#server = server;
  }

  /** The peer logged in as `user` with `lib` (started on first use). */
  get(user: string, lib: 'aioxmpp' | 'slixmpp' = 'aioxmpp'): Promise<Peer> {
    const key = `${user}/${lib}`;
    let p = this.#peers.get(key);
    if (!p) {
      const account = this.#server.users.find((u) => u.name === user);
      if (!account) return Promise.reject(new Error(`no account ${user} on ${this.#server.kind}`));
      p = startPeer({
        lib,
        host: this.#server.host,
        port: this.#server.c2sPort,
        jid: `${user}@${this.#server.domain}`,
        password: account.password,
      });
      this.#peers.set(key, p);
      // A peer that failed to start is not kept: the next test tries again.
      p.catch(() => this.#peers.get(key) === p && this.#peers.delete(key));
    }
    return p;
  }

  /** Close every peer (bounded); never rejects. */
  async closeAll(): Promise<void> {
    const all = [...this.#peers.values()];
    this.#peers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}

/** Clients, peers and rooms of one test, against one server, over one transport. */
export class Harness {
  readonly #server: ServerInfo;
  readonly #transport: TransportKind;
  readonly #closers: (() => Promise<void>)[] = [];
  readonly #pool: PeerPool;

  /** Peers come from `pool` (shared by the suite, closed by its owner). */
  constructor(server: ServerInfo, transport: TransportKind, pool: PeerPool) {
    this.#server = server;
    this.#transport = transport;
    this.#pool = pool;
  }

  #password(user: string): string {
    const account = this.#server.users.find((u) => u.name === user);
    if (!account) throw new Error(`no account ${user} on ${this.#server.kind}`);
    return account.password;
  }

  /** A fresh room JID on the server's MUC service. */
  room(tag: string): string {
    return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@${this.#server.mucDomain}`;
  }

  /** Connect `user` with the harness's transport and put a `MucClient` on it. */
  async client(user: string): Promise<TestClient> {
    const service = `xmpp://${this.#server.host}:${this.#server.c2sPort}`;
    const password = this.#password(user);
    let connection: XmppConnection;
    if (this.#transport === 'native') {
      const native = await connect({
        service,
        domain: this.#server.domain,
        username: user,
        password,
        allowPlaintext: true,
        reconnect: false,
        connectTimeoutMs: WAIT_MS,
      });
      this.#closers.push(() => bounded(native.close(), 'native close').catch(() => undefined));
      connection = native;
    } else {
      const xmpp = createXmppJsClient({ service, domain: this.#server.domain, username: user, password });
      xmpp.on('error', () => {});
      const adapted = fromXmppJs(xmpp, { connectTimeoutMs: WAIT_MS });
      this.#closers.push(async () => {
        xmpp.reconnect.stop();
        if (xmpp.status === 'online') await bounded(xmpp.stop(), 'xmpp.js stop', 3000).catch(() => undefined);
        adapted.dispose();
        xmpp.socket?.destroy?.();
      });
      const established = adapted.events.waitFor('established', { timeoutMs: WAIT_MS });
      await bounded(xmpp.start(), `${user} start`);
      await established;
      connection = adapted;
    }
    if (process.env.XMUC_TRACE_STANZAS === '1') {
      // Debug aid: print every incoming stanza before the MucClient sees it.
      connection.addHandler((stanza) => {
        process.stderr.write(`[${user} <-] ${stanza.toString()}\n`);
        return false;
      });
    }
    const muc = new MucClient(connection);
    // Closed before the connection (closers run in reverse order).
    this.#closers.push(() => bounded(muc.close(), 'muc close').catch(() => undefined));
    return { connection, muc, bare: `${user}@${this.#server.domain}` };
  }

  /** The suite's Python peer logged in as `user`. */
  peer(user: string, lib: 'aioxmpp' | 'slixmpp' = 'aioxmpp'): Promise<Peer> {
    return this.#pool.get(user, lib);
  }

  /** A room created by a peer (joined as `nick`, configured with `config` which also unlocks it). */
  async peerRoom(peer: Peer, tag: string, nick: string, config: Record<string, unknown> = {}): Promise<string> {
    const room = this.room(tag);
    await peer.call('join', { room, nick });
    await peer.call('configure', { room, ...config });
    return room;
  }

  /** Close every client of this test (its MucClient first); never rejects. */
  async closeAll(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close();
  }
}

/** Matcher for a peer event of `type` in `room` with the given fields. */
export function peerEvent(type: string, room: string, fields: Record<string, unknown> = {}): (l: PeerLine) => boolean {
  return (l) => l.event === type && l.room === room && Object.entries(fields).every(([k, v]) => l[k] === v);
}
