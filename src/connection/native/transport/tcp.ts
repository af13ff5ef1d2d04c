/**
 * TCP transport (`node:net` / `node:tls`, imported dynamically so that browser bundles of
 * the rest of xmuc never see them): RFC 6120 streams, STARTTLS and direct TLS.
 */
import type { Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { StreamParser } from '../parser/stream-parser.js';
import { escapeAttr, type Transport, type TransportCallbacks, type TransportOptions } from './transport.js';
import type { ChannelBindingType } from '../sasl/mechanism.js';

/** Size of the one read buffer a plain TCP socket reads into (the most one read delivers). */
const READ_BUFFER_BYTES = 64 * 1024;

const STREAM_HEADER_TAIL = " version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/** Hash names for RFC 5929 tls-server-end-point by certificate signature algorithm OID. */
const SIG_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSA -> SHA-256 (RFC 5929 §4.1)
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSA -> SHA-256
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** Read the signatureAlgorithm OID of a DER X.509 certificate. @internal */
export function certificateSignatureOid(der: Uint8Array): string | undefined {
  let p = 0;
  const header = (): { tag: number; len: number } | undefined => {
    if (p + 2 > der.length) return undefined;
    const tag = der[p++]!;
    let len = der[p++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || p + n > der.length) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
    }
    return { tag, len };
  };
  const cert = header();
  if (cert?.tag !== 0x30) return undefined;
  const tbs = header();
  if (tbs?.tag !== 0x30) return undefined;
  p += tbs.len;
  const alg = header();
  if (alg?.tag !== 0x30) return undefined;
  const oid = header();
  if (oid?.tag !== 0x06 || p + oid.len > der.length) return undefined;
  const bytes = der.subarray(p, p + oid.len);
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    v = v * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Options of {@link openTcpTransport}. @internal */
export interface TcpTransportOptions extends TransportOptions {
  host: string;
  port: number;
  directTls: boolean;
}

/** Connect over TCP (or direct TLS). Resolves once the socket (and TLS) is up. @internal */
export async function openTcpTransport(options: TcpTransportOptions, cb: TransportCallbacks): Promise<Transport> {
  const net = await import('node:net');
  const tls = await import('node:tls');
  const nodeCrypto = await import('node:crypto');
  const servername = options.tls.servername ?? options.domain;
  const tlsOptions = {
    servername: net.isIP(servername) ? undefined : servername,
    ca: options.tls.ca as string | string[] | Buffer | undefined,
    rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
  };

  let socket: Socket | TLSSocket;
  let secure = options.directTls;
  let closed = false;
  let lastError: Error | undefined;
  let upgrading = false;
  /** STARTTLS replaced the socket that reads through `onread`. */
  let upgraded = false;

  const parser = new StreamParser({
    mode: 'stream',
    maxStanzaBytes: options.maxStanzaBytes,
    onStreamStart: (attrs) => cb.onStreamStart(attrs),
    onElement: (el) => cb.onElement(el),
    onStreamEnd: () => cb.onStreamEnd(),
    onError: (err) => cb.onParseError(err),
    onCallbackError: (err) => cb.onCallbackError(err),
  });

  const onData = (chunk: Buffer) => parser.write(chunk);
  // The socket reads into one reused buffer (`onread`, plain TCP and direct TLS): no Buffer
  // allocated and no stream machinery run per read, which costs several µs per read when the
  // server writes stanza by stanza. The parser consumes each read synchronously (it decodes it
  // to a string and never keeps the bytes), so reusing the buffer is safe. A socket upgraded by
  // STARTTLS cannot read that way (Node ignores `onread` with `socket`): it uses `data` events.
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const onRead = (n: number, buf: Uint8Array): boolean => {
    // Once STARTTLS starts, the raw socket's bytes are TLS records: never the parser's.
    if (!upgrading && !upgraded) parser.write(buf.subarray(0, n));
    return true;
  };
  const onread = { buffer: readBuffer, callback: onRead };
  const onError = (err: Error) => {
    lastError = err;
  };
  const onClose = () => {
    if (closed || upgrading) return;
    closed = true;
    cb.onClose(lastError);
  };
  const attach = (s: Socket) => {
    if (upgraded) s.on('data', onData);
    s.on('error', onError);
    s.on('close', onClose);
  };
  const detach = (s: Socket) => {
    if (upgraded) s.off('data', onData);
    s.off('error', onError);
    s.off('close', onClose);
  };

  socket = await new Promise<Socket>((resolve, reject) => {
    // Node's TLSSocket takes `onread` when it makes its own socket (not in @types/node).
    const direct: ConnectionOptions & { onread: typeof onread } = {
      host: options.host,
      port: options.port,
      ALPNProtocols: ['xmpp-client'],
      ...tlsOptions,
      onread,
    };
    const s = options.directTls ? tls.connect(direct) : net.connect({ host: options.host, port: options.port, onread });
    const ok = () => {
      s.off('error', fail);
      resolve(s);
    };
    const fail = (err: Error) => {
      s.off(options.directTls ? 'secureConnect' : 'connect', ok);
      s.on('error', () => {}); // late errors of a dropped socket must not crash the process
      s.destroy();
      reject(err);
    };
    s.once(options.directTls ? 'secureConnect' : 'connect', ok);
    s.once('error', fail);
  });
  socket.setNoDelay(true);
  attach(socket);

  const writable = () => !closed && !socket.destroyed && socket.writable;

  return {
    get secure() {
      return secure;
    },
    framed: false,
    get canStartTls() {
      return !secure;
    },
    openStream(domain) {
      parser.reset();
      if (writable()) socket.write(`<?xml version='1.0'?><stream:stream to='${escapeAttr(domain)}'${STREAM_HEADER_TAIL}`);
    },
    write(data) {
      if (writable()) socket.write(data);
    },
    sendStreamError(condition) {
      if (writable()) {
        socket.write(`<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`);
        socket.end();
      }
    },
    closeStream() {
      if (writable()) {
        socket.write('</stream:stream>');
        socket.end();
      }
    },
    destroy() {
      socket.destroy();
    },
    async startTls(domain) {
      const raw = socket as Socket;
      detach(raw);
      raw.on('error', () => {}); // the TLS socket reports errors from now on
      upgrading = true;
      try {
        socket = await new Promise<TLSSocket>((resolve, reject) => {
          const s = tls.connect({
            socket: raw,
            ...tlsOptions,
            servername: tlsOptions.servername ?? (net.isIP(domain) ? undefined : domain),
          });
          const ok = () => {
            s.off('error', fail);
            resolve(s);
          };
          const fail = (err: Error) => {
            s.off('secureConnect', ok);
            s.on('error', () => {});
            s.destroy();
            reject(err);
          };
          s.once('secureConnect', ok);
          s.once('error', fail);
        });
      } catch (err) {
        upgrading = false;
        closed = true;
        raw.destroy();
        throw err;
      }
      upgrading = false;
      secure = true;
      upgraded = true;
      attach(socket);
      if (socket.destroyed) onClose();
    },
    channelBinding(type: ChannelBindingType) {
      if (!secure || !('getProtocol' in socket)) return undefined;
      const t = socket as TLSSocket;
      try {
        if (type === 'tls-exporter') {
          if (t.getProtocol() !== 'TLSv1.3') return undefined;
          return new Uint8Array(t.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)));
        }
        const raw = t.getPeerCertificate()?.raw;
        if (!raw) return undefined;
        const hash = SIG_HASH[certificateSignatureOid(raw) ?? ''];
        if (!hash) return undefined;
        return new Uint8Array(nodeCrypto.createHash(hash).update(raw).digest());
      } catch {
        return undefined;
      }
    },
  };
}
