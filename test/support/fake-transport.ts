/**
 * An in-process fake transport for unit tests of the native connection on the fake clock (no
 * socket, no real time): each connect attempt gets a FakeTransport whose incoming side is the
 * REAL StreamParser (server XML is fed as text), and whose outgoing side records exactly what
 * the client wrote and answers the handshake (ANONYMOUS/PLAIN, bind, XEP-0198) by script.
 * Tests over real sockets use the scripted server (`scripted-server.ts`) instead.
 */
import { type Element, parse } from 'ltx';
import { StreamParser } from '../../src/connection/native/parser/stream-parser.js';
import type { Transport, TransportCallbacks } from '../../src/connection/native/transport/transport.js';
import type { TransportOpener } from '../../src/connection/native/transport/transport.js';

export const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='localhost' version='1.0'>";

export interface FakeServerOptions {
  /** Offer XEP-0198 (default true). */
  sm?: boolean;
  /** How to answer `<enable/>`: at once (default), or hold until `answerEnable()`. */
  holdEnable?: boolean;
  /** How to answer `<resume/>`. */
  resume?: { result: 'resumed' | 'failed'; h?: number };
  /** Mechanisms offered (default ANONYMOUS PLAIN). */
  mechanisms?: string[];
  /** SASL result (default success). */
  saslFailure?: string;
  /** Bound JID (default user@localhost/r1, then r2...). */
  jid?: (attempt: number) => string;
  /** Answer `</stream:stream>` with `</stream:stream>` (default true). */
  answerClose?: boolean;
  /** Fail the transport open (connection refused) for these attempt numbers (1-based). */
  refuse?: (attempt: number) => boolean;
  /** Never answer the stream header (stall). */
  silent?: (attempt: number) => boolean;
}

/** What a test sees of one client connection. */
export class FakeTransport implements Transport {
  readonly secure = false;
  readonly framed = false;
  readonly canStartTls = false;
  closed = false;
  authed = false;
  readonly parser: StreamParser;

  constructor(
    private readonly server: FakeServer,
    private readonly cb: TransportCallbacks,
    readonly attempt: number,
  ) {
    this.parser = new StreamParser({
      mode: 'stream',
      maxStanzaBytes: 1 << 20,
      onStreamStart: (a) => cb.onStreamStart(a),
      onElement: (el) => cb.onElement(el),
      onStreamEnd: () => cb.onStreamEnd(),
      onError: (e) => cb.onParseError(e),
      onCallbackError: (e) => {
        throw e;
      },
    });
  }

  /** Server -> client. */
  push(xml: string): void {
    if (!this.closed) this.parser.write(xml);
  }

  openStream(): void {
    this.parser.reset();
    this.server.log.push('<stream:stream>');
    if (this.server.opts.silent?.(this.attempt)) return;
    const o = this.server.opts;
    if (!this.authed) {
      const mechs = (o.mechanisms ?? ['ANONYMOUS', 'PLAIN']).map((m) => `<mechanism>${m}</mechanism>`).join('');
      this.push(`${HEADER}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${mechs}</mechanisms></stream:features>`);
    } else {
      const sm = o.sm === false ? '' : "<sm xmlns='urn:xmpp:sm:3'/>";
      this.push(`${HEADER}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>${sm}</stream:features>`);
    }
  }

  write(data: string): void {
    if (this.closed) return;
    this.server.log.push(data);
    const el = parse(data) as Element;
    const o = this.server.opts;
    switch (el.name) {
      case 'auth':
        if (o.saslFailure) {
          this.push(`<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><${o.saslFailure}/></failure>`);
        } else {
          this.authed = true;
          this.push("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        }
        return;
      case 'enable':
        if (o.holdEnable) this.server.enableHeld = true;
        else this.push("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='300'/>");
        return;
      case 'resume': {
        const r = o.resume ?? { result: 'failed' };
        const h = r.h === undefined ? '' : ` h='${r.h}'`;
        if (r.result === 'resumed') this.push(`<resumed xmlns='urn:xmpp:sm:3' previd='sm-1'${h}/>`);
        else this.push(`<failed xmlns='urn:xmpp:sm:3'${h}><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`);
        return;
      }
      case 'iq':
        if (el.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')) {
          const jid = o.jid?.(this.attempt) ?? `user@localhost/r${this.attempt}`;
          this.push(`<iq type='result' id='${el.attrs.id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${jid}</jid></bind></iq>`);
          return;
        }
        break;
      default:
        break;
    }
    this.server.received.push(el);
  }

  sendStreamError(condition: string): void {
    this.server.log.push(`[stream-error ${condition}]`);
  }

  closeStream(): void {
    this.server.log.push('</stream:stream>');
    if (this.server.opts.answerClose !== false) this.push('</stream:stream>');
  }

  destroy(): void {
    this.drop();
  }

  /** The socket goes away (asynchronously, like a TCP close event). */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.log.push('[closed]');
    queueMicrotask(() => this.cb.onClose(undefined));
  }

  async startTls(): Promise<void> {
    throw new Error('no TLS in the fake');
  }

  channelBinding(): undefined {
    return undefined;
  }
}

/** The fake server: one FakeTransport per connect attempt. */
export class FakeServer {
  readonly transports: FakeTransport[] = [];
  /** Everything the client wrote, in order (plus markers for open/close). */
  readonly log: string[] = [];
  /** Elements the client sent after the handshake (stanzas, `<r/>`, `<a/>`...). */
  readonly received: Element[] = [];
  enableHeld = false;
  attempts = 0;

  constructor(readonly opts: FakeServerOptions = {}) {}

  readonly opener: TransportOpener = async (_endpoint, _options, cb) => {
    const n = ++this.attempts;
    if (this.opts.refuse?.(n)) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const t = new FakeTransport(this, cb, n);
    this.transports.push(t);
    return t;
  };

  get current(): FakeTransport {
    const t = this.transports[this.transports.length - 1];
    if (!t) throw new Error('no transport yet');
    return t;
  }

  /** Server -> client on the current transport. */
  push(xml: string): void {
    this.current.push(xml);
  }

  answerEnable(extra = ''): void {
    this.enableHeld = false;
    this.push(`<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='300'/>${extra}`);
  }

  /** What the client sent, as strings, skipping the handshake. */
  sent(): string[] {
    return this.received.map((e) => e.toString());
  }
}

/** Let pending microtasks and immediate callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
