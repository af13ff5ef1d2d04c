/**
 * The native connection's STARTTLS against a Prosody with a self-signed certificate, started
 * by this file (the shared servers run without TLS): verification against a pinned CA,
 * refusal of an untrusted certificate, SCRAM and PLAIN over TLS.
 */
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { X509Certificate, createHash } from 'node:crypto';
import { type Server as TlsServer, type TLSSocket, createServer as createTlsServer } from 'node:tls';
import { AuthError } from '../../src/connection/native/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, type ServerInfo } from '../../scripts/xmpp-server/servers.js';
import { connect } from '../../src/connection/native/connect.js';
import type { ConnectOptions } from '../../src/connection/native/options.js';

const WAIT = 10_000;
let server: ServerInfo;
let ca: string;
/** A direct-TLS (xmpps) front: terminates TLS with Prosody's certificate and pipes to its c2s port. */
let front: TlsServer | undefined;

beforeAll(async () => {
  server = await startServer('prosody', { tls: true, timeoutMs: 60_000 });
  ca = readFileSync(server.tlsCertPath!, 'utf8');
  const key = readFileSync(join(server.dir, 'certs', 'localhost.key'), 'utf8');
  front = createTlsServer({ key, cert: ca }, (client) => {
    const upstream = netConnect({ host: server.host, port: server.c2sPort });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => front!.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
  if (server) await stopServer(server);
});

describe('native connection STARTTLS [prosody]', () => {
  const base = (o: Partial<ConnectOptions> = {}): ConnectOptions => ({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: 'localhost',
    username: 'alice',
    password: 'alicepass',
    tls: { ca },
    signal: AbortSignal.timeout(WAIT),
    ...o,
  });

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']) {
    it(`upgrades with STARTTLS (pinned CA) and authenticates with ${mechanism}`, async () => {
      const c = await connect(base({ mechanisms: [mechanism] }));
      try {
        expect(c.secure).toBe(true);
        expect(c.jid?.local).toBe('alice');
      } finally {
        await c.close();
      }
    });
  }

  it('refuses an untrusted certificate by default', async () => {
    await expect(connect(base({ tls: {} }))).rejects.toThrow(/self-signed certificate/);
  });

  it('connects without verification only when rejectUnauthorized is false', async () => {
    const c = await connect(base({ tls: { rejectUnauthorized: false } }));
    try {
      expect(c.secure).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('uses the plaintext stream only when STARTTLS is turned off explicitly', async () => {
    const c = await connect(base({ starttls: 'never', tls: {}, mechanisms: ['SCRAM-SHA-256'] }));
    try {
      expect(c.secure).toBe(false);
    } finally {
      await c.close();
    }
  });

  it('connects with direct TLS (xmpps://) and then allows PLAIN without STARTTLS', async () => {
    const port = (front!.address() as AddressInfo).port;
    const c = await connect(base({ service: `xmpps://127.0.0.1:${port}`, mechanisms: ['PLAIN'] }));
    try {
      expect(c.secure).toBe(true);
      expect(c.jid?.local).toBe('alice');
    } finally {
      await c.close();
    }
  });

  /**
   * A scripted direct-TLS server offering SCRAM-SHA-256-PLUS with one channel binding type: it
   * checks that the client's `c=` is base64(gs2 header + the binding data of ITS side of the TLS
   * session), then refuses (completing SCRAM is covered by the RFC vectors).
   */
  for (const cbType of ['tls-exporter', 'tls-server-end-point'] as const) {
    it(`sends correct ${cbType} channel binding data with SCRAM-SHA-256-PLUS`, async () => {
      const key = readFileSync(join(server.dir, 'certs', 'localhost.key'), 'utf8');
      const seen: { gs2?: string; c?: string; expected?: string } = {};
      const scripted = createTlsServer({ key, cert: ca, minVersion: 'TLSv1.3' }, (sock: TLSSocket) => {
        let buf = '';
        let step = 0;
        sock.setEncoding('utf8');
        sock.on('error', () => {});
        sock.on('data', (d: string) => {
          buf += d;
          if (step === 0 && buf.includes('<stream:stream')) {
            step = 1;
            buf = '';
            sock.write(
              "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' from='localhost' version='1.0'>" +
                "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism></mechanisms>" +
                `<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='${cbType}'/></sasl-channel-binding></stream:features>`,
            );
          } else if (step === 1 && buf.includes('</auth>')) {
            step = 2;
            const first = Buffer.from(/<auth[^>]*>([^<]*)<\/auth>/.exec(buf)![1]!, 'base64').toString();
            buf = '';
            seen.gs2 = first.slice(0, first.indexOf(',,') + 2);
            const nonce = /r=([^,]*)/.exec(first)![1]!;
            const serverFirst = `r=${nonce}srv,s=${Buffer.from('salt').toString('base64')},i=4096`;
            sock.write(`<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${Buffer.from(serverFirst).toString('base64')}</challenge>`);
          } else if (step === 2 && buf.includes('</response>')) {
            step = 3;
            const final = Buffer.from(/<response[^>]*>([^<]*)<\/response>/.exec(buf)![1]!, 'base64').toString();
            seen.c = /^c=([^,]*)/.exec(final)![1];
            const data =
              cbType === 'tls-exporter'
                ? sock.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0))
                : createHash('sha256').update(new X509Certificate(ca).raw).digest();
            seen.expected = Buffer.concat([Buffer.from(seen.gs2!), data]).toString('base64');
            sock.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
          }
        });
      });
      await new Promise<void>((resolve) => scripted.listen(0, '127.0.0.1', resolve));
      try {
        const port = (scripted.address() as AddressInfo).port;
        const err = await connect(base({ service: `xmpps://127.0.0.1:${port}` })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AuthError);
        expect(seen.gs2).toBe(`p=${cbType},,`);
        expect(seen.c).toBe(seen.expected);
      } finally {
        await new Promise<void>((resolve) => scripted.close(() => resolve()));
      }
    });
  }
});
