/**
 * The scripted XMPP server of the tests, on 127.0.0.1 (TCP or RFC 7395 WebSocket), for every
 * client that speaks over real sockets: the native connection (hostile-server and transport
 * tests) and `@xmpp/client` under the xmpp.js adapter. The test reads what the client sent
 * (bounded waits), writes exact bytes (split anywhere, even inside a UTF-8 sequence), and closes
 * or drops the connection. `scriptHandshake` plays the usual handshake (SASL, bind, XEP-0198
 * enable or resume) so that a test can then misbehave.
 *
 * (`fake-transport.ts` is not a server: it is an in-process `Transport` for the native
 * connection's unit tests on the fake clock.)
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** Which transport the server speaks. */
export type ScriptedTransport = 'tcp' | 'ws';

/** Something `readUntil` waits for: a literal string, a pattern, or a predicate over all unread text. */
export type ReadMatcher = string | RegExp | ((unread: string) => boolean);

/** Default bound of `readUntil`, in real milliseconds. */
const READ_TIMEOUT_MS = 4000;

const STREAM_NS = 'http://etherx.jabber.org/streams';
const FRAMING_NS = 'urn:ietf:params:xml:ns:xmpp-framing';

/** One accepted client connection. */
export class ScriptedConnection {
  /** Everything received so far, decoded as UTF-8 (WebSocket: frames concatenated). */
  received = '';
  /** Whether the connection is closed (by either side). */
  isClosed = false;
  /** Resolves when the connection is closed (by either side). */
  readonly closed: Promise<void>;
  private cursor = 0;
  private peerEnded = false;
  private readonly waiters = new Set<() => void>();
  private markClosed!: () => void;

  /** `answerClose`: answer the client's stream close with ours and end the connection. */
  constructor(
    readonly transport: ScriptedTransport,
    private readonly socket: net.Socket | undefined,
    private readonly ws: WebSocket | undefined,
    private readonly answerClose = false,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    const onClose = (): void => {
      this.isClosed = true;
      this.markClosed();
      this.wake();
    };
    if (socket !== undefined) {
      socket.setNoDelay(true);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => this.onText(chunk));
      socket.on('end', () => {
        this.peerEnded = true;
        this.wake();
      });
      socket.on('close', onClose);
      socket.on('error', () => undefined);
    } else if (ws !== undefined) {
      ws.on('message', (data, isBinary) => this.onText(isBinary ? '' : String(data)));
      ws.on('close', onClose);
      ws.on('error', () => undefined);
    }
  }

  private onText(text: string): void {
    this.received += text;
    // Answer a polite close at once, so that the client does not wait for its timeout.
    if (this.answerClose && (this.transport === 'tcp' ? text.includes('</stream:stream>') : /<close\b/.test(text))) {
      void this.write(streamClose(this.transport));
      this.close();
    }
    this.wake();
  }

  /** Whether the connection is closed, or the client ended its side (TCP FIN). */
  get ended(): boolean {
    return this.isClosed || this.peerEnded;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Text received but not yet consumed by `readUntil`. */
  get unread(): string {
    return this.received.slice(this.cursor);
  }

  /**
   * Writes raw data: a TCP write, or one WebSocket text frame (bytes are sent unvalidated).
   * Resolves once flushed, or at once when the connection is closed; never rejects.
   */
  write(raw: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.isClosed) resolve();
      else if (this.socket !== undefined) this.socket.write(raw, () => resolve());
      else if (this.ws !== undefined) this.ws.send(raw, { binary: false }, () => resolve());
      else resolve();
    });
  }

  /**
   * Writes `buf` in pieces cut at the byte offsets `at`, each piece flushed and followed by a
   * macrotask so the client sees separate reads (TCP) or continuation frames of one message (WebSocket).
   */
  async writeBytesSplit(buf: Buffer | string, at: number[]): Promise<void> {
    const bytes = typeof buf === 'string' ? Buffer.from(buf, 'utf8') : buf;
    const cuts = [...new Set(at.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let prev = 0;
    for (const c of [...cuts, bytes.length]) {
      pieces.push(bytes.subarray(prev, c));
      prev = c;
    }
    for (let i = 0; i < pieces.length; i++) {
      if (this.isClosed) return;
      const piece = pieces[i] as Buffer;
      if (this.socket !== undefined) {
        await new Promise<void>((resolve) => this.socket?.write(piece, () => resolve()));
      } else {
        await new Promise<void>((resolve) => this.ws?.send(piece, { binary: false, fin: i === pieces.length - 1 }, () => resolve()));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Waits until the unread text matches, consumes it up to the end of the match (a predicate
   * consumes everything unread) and returns the consumed text. Rejects after `timeoutMs` (real
   * time), or when the connection closes (or the client ends its side) first.
   */
  readUntil(matcher: ReadMatcher, timeoutMs = READ_TIMEOUT_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const unread = this.received.slice(this.cursor);
        let end = -1;
        if (typeof matcher === 'function') {
          if (matcher(unread)) end = unread.length;
        } else if (typeof matcher === 'string') {
          const at = unread.indexOf(matcher);
          if (at !== -1) end = at + matcher.length;
        } else {
          const m = new RegExp(matcher.source, matcher.flags.replace('g', '')).exec(unread);
          if (m !== null) end = m.index + m[0].length;
        }
        if (end >= 0) {
          this.cursor += end;
          finish();
          resolve(unread.slice(0, end));
          return true;
        }
        if (this.ended) {
          finish();
          reject(new Error(`connection closed before ${String(matcher)}; unread: ${unread.slice(0, 300)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(matcher)}; unread: ${this.unread.slice(0, 300)}`));
      }, timeoutMs);
      const waiter = (): void => void check();
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      check();
    });
  }

  /** Closes gracefully: TCP FIN after pending writes, WebSocket close frame 1000. */
  close(): void {
    if (this.socket !== undefined) this.socket.end();
    else this.ws?.close(1000);
  }

  /** Drops the connection abruptly: TCP reset, WebSocket terminated without a close frame. */
  destroy(): void {
    if (this.socket !== undefined) this.socket.resetAndDestroy();
    else this.ws?.terminate();
  }
}

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Which transport to speak (default `tcp`). */
  transport?: ScriptedTransport | undefined;
  /**
   * Scripts one accepted connection (`index`: 1 for the first); a throw or rejection is
   * recorded in `errors` and drops it.
   */
  onConnection?(conn: ScriptedConnection, index: number): unknown;
  /** Answer the client's stream close with ours and end the connection (default false). */
  answerClose?: boolean | undefined;
}

