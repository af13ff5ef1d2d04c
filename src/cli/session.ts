/**
 * The CLI's connection and rooms: open a connection (xmuc's native `connect()`, or
 * `@xmpp/client` loaded on demand), put a `MucClient` on it, join a room (unlocking a room
 * the join created), and shut everything down within bounds.
 */
import { inspect } from 'node:util';
import {
  type HistoryOptions,
  type JID,
  type Logger,
  MucClient,
  type Room,
  type RoomPosition,
  StatusCode,
  type XmppConnection,
  connect,
  fromXmppJs,
  silentLogger,
  type XmppJsClient,
} from '../index.js';
import { raceAbort } from '../core/abort.js';
import { type ConnectionConfig, loadPassword } from './args.js';
import { progress } from './progress.js';

/** Where the CLI writes and what stops it. */
export interface CliIO {
  /** Write one line to stdout (no trailing newline in `line`). */
  out(line: string): void;
  /** Write one line to stderr. */
  err(line: string): void;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /**
   * Show a transient status (progress) on a terminal: replaces the previous one; `''` clears
   * it. Absent when stderr is not a TTY (nothing is shown then).
   */
  status?: ((text: string) => void) | undefined;
}

/** An open connection with its `MucClient`. */
export interface Session {
  connection: XmppConnection;
  muc: MucClient;
  logger: Logger;
  config: ConnectionConfig;
  /** Leave every room and close the connection, each step bounded; never rejects. */
  close(): Promise<void>;
}

/** Bound of each shutdown step (leave, stream close). */
export const SHUTDOWN_STEP_MS = 5_000;

/** A logger writing one line per record to `err` (for `--verbose`). */
export function stderrLogger(err: (line: string) => void): Logger {
  const log = (level: string) => (message: string, context?: Record<string, unknown>) => {
    const ctx = context === undefined ? '' : ` ${inspect(context, { depth: 3, breakLength: Number.POSITIVE_INFINITY })}`;
    err(`[xmuc ${level}] ${message}${ctx}`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return raceAbort(promise, { timeoutMs: ms, what });
}

/**
 * Connect as configured. `longLived` (tail, chat) keeps xmuc's reconnect and keepalive on;
 * one-shot commands fail fast instead. Rejects with the connection's error (`AuthError`,
 * `StreamError`, `TimeoutError`, socket errors), `AbortError` on a signal, or an `Error`
 * explaining how to install `@xmpp/client` when `--transport xmppjs` cannot load it.
 */
export async function openSession(config: ConnectionConfig, io: CliIO, longLived: boolean): Promise<Session> {
  const logger = config.verbose ? stderrLogger(io.err) : silentLogger;
  const password = await loadPassword(config);
  const signal = AbortSignal.any([io.signal, AbortSignal.timeout(config.timeoutMs)]);
  const domain = config.jid.domain;
  const username = config.anonymous ? undefined : config.jid.local;
  const resource = config.anonymous ? undefined : config.jid.resource;
  let connection: XmppConnection;
  let closeConnection: () => Promise<void>;
  if (config.transport === 'native') {
    const native = await connect({
      service: config.service,
      domain,
      username,
      password,
      resource,
      allowPlaintext: config.insecurePlaintext,
      allowPlainMechanismWithoutTls: config.insecurePlaintext,
      connectTimeoutMs: config.timeoutMs,
      reconnect: longLived ? undefined : false,
      signal,
      logger,
    });
    connection = native;
    closeConnection = () => native.close();
  } else {
    const xmpp = await startXmppJs(config, { domain, username, password, resource, logger, signal });
    connection = xmpp.connection;
    closeConnection = xmpp.close;
  }
  const muc = new MucClient(connection, { logger });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const rooms = muc.rooms;
      await Promise.allSettled(rooms.map((room) => room.leave({ timeoutMs: Math.min(config.timeoutMs, SHUTDOWN_STEP_MS) })));
      await muc.close();
      await bounded(closeConnection(), SHUTDOWN_STEP_MS, 'connection close').catch((e: unknown) =>
        logger.warn('close failed', { error: e }),
      );
    })();
    return closing;
  };
  logger.info('online', { jid: connection.jid?.toString(), transport: config.transport });
  return { connection, muc, logger, config, close };
}

interface XmppJsStart {
  domain: string;
  username: string | undefined;
  password: string | undefined;
  resource: string | undefined;
  logger: Logger;
  signal: AbortSignal;
}

