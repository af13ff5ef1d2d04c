/**
 * A minimal scripted XMPP server over TCP on 127.0.0.1 for deterministic tests of the
 * xmpp.js adapter: each connection is driven by the test (read until a pattern, write bytes,
 * drop the socket), with helpers for the handshake xmpp.js 0.14 performs (SASL ANONYMOUS,
 * bind, XEP-0198 enable/resume).
 */
import net from 'node:net';

const HEADER =
  `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' ` +
  `id='s-1' from='localhost' version='1.0' xml:lang='en'>`;

/** One accepted client connection. */
export class ScriptedConnection {
  readonly socket: net.Socket;
  /** Everything received so far, decoded as UTF-8. */
  received = '';
  #cursor = 0;
  #waiters = new Set<() => void>();
  /** Resolves when the socket is closed. */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      // Answer a graceful close at once, so that client.stop() does not wait for its timeout.
      if (chunk.includes('</stream:stream>') && !socket.destroyed) socket.end('</stream:stream>');
      for (const w of [...this.#waiters]) w();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => {
      resolve();
      for (const w of [...this.#waiters]) w();
    }));
  }

  /** Write text (UTF-8). */
  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (e) => (e ? reject(e) : resolve())));
  }

  /** Write raw bytes. */
  writeBytes(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Wait until the unread input matches `pattern`; consume and return the input up to the
   * end of the match. Rejects after `timeoutMs` (real time) or when the socket closes.
   */
  readUntil(pattern: string | RegExp, timeoutMs = 4000): Promise<string> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const rest = this.received.slice(this.#cursor);
        const m = re.exec(rest);
        if (m) {
          const end = m.index + m[0].length;
          this.#cursor += end;
          done();
          resolve(rest.slice(0, end));
          return true;
        }
        if (this.socket.destroyed || this.socket.readableEnded) {
          done();
          reject(new Error(`socket closed before ${String(re)}; unread: ${rest.slice(0, 300)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${String(re)}; unread: ${this.received.slice(this.#cursor, this.#cursor + 300)}`));
      }, timeoutMs);
      const waiter = () => void check();
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      if (!check()) this.#waiters.add(waiter);
    });
  }

  /** The unread input, without consuming it. */
  get unread(): string {
    return this.received.slice(this.#cursor);
  }

  /** Drop the TCP connection at once. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Options of {@link handshake}. */
export interface HandshakeOptions {
  /** The full JID to bind (default `anon@localhost/r1`). */
  jid?: string;
  /** Offer XEP-0198 after authentication. */
  sm?: boolean;
  /** With `sm`: answer `<enable/>` with `<enabled/>` (default true; false leaves it to the test). */
  answerEnable?: boolean;
  /**
   * With `sm`: expect `<resume/>` first; answer `<resumed h=.../>`, or with `fail` answer
   * `<failed/>` and go on with binding a new session.
   */
  resume?: { h: number; fail?: boolean } | undefined;
}

/** Run the xmpp.js 0.14 client handshake (ANONYMOUS, bind, optional SM) on a connection. */
export async function handshake(conn: ScriptedConnection, options: HandshakeOptions = {}): Promise<void> {
  const jid = options.jid ?? 'anon@localhost/r1';
  await conn.readUntil(/<stream:stream[^>]*>/);
  await conn.write(
    `${HEADER}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>` +
      `<mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>`,
  );
  await conn.readUntil(/<auth[^>]*(\/>|>[^<]*<\/auth>)/);
  await conn.write(`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
  await conn.readUntil(/<stream:stream[^>]*>/);
  await conn.write(
    `${HEADER}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>` +
      `${options.sm ? `<sm xmlns='urn:xmpp:sm:3'/>` : ''}</stream:features>`,
  );
  if (options.resume) {
    const resume = await conn.readUntil(/<resume[^>]*\/>/);
    const previd = /previd=["']([^"']*)/.exec(resume)?.[1] ?? '';
    if (!options.resume.fail) {
      await conn.write(`<resumed xmlns='urn:xmpp:sm:3' h='${options.resume.h}' previd='${previd}'/>`);
      return;
    }
    await conn.write(`<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`);
  }
  const bind = await conn.readUntil(/<iq[\s\S]*?<\/iq>/);
  const id = /id=["']([^"']+)/.exec(bind)?.[1];
  await conn.write(
    `<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${jid}</jid></bind></iq>`,
  );
  if (options.sm) {
    await conn.readUntil(/<enable[^>]*\/>/);
    if (options.answerEnable !== false) await conn.write(`<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>`);
  }
}

/** A running scripted server. */
export interface TestServer {
  readonly port: number;
  /** `xmpp://127.0.0.1:PORT`. */
  readonly service: string;
  /** Every connection accepted, oldest first. */
  readonly connections: ScriptedConnection[];
  /** Wait for the `n`-th connection (1-based). */
  connection(n: number, timeoutMs?: number): Promise<ScriptedConnection>;
  /** Stop listening and drop every connection. */
  close(): Promise<void>;
}

/** Start a scripted server; `onConnection` drives each accepted connection. */
export async function startTestServer(onConnection?: (conn: ScriptedConnection, index: number) => void | Promise<void>): Promise<TestServer> {
  const connections: ScriptedConnection[] = [];
  const waiters = new Set<() => void>();
  const server = net.createServer((socket) => {
    const conn = new ScriptedConnection(socket);
    connections.push(conn);
    for (const w of [...waiters]) w();
    void Promise.resolve(onConnection?.(conn, connections.length)).catch(() => conn.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    service: `xmpp://127.0.0.1:${port}`,
    connections,
    connection(n, timeoutMs = 4000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const c = connections[n - 1];
          if (!c) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(c);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no connection #${n} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