/** A running scripted server. */
export interface ScriptedServer {
  readonly transport: ScriptedTransport;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `ws://127.0.0.1:PORT/xmpp-websocket` for WebSocket, `tcp://127.0.0.1:PORT` for TCP. */
  readonly url: string;
  /** The service URI clients take: `xmpp://127.0.0.1:PORT` for TCP, the `ws://` URL for WebSocket. */
  readonly service: string;
  /** Accepted connections, in order. */
  readonly connections: ScriptedConnection[];
  /** Errors thrown by `onConnection` scripts (tests should expect this to be empty). */
  readonly errors: unknown[];
  /** Waits until `n` connections were accepted (bounded). */
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Waits for the `n`-th connection (1-based, bounded) and returns it. */
  connection(n: number, timeoutMs?: number): Promise<ScriptedConnection>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a scripted server on 127.0.0.1 on a free port. */
export async function startScriptedServer(opts: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const transport = opts.transport ?? 'tcp';
  const connections: ScriptedConnection[] = [];
  const errors: unknown[] = [];
  const listeners = new Set<() => void>();
  const accept = (conn: ScriptedConnection): void => {
    connections.push(conn);
    const failed = (e: unknown): void => {
      errors.push(e);
      conn.destroy();
    };
    try {
      Promise.resolve(opts.onConnection?.(conn, connections.length)).catch(failed);
    } catch (e) {
      failed(e);
    }
    for (const l of [...listeners]) l();
  };
  const answerClose = opts.answerClose ?? false;
  let server: net.Server | http.Server;
  let wss: WebSocketServer | undefined;
  if (transport === 'tcp') {
    server = net.createServer((socket) => accept(new ScriptedConnection('tcp', socket, undefined, answerClose)));
  } else {
    const httpServer = http.createServer((_req, res) => res.writeHead(426).end());
    server = httpServer;
    wss = new WebSocketServer({ server: httpServer, handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false) });
    wss.on('connection', (ws) => accept(new ScriptedConnection('ws', undefined, ws, answerClose)));
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const url = transport === 'ws' ? `ws://127.0.0.1:${port}/xmpp-websocket` : `tcp://127.0.0.1:${port}`;
  const waitForConnections = (n: number, timeoutMs = 2000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (connections.length >= n) {
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`only ${connections.length} of ${n} connections after ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return {
    transport,
    host: '127.0.0.1',
    port,
    url,
    service: transport === 'ws' ? url : `xmpp://127.0.0.1:${port}`,
    connections,
    errors,
    waitForConnections,
    async connection(n, timeoutMs = READ_TIMEOUT_MS) {
      await waitForConnections(n, timeoutMs);
      return connections[n - 1]!;
    },
    async close() {
      for (const c of connections) c.destroy();
      wss?.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- stanza builders -------------------------------------------------------------------------

/** The server's stream open: a `<stream:stream>` header (TCP) or an `<open/>` frame (WebSocket). */
export function streamOpen(transport: ScriptedTransport, o: { id?: string; from?: string; lang?: string } = {}): string {
  const id = o.id ?? 'scripted-1';
  const from = o.from ?? 'localhost';
  const lang = o.lang ?? 'en';
  return transport === 'tcp'
    ? `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${STREAM_NS}' id='${id}' from='${from}' version='1.0' xml:lang='${lang}'>`
    : `<open xmlns='${FRAMING_NS}' id='${id}' from='${from}' version='1.0' xml:lang='${lang}'/>`;
}

/** The `xmlns:stream` declaration `<stream:*>` elements need: none over TCP (the header has it). */
function streamDecl(transport: ScriptedTransport): string {
  return transport === 'ws' ? ` xmlns:stream='${STREAM_NS}'` : '';
}

/** Stream features offering SASL mechanisms (default PLAIN and ANONYMOUS). */
export function saslFeatures(transport: ScriptedTransport, mechanisms: string[] = ['PLAIN', 'ANONYMOUS']): string {
  const mechs = mechanisms.map((m) => `<mechanism>${m}</mechanism>`).join('');
  return `<stream:features${streamDecl(transport)}><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${mechs}</mechanisms></stream:features>`;
}

/** Stream features after authentication: resource binding and (default) XEP-0198. */
export function bindFeatures(transport: ScriptedTransport, o: { sm?: boolean } = {}): string {
  const sm = o.sm === false ? '' : `<sm xmlns='urn:xmpp:sm:3'/>`;
  return `<stream:features${streamDecl(transport)}><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>${sm}</stream:features>`;
}

/** SASL `<success/>`. */
export function saslSuccess(): string {
  return `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`;
}

/** SASL `<failure>` with a condition (default not-authorized). */
export function saslFailure(condition = 'not-authorized'): string {
  return `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><${condition}/></failure>`;
}

/** The bind result for the client's bind request `id`, binding `jid`. */
export function bindResult(id: string, jid: string): string {
  return `<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${jid}</jid></bind></iq>`;
}

/** XEP-0198 `<enabled/>`. */
export function smEnabled(o: { id?: string; resume?: boolean; max?: number } = {}): string {
  const resume = o.resume === false ? '' : ` resume='true' id='${o.id ?? 'sm-1'}'`;
  const max = o.max !== undefined ? ` max='${o.max}'` : '';
  return `<enabled xmlns='urn:xmpp:sm:3'${resume}${max}/>`;
}

/** A stream error (RFC 6120 §4.9), optionally with text. */
export function streamError(transport: ScriptedTransport, condition: string, text?: string): string {
  const t = text !== undefined ? `<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${text}</text>` : '';
  return `<stream:error${streamDecl(transport)}><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>${t}</stream:error>`;
}

/** The server's stream close: `</stream:stream>` (TCP) or `<close/>` (WebSocket). */
export function streamClose(transport: ScriptedTransport): string {
  return transport === 'tcp' ? '</stream:stream>' : `<close xmlns='${FRAMING_NS}'/>`;
}

/** What the client sent during {@link scriptHandshake}. */
export interface HandshakeResult {
  /** The SASL mechanism the client chose. */
  mechanism: string;
  /** The base64 payload of `<auth>` ('' when empty or '='). */
  authPayload: string;
  /** The id of the client's bind request ('' when the session was resumed). */
  bindId: string;
  /** The resource the client asked for, if any. */
  resource: string | undefined;
  /** The client's `<enable/>` element, when XEP-0198 was negotiated. */
  enable: string | undefined;
  /** The `previd` of the client's `<resume/>`, when a resumption was expected. */
  previd: string | undefined;
}

/** Options of {@link scriptHandshake}. */
export interface HandshakeOptions {
  /** The full JID to bind (default `anon@localhost/r1`). */
  jid?: string | undefined;
  /** Offer XEP-0198 after authentication (default true). */
  sm?: boolean | undefined;
  /** With `sm`: answer `<enable/>` with `<enabled/>` (default true; false leaves it to the test). */
  answerEnable?: boolean | undefined;
  /**
   * With `sm`: expect `<resume/>` first and answer `<resumed h=.../>`; with `fail`, answer
   * `<failed/>` and go on with binding a new session.
   */
  resume?: { h: number; fail?: boolean | undefined } | undefined;
  /** SASL mechanisms offered (default PLAIN and ANONYMOUS). */
  mechanisms?: string[] | undefined;
  /** The stream id (default `scripted-1`; the restarted stream gets `-2`). */
  streamId?: string | undefined;
  /** Bound of every read, in real milliseconds (default 3000). */
  timeoutMs?: number | undefined;
}

/** Pattern for the client's stream open on a transport. */
export function clientOpenPattern(transport: ScriptedTransport): RegExp {
  return transport === 'tcp' ? /<stream:stream\b[^>]*>/ : /<open\b[^>]*\/>/;
}

/**
 * Plays the server side of the usual handshake: stream open + SASL features, `<success/>`,
 * stream restart + bind (and SM) features; then, when `resume` is set, the client's
 * `<resume/>` and its answer; then the bind result with `jid`, then the client's XEP-0198
 * `<enable/>` and `<enabled/>` (with `sm: false` SM is neither offered nor expected). Every
 * read is bounded by `timeoutMs`; a missing step rejects.
 */
export async function scriptHandshake(conn: ScriptedConnection, o: HandshakeOptions = {}): Promise<HandshakeResult> {
  const t = conn.transport;
  const timeout = o.timeoutMs ?? 3000;
  const sm = o.sm !== false;
  await conn.readUntil(clientOpenPattern(t), timeout);
  await conn.write(streamOpen(t, { id: o.streamId ?? 'scripted-1' }) + saslFeatures(t, o.mechanisms));
  const auth = await conn.readUntil(/<auth\b[^>]*(?:\/>|>[^<]*<\/auth>)/, timeout);
  const mechanism = /mechanism=["']([^"']+)["']/.exec(auth)?.[1] ?? '';
  const payload = /<auth\b[^>]*>([^<]*)<\/auth>/.exec(auth)?.[1] ?? '';
  await conn.write(saslSuccess());
  await conn.readUntil(clientOpenPattern(t), timeout);
  await conn.write(streamOpen(t, { id: `${o.streamId ?? 'scripted-1'}-2` }) + bindFeatures(t, { sm }));
  const result: HandshakeResult = {
    mechanism,
    authPayload: payload === '=' ? '' : payload,
    bindId: '',
    resource: undefined,
    enable: undefined,
    previd: undefined,
  };
  if (sm && o.resume) {
    const resume = await conn.readUntil(/<resume\b[^>]*\/>/, timeout);
    result.previd = /previd=["']([^"']*)["']/.exec(resume)?.[1] ?? '';
    if (!o.resume.fail) {
      await conn.write(`<resumed xmlns='urn:xmpp:sm:3' h='${o.resume.h}' previd='${result.previd}'/>`);
      return result;
    }
    await conn.write(`<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`);
  }
  const bind = await conn.readUntil(/<iq\b[^>]*>(?:(?!<\/iq>)[\s\S])*<\/iq>/, timeout);
  result.bindId = /<iq\b[^>]*\sid=["']([^"']+)["']/.exec(bind)?.[1] ?? '';
  result.resource = /<resource>([^<]*)<\/resource>/.exec(bind)?.[1];
  await conn.write(bindResult(result.bindId, o.jid ?? 'anon@localhost/r1'));
  if (sm) {
    const read = await conn.readUntil(/<enable\b[^>]*\/>/, timeout);
    result.enable = /<enable\b[^>]*\/>/.exec(read)?.[0];
    if (o.answerEnable !== false) await conn.write(smEnabled());
  }
  return result;
}
