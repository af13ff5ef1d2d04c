/**
 * The native connection's STARTTLS against a Prosody with a self-signed certificate, started
 * by this file (the shared servers run without TLS): verification against a pinned CA,
 * refusal of an untrusted certificate, SCRAM and PLAIN over TLS.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, type ServerInfo } from '../../scripts/xmpp-server/servers.js';
import { connect } from '../../src/connection/connect.js';
import type { ConnectOptions } from '../../src/connection/options.js';

const WAIT = 10_000;
let server: ServerInfo;
let ca: string;

beforeAll(async () => {
  server = await startServer('prosody', { tls: true, timeoutMs: 60_000 });
  ca = readFileSync(server.tlsCertPath!, 'utf8');
});
afterAll(async () => {
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
});
