/**
 * A loopback TCP proxy that tests put between our client and a server to inject network
 * faults: `pass` forwards bytes both ways, `blackhole` holds the connection open and moves
 * nothing either way (as a dead link does: the peers see no error, writes pile up in their
 * own TCP buffers, and nothing is lost when the link heals), `cut` resets both sides now.
 * Byte-level, so it carries XMPP over TCP and WebSocket (HTTP upgrade) alike.
 *
 * Bounded: listens on 127.0.0.1 only and forwards to a loopback target only, refuses
 * connections beyond `maxConnections`, cuts a connection idle for `idleTimeoutMs` (no byte
 * forwarded either way, a blackhole included), and closes itself after `maxLifetimeMs`.
 *
 * @example
 * ```ts
 * const proxy = new FaultProxy({ target: { host: '127.0.0.1', port: 5222 } });
 * const { port } = await proxy.listen();
 * // connect the client to 127.0.0.1:port, then:
 * proxy.setMode('blackhole'); // ... later:
 * proxy.setMode('pass');
 * await proxy.close();
 * ```
 */
import net from 'node:net';
import { type Clock, type TimerHandle, systemClock } from '../../src/core/clock.js';
import { TypedEmitter } from '../../src/core/emitter.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { type Logger, silentLogger } from '../../src/core/logger.js';

/** What the proxy does with a connection. */
export type FaultMode = 'pass' | 'blackhole' | 'cut';

/** Why a proxied connection ended. */
export type CloseReason = 'client-closed' | 'server-closed' | 'cut' | 'idle' | 'upstream-error' | 'proxy-closed';

/** Options of a {@link FaultProxy}. */
export interface FaultProxyOptions {
  /** Where connections are forwarded: a loopback host (`127.0.0.1`, `::1`, `localhost`). */
  target: { host: string; port: number };
  /** Connections open at once; more are refused (default 16). */
  maxConnections?: number | undefined;
  /** A connection with no byte forwarded for this long is cut (default 120 s). */
  idleTimeoutMs?: number | undefined;
  /** The proxy closes itself this long after `listen()` (default 10 minutes). */
  maxLifetimeMs?: number | undefined;
  /** Clock of the idle and lifetime timers (default: the system clock). */
  clock?: Clock | undefined;
  /** Where connections and faults are logged. */
  logger?: Logger | undefined;
}

/** Events of a {@link FaultProxy}. */
export interface FaultProxyEvents {
  /** A client connection was accepted. */
  connection: { connection: ProxiedConnection };
  /** A proxied connection ended. */
  connectionClosed: { connection: ProxiedConnection; reason: CloseReason };
  /** The proxy closed (by `close()` or at the end of its lifetime). */
  closed: { reason: 'closed' | 'lifetime' };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** One client connection through the proxy and its upstream connection to the target. */
export class ProxiedConnection {
  /** Number of the connection, from 1 in order of acceptance. */
  readonly id: number;
  #mode: FaultMode;
  #up = 0;
  #down = 0;
  #closeReason: CloseReason | undefined;
  #upstream: net.Socket | undefined;
  #upstreamReady = false;
  #clientBlocked = false; // backpressure: the upstream did not drain yet
  #upstreamBlocked = false;
  #lastActivity: number;
  #idleTimer: TimerHandle | undefined;
  readonly #client: net.Socket;
  readonly #proxy: FaultProxyInternals;