type XmppJsFactory = (options: Record<string, unknown>) => XmppJsClient & {
  start(): Promise<unknown>;
  reconnect?: { stop(): void };
  socket: { destroy?(): void } | null;
};

async function startXmppJs(config: ConnectionConfig, o: XmppJsStart): Promise<{ connection: XmppConnection; close: () => Promise<void> }> {
  // A variable specifier: @xmpp/client is an optional (dev) dependency without type declarations.
  const specifier = '@xmpp/client';
  let factory: XmppJsFactory;
  try {
    const mod = (await import(specifier)) as { client?: unknown };
    if (typeof mod.client !== 'function') throw new Error('it has no client() export');
    factory = mod.client as XmppJsFactory;
  } catch (error) {
    throw new Error(
      `--transport xmppjs needs the @xmpp/client package (npm install @xmpp/client@0.14): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const service = config.service ?? `xmpp://${o.domain}:5222`;
  const xmpp = factory({ service, domain: o.domain, username: o.username, password: o.password, resource: o.resource });
  xmpp.on('error', (error: unknown) => o.logger.warn('@xmpp/client error', { error }));
  const adapter = fromXmppJs(xmpp, { logger: o.logger, connectTimeoutMs: config.timeoutMs });
  const close = async () => {
    xmpp.reconnect?.stop();
    if (xmpp.status === 'online') await bounded(xmpp.stop(), SHUTDOWN_STEP_MS, 'xmpp.js stop').catch(() => undefined);
    adapter.dispose();
    xmpp.socket?.destroy?.();
  };
  try {
    const established = adapter.events.waitFor('established', { timeoutMs: config.timeoutMs, signal: o.signal });
    established.catch(() => undefined);
    await raceAbort(xmpp.start(), { signal: o.signal, what: 'connect' });
    await established;
  } catch (error) {
    await close();
    throw error;
  }
  return { connection: adapter, close };
}

/** Options of {@link joinRoom}. */
export interface JoinRoomOptions {
  /** How much history to ask for (`undefined`: the service's default). */
  history?: HistoryOptions | undefined;
  /** Called right after `join()`, before any room event: attach listeners here. */
  attach?: ((room: Room) => void) | undefined;
  /** Catch up from this position or time (the room's archive, else history), then follow. */
  since?: RoomPosition | Date | undefined;
}

/** History options asking for no history (one-shot commands). */
export const NO_HISTORY: HistoryOptions = Object.freeze({ maxStanzas: 0 });

/** The nick to use: `--nick`, else the JID's localpart, else a random one (anonymous). */
export function defaultNick(jid: JID, nick: string | undefined): string {
  return nick ?? jid.local ?? `xmuc-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Join `roomJid` and wait (bounded by `--timeout` and the signal) until we are in. When the
 * join created the room (status 201, the room is locked), unlock it with the default
 * configuration (`createInstant()`) and say so on stderr. Resolves with the room and
 * whether it was created; rejects with `MucJoinError`, `TimeoutError`, `AbortError`.
 */
export async function joinRoom(
  session: Session,
  io: CliIO,
  roomJid: JID,
  nick: string,
  options: JoinRoomOptions = { history: NO_HISTORY },
): Promise<{ room: Room; created: boolean }> {
  const { timeoutMs } = session.config;
  const { room, joined } = session.muc.join(roomJid, nick, {
    history: options.history,
    since: options.since,
    timeoutMs,
    signal: io.signal,
  });
  let created = false;
  room.on('enter', ({ statusCodes }) => {
    if (statusCodes.has(StatusCode.CREATED)) created = true;
  });
  options.attach?.(room);
  // A big room takes a while to send every occupant's presence: show the count on a terminal.
  const bar = progress(io, `joining ${roomJid.toString()}`);
  let seen = 0;
  const offJoin = room.on('join', () => bar.update(++seen));
  try {
    await joined;
  } finally {
    offJoin();
    bar.done();
  }
  if (created) {
    await room.createInstant({ timeoutMs, signal: io.signal });
    io.err(`xmuc: created ${room.jid.toString()} and unlocked it with the default configuration`);
  }
  return { room, created };
}

/** Wait for `promise`, bounded by the session's `--timeout` and the signal. */
export function waitBounded<T>(session: Session, io: CliIO, promise: Promise<T>, what: string): Promise<T> {
  return raceAbort(promise, { timeoutMs: session.config.timeoutMs, signal: io.signal, what });
}

/** Resolve when `signal` aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
