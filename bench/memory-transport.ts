/**
 * An in-memory transport for the in-process benchmarks: xmuc's REAL `NativeConnection` over
 * the REAL `StreamParser`, with no socket. The server side is a script: it answers the
 * handshake (SASL ANONYMOUS, resource binding, no XEP-0198), answers IQ get/set with an empty
 * result, and hands every other stanza the client writes to `onStanza` as the serialised
 * string. The benchmark feeds server bytes with {@link MemoryServer.push} (UTF-8 `Buffer`s, as
 * a TCP socket delivers them).
 *
 * This is the ONE module of `bench/` that imports an internal path of `src/` (the parser);
 * everything else comes from the package root, so that moving files inside `src/` touches
 * only the import below.
 */
import { NativeConnection, silentLogger, systemClock } from '../src/index.js';
import { StreamParser } from '../src/connection/native/parser/stream-parser.js';

type ResolvedOptions = ConstructorParameters<typeof NativeConnection>[0];
type Opener = NonNullable<ConstructorParameters<typeof NativeConnection>[1]>;
type Callbacks = Parameters<Opener>[2];
type Transport = Awaited<ReturnType<Opener>>;

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='mem' from='localhost' version='1.0' xml:lang='en'>";
const SASL_FEATURES =
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>";
const BIND_FEATURES = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind></stream:features>";

/** Attribute `name` of the first tag of `xml` (quotes of either kind), unescaped only for `&apos;`. */
export function attrOf(xml: string, name: string): string | undefined {
  const end = xml.indexOf('>');
  const tag = end === -1 ? xml : xml.slice(0, end);
  const m = new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`).exec(tag);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The server end of one in-memory connection. */
export class MemoryServer {
  /** Every stanza the client writes once online (serialised, as written). */
  onStanza: (xml: string) => void = () => {};
  /** Bytes fed to the client so far. */
  bytesIn = 0;
  #parser: StreamParser | undefined;
  #cb: Callbacks | undefined;
  #authed = false;
  #closed = false;

  constructor(readonly jid: string) {}

  /** @internal The opener handed to `NativeConnection`. */
  readonly opener: Opener = async (_endpoint, _options, cb) => {
    this.#cb = cb;
    this.#parser = new StreamParser({
      mode: 'stream',
      maxStanzaBytes: 1 << 20,
      onStreamStart: (a) => cb.onStreamStart(a),
      onElement: (el) => cb.onElement(el),
      onStreamEnd: () => cb.onStreamEnd(),
      onError: (e) => cb.onParseError(e),
      onCallbackError: (e) => cb.onCallbackError(e),
    });
    return this.#transport();
  };

  /** Server -> client: bytes (or text) as one socket read. */
  push(data: Uint8Array | string): void {
    if (this.#closed || !this.#parser) return;
    this.bytesIn += data.length;
    this.#parser.write(data);
  }

  /**
   * Feed `chunks` one socket read at a time, yielding to the event loop between reads
   * (`setImmediate`), as a socket's `data` events would.
   */
  async pushAll(chunks: readonly Uint8Array[]): Promise<void> {
    for (const c of chunks) {
      this.push(c);
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  #transport(): Transport {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    return {
      secure: false,
      framed: false,
      canStartTls: false,
      openStream() {
        server.#parser!.reset();
        server.push(HEADER + (server.#authed ? BIND_FEATURES : SASL_FEATURES));
      },
      write(data: string) {
        if (server.#closed) return;
        if (data.startsWith('<auth')) {
          server.#authed = true;
          server.push("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        } else if (data.startsWith('<iq') && data.includes('urn:ietf:params:xml:ns:xmpp-bind')) {
          server.push(
            `<iq type='result' id='${attrOf(data, 'id')}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${server.jid}</jid></bind></iq>`,
          );
        } else if (data.startsWith('<iq') && /^(get|set)$/.test(attrOf(data, 'type') ?? '')) {
          server.push(`<iq type='result' id='${attrOf(data, 'id')}' from='${attrOf(data, 'to') ?? 'localhost'}' to='${server.jid}'/>`);
        } else {
          server.onStanza(data);
        }
      },
      sendStreamError() {
        server.#drop();
      },
      closeStream() {
        server.push('</stream:stream>');
      },
      destroy() {
        server.#drop();
      },
      async startTls() {
        throw new Error('no TLS in memory');
      },
      channelBinding() {
        return undefined;
      },
    };
  }

  #drop(): void {
    if (this.#closed) return;
    this.#closed = true;
    const cb = this.#cb;
    queueMicrotask(() => cb?.onClose(undefined));
  }
}

/**
 * A `NativeConnection` online over a {@link MemoryServer}: no XEP-0198, no keepalive, no
 * reconnect (nothing runs between stanzas but the code under test).
 */
export async function connectInMemory(jid = 'bench@localhost/mem'): Promise<{ connection: NativeConnection; server: MemoryServer }> {
  const server = new MemoryServer(jid);
  const options: ResolvedOptions = {
    endpoint: { kind: 'tcp', host: '127.0.0.1', port: 5222, directTls: false },
    domain: 'localhost',
    username: undefined,
    password: undefined,
    resource: undefined,
    tls: {},
    starttls: 'never',
    allowPlaintext: true,
    allowPlainMechanismWithoutTls: false,
    mechanisms: undefined,
    signal: undefined,
    clock: systemClock,
    logger: silentLogger,
    maxStanzaBytes: 4 * 1024 * 1024,
    reconnect: false,
    keepalive: false,
    connectTimeoutMs: 20_000,
    streamManagement: false,
    ackRequestDelayMs: 250,
  };
  const connection = new NativeConnection(options, server.opener);
  await connection.start();
  return { connection, server };
}