  /** @internal */
  constructor(id: number, client: net.Socket, mode: FaultMode, proxy: FaultProxyInternals) {
    this.id = id;
    this.#client = client;
    this.#mode = mode;
    this.#proxy = proxy;
    this.#lastActivity = proxy.clock.now();
    client.pause();
    this.#pipe(client, 'up');
    client.on('error', (error) => proxy.logger.debug('client socket error', { id, error }));
    client.on('close', () => this.#end('client-closed'));
    this.#armIdle();
    this.setMode(mode);
  }

  /** What the proxy does with this connection now. */
  get mode(): FaultMode {
    return this.#mode;
  }

  /** Bytes forwarded from the client to the server. */
  get bytesUp(): number {
    return this.#up;
  }

  /** Bytes forwarded from the server to the client. */
  get bytesDown(): number {
    return this.#down;
  }

  /** Whether the connection ended. */
  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /** Why the connection ended, once it did. */
  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  /**
   * `pass`: forward both ways (connecting upstream first if needed); `blackhole`: stop
   * reading both sides, forward nothing; `cut`: reset both sockets now. No-op once closed.
   */
  setMode(mode: FaultMode): void {
    if (this.closed) return;
    this.#mode = mode;
    if (mode === 'cut') {
      this.#end('cut');
      return;
    }
    if (mode === 'pass' && !this.#upstream) this.#connectUpstream();
    this.#updateFlow();
  }

  /** @internal End the connection with `reason` (both sockets destroyed). */
  end(reason: CloseReason): void {
    this.#end(reason);
  }

  #connectUpstream(): void {
    const { host, port } = this.#proxy.target;
    const upstream = net.connect({ host, port });
    this.#upstream = upstream;
    upstream.pause();
    upstream.setNoDelay(true);
    this.#pipe(upstream, 'down');
    upstream.on('connect', () => {
      this.#upstreamReady = true;
      this.#updateFlow();
    });
    upstream.on('error', (error) => {
      this.#proxy.logger.debug('upstream socket error', { id: this.id, error });
      if (!this.#upstreamReady) this.#end('upstream-error');
    });
    upstream.on('close', () => this.#end(this.#upstreamReady ? 'server-closed' : 'upstream-error'));
  }

  #pipe(from: net.Socket, direction: 'up' | 'down'): void {
    from.on('data', (chunk: Buffer) => {
      const to = direction === 'up' ? this.#upstream : this.#client;
      if (this.#mode !== 'pass' || !to || !this.#upstreamReady) {
        // Switched away from pass while this chunk was being delivered: hold it back.
        from.pause();
        from.unshift(chunk);
        return;
      }
      if (direction === 'up') this.#up += chunk.length;
      else this.#down += chunk.length;
      this.#proxy.count(direction, chunk.length);
      this.#lastActivity = this.#proxy.clock.now();
      if (!to.write(chunk)) {
        if (direction === 'up') this.#clientBlocked = true;
        else this.#upstreamBlocked = true;
        this.#updateFlow();
        to.once('drain', () => {
          if (direction === 'up') this.#clientBlocked = false;
          else this.#upstreamBlocked = false;
          this.#updateFlow();
        });
      }
    });
    // A FIN goes through once everything before it was forwarded.
    from.on('end', () => (direction === 'up' ? this.#upstream : this.#client)?.end());
  }

  #updateFlow(): void {
    if (this.closed) return;
    const flowing = this.#mode === 'pass' && this.#upstreamReady;
    if (flowing && !this.#clientBlocked) this.#client.resume();
    else this.#client.pause();
    if (flowing && !this.#upstreamBlocked) this.#upstream?.resume();
    else this.#upstream?.pause();
  }

  #armIdle(): void {
    const due = this.#lastActivity + this.#proxy.idleTimeoutMs;
    this.#idleTimer = this.#proxy.clock.setTimeout(
      () => {
        this.#idleTimer = undefined;
        if (this.closed) return;
        if (this.#proxy.clock.now() - this.#lastActivity >= this.#proxy.idleTimeoutMs) {
          this.#proxy.logger.info('cutting idle connection', { id: this.id });
          this.#end('idle');
        } else {
          this.#armIdle();
        }
      },
      Math.max(0, due - this.#proxy.clock.now()),
    );
  }

  #end(reason: CloseReason): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    if (this.#idleTimer !== undefined) this.#proxy.clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const hard = reason !== 'client-closed' && reason !== 'server-closed';
    for (const socket of [this.#client, this.#upstream]) {
      if (!socket || socket.destroyed) continue;
      // A fault resets the sockets; a peer's close lets the other side finish its writes.
      if (!hard) socket.destroySoon();
      else if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
    this.#proxy.ended(this, reason);
  }
}

/** What a connection needs from its proxy. @internal */
interface FaultProxyInternals {
  readonly target: { host: string; port: number };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly idleTimeoutMs: number;
  count(direction: 'up' | 'down', bytes: number): void;
  ended(connection: ProxiedConnection, reason: CloseReason): void;
}

/** Counters of a {@link FaultProxy} since `listen()`. */
export interface FaultProxyStats {
  /** Connections accepted. */
  accepted: number;
  /** Connections refused (too many, mode `cut`, or proxy closing). */
  refused: number;
  /** Connections open now. */
  open: number;
  /** Bytes forwarded from clients to the target. */
  bytesUp: number;
  /** Bytes forwarded from the target to clients. */
  bytesDown: number;
}

/**
 * The fault-injection proxy (see the file's header). The global mode applies to every open
 * connection and to new ones; under `cut`, open connections are reset and new ones refused
 * until another mode is set (`setMode('cut'); setMode('pass')` is a one-off cut).
 */
export class FaultProxy extends TypedEmitter<FaultProxyEvents> {
  readonly #options: Required<Omit<FaultProxyOptions, 'logger' | 'clock'>>;
  readonly #internals: FaultProxyInternals;
  readonly #server: net.Server;
  readonly #open = new Set<ProxiedConnection>();
  #mode: FaultMode = 'pass';
  #nextId = 1;
  #stats = { accepted: 0, refused: 0, bytesUp: 0, bytesDown: 0 };
  #port: number | undefined;
  #lifetimeTimer: TimerHandle | undefined;
  #closing: Promise<void> | undefined;

  /** Throws `InvalidArgumentError` for a non-loopback target or a bad limit. */
  constructor(options: FaultProxyOptions) {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    super({ clock, logger });
    if (!LOOPBACK.has(options.target.host)) throw new InvalidArgumentError(`target must be on loopback, got ${options.target.host}`);
    this.#options = {
      target: { ...options.target },
      maxConnections: options.maxConnections ?? 16,
      idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
      maxLifetimeMs: options.maxLifetimeMs ?? 600_000,
    };
    for (const key of ['maxConnections', 'idleTimeoutMs', 'maxLifetimeMs'] as const) {
      const v = this.#options[key];
      if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`${key} must be a finite number > 0, got ${v}`);
    }
    const stats = this.#stats;
    this.#internals = {
      target: this.#options.target,
      clock,
      logger,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      count: (direction, bytes) => {
        if (direction === 'up') stats.bytesUp += bytes;
        else stats.bytesDown += bytes;
      },
      ended: (connection, reason) => {
        this.#open.delete(connection);
        logger.debug('proxied connection closed', { id: connection.id, reason });
        this.emit('connectionClosed', { connection, reason });
      },
    };
    this.#server = net.createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
    this.#server.on('error', (error) => logger.warn('fault proxy server error', { error }));
  }

  /** Start listening on 127.0.0.1, on a free port. Resolves with the address to connect to. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.#closing) throw new InvalidArgumentError('the proxy is closed');
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as net.AddressInfo).port;
    const { clock, logger } = this.#internals;
    this.#lifetimeTimer = clock.setTimeout(() => {
      this.#lifetimeTimer = undefined;
      logger.warn('fault proxy reached its maximum lifetime: closing', { maxLifetimeMs: this.#options.maxLifetimeMs });
      void this.#close('lifetime');
    }, this.#options.maxLifetimeMs);
    return { host: '127.0.0.1', port: this.#port };
  }

  /** The host to connect to. */
  get host(): string {
    return '127.0.0.1';
  }

  /** The port to connect to (after `listen()`). */
  get port(): number {
    if (this.#port === undefined) throw new InvalidArgumentError('the proxy is not listening');
    return this.#port;
  }

  /** The global mode. */
  get mode(): FaultMode {
    return this.#mode;
  }

  /** Whether the proxy is closed or closing. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Open connections, oldest first. */
  get connections(): readonly ProxiedConnection[] {
    return [...this.#open];
  }

  /** Counters since `listen()`. */
  get stats(): FaultProxyStats {
    return { ...this.#stats, open: this.#open.size };
  }

  /** Set the global mode: applied to every open connection now, and to new ones. */
  setMode(mode: FaultMode): void {
    this.#mode = mode;
    this.#internals.logger.info('fault proxy mode', { mode });
    for (const connection of [...this.#open]) connection.setMode(mode);
  }

  /** Close the listener and reset every connection. Idempotent; resolves once closed. */
  close(): Promise<void> {
    return this.#close('closed');
  }

  #close(reason: 'closed' | 'lifetime'): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#lifetimeTimer !== undefined) this.#internals.clock.clearTimeout(this.#lifetimeTimer);
    this.#lifetimeTimer = undefined;
    for (const connection of [...this.#open]) connection.end('proxy-closed');
    this.#closing = new Promise<void>((resolve) => {
      if (!this.#server.listening) resolve();
      else this.#server.close(() => resolve());
    }).then(() => {
      this.emit('closed', { reason });
    });
    return this.#closing;
  }

  #accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    if (this.#closing || this.#mode === 'cut' || this.#open.size >= this.#options.maxConnections) {
      this.#stats.refused += 1;
      this.#internals.logger.debug('refusing connection', { mode: this.#mode, open: this.#open.size });
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    this.#stats.accepted += 1;
    const connection = new ProxiedConnection(this.#nextId++, socket, this.#mode, this.#internals);
    if (connection.closed) return;
    this.#open.add(connection);
    this.emit('connection', { connection });
  }
}
