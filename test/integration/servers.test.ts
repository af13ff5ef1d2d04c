/**
 * Smoke tests of the real-server harness: the servers from the global setup accept TCP, speak
 * XMPP, and accept accounts made by registerUser; startServer/stopServer/restartServer clean up.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  registerUser,
  restartServer,
  startServer,
  stopServer,
  type ServerInfo,
} from '../../scripts/xmpp-server/servers.js';
import { describeEachServer } from '../support/servers.js';

const WAIT_MS = 5_000;

/** Open a TCP connection to 127.0.0.1:port (bounded). */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connect to ${port} timed out`));
    }, WAIT_MS);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A raw XMPP client conversation: write, then wait (bounded) for the buffer to match. */
class RawXmpp {
  private buf = '';
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (this.buf += d));
    sock.on('error', () => undefined);
  }
  static async open(port: number, domain: string): Promise<RawXmpp> {
    const c = new RawXmpp(await openSocket(port));
    c.send(
      `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' ` +
        `xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`,
    );
    return c;
  }
  send(s: string): void {
    this.sock.write(s);
  }
  /** Everything received so far, once `re` matches it. */
  async until(re: RegExp): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    while (!re.test(this.buf)) {
      if (Date.now() > deadline || this.sock.destroyed) {
        throw new Error(`no ${re} within ${WAIT_MS} ms; got: ${this.buf}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.buf;
  }
  close(): void {
    this.sock.destroy();
  }
}

/** SASL PLAIN on a fresh stream; resolves 'success' or 'failure'. */
async function plainAuth(server: ServerInfo, name: string, password: string): Promise<'success' | 'failure'> {
  const c = await RawXmpp.open(server.c2sPort, server.domain);
  try {
    await c.until(/<\/stream:features>/);
    const token = Buffer.from(`\0${name}\0${password}`).toString('base64');
    c.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${token}</auth>`);
    const out = await c.until(/<(success|failure)[\s/>]/);
    return /<success[\s/>]/.test(out) ? 'success' : 'failure';
  } finally {
    c.close();
  }
}

describeEachServer('server harness', (server) => {
  it('c2s and http ports accept TCP on 127.0.0.1', async () => {
    for (const port of [server.c2sPort, server.httpPort]) {
      const sock = await openSocket(port);
      expect(sock.remoteAddress).toBe('127.0.0.1');
      sock.destroy();
    }
  });

  it('answers a stream open with <stream:features> offering SASL PLAIN', async () => {
    const c = await RawXmpp.open(server.c2sPort, server.domain);
    try {
      const out = await c.until(/<\/stream:features>/);
      expect(out).toMatch(/<stream:stream [^>]*from=['"]localhost['"]/);
      expect(out).toContain('<mechanism>PLAIN</mechanism>');
      expect(out).not.toContain('urn:ietf:params:xml:ns:xmpp-tls');
    } finally {
      c.close();
    }
  });

  it('offers SASL ANONYMOUS on the anonymous host', async () => {
    const c = await RawXmpp.open(server.c2sPort, server.anonDomain);
    try {
      expect(await c.until(/<\/stream:features>/)).toContain('<mechanism>ANONYMOUS</mechanism>');
    } finally {
      c.close();
    }
  });

  it('has the default accounts', async () => {
    expect(server.users.map((u) => u.name)).toEqual(['alice', 'bob', 'carol', 'dave', 'admin']);
    expect(await plainAuth(server, 'alice', 'alicepass')).toBe('success');
    expect(await plainAuth(server, 'alice', 'wrong')).toBe('failure');
  });

  it('registerUser creates an account that can log in, and resets passwords', async () => {
    const name = `fresh${Date.now().toString(36)}`;
    expect(await plainAuth(server, name, 'pw1')).toBe('failure');
    await registerUser(server, name, 'pw1');
    expect(await plainAuth(server, name, 'pw1')).toBe('success');
    await registerUser(server, name, 'pw2');
    expect(await plainAuth(server, name, 'pw2')).toBe('success');
    expect(await plainAuth(server, name, 'pw1')).toBe('failure');
  });
});

describe('startServer / stopServer / restartServer', () => {
  it('stopServer leaves no process, no listener and no temp dir (prosody)', async () => {
    const info = await startServer('prosody', { users: [{ name: 'erin', password: 'erinpass' }] });
    try {
      expect(isProcessAlive(info.pid)).toBe(true);
      expect(info.users).toEqual([{ name: 'erin', password: 'erinpass' }]);
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
      expect(await plainAuth(info, 'erin', 'erinpass')).toBe('success');
    } finally {
      await stopServer(info);
    }
    expect(isProcessAlive(info.pid)).toBe(false);
    expect(existsSync(info.dir)).toBe(false);
    await expect(openSocket(info.c2sPort)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('restartServer keeps dir, ports and accounts; new pid', async () => {
    const info = await startServer('prosody');
    let after: ServerInfo | undefined;
    try {
      await registerUser(info, 'frank', 'frankpass');
      after = await restartServer(info);
      expect(after.pid).not.toBe(info.pid);
      expect(isProcessAlive(info.pid)).toBe(false);
      expect({ ...after, pid: 0 }).toEqual({ ...info, pid: 0 });
      expect(await plainAuth(after, 'frank', 'frankpass')).toBe('success');
    } finally {
      await stopServer(after ?? info);
    }
    expect(existsSync(info.dir)).toBe(false);
  });

  it('tls: true gives Prosody a self-signed certificate and STARTTLS', async () => {
    const info = await startServer('prosody', { tls: true });
    try {
      expect(info.tlsCertPath).toBe(`${info.dir}/certs/localhost.crt`);
      expect(existsSync(info.tlsCertPath!)).toBe(true);
      const c = await RawXmpp.open(info.c2sPort, info.domain);
      try {
        expect(await c.until(/<\/stream:features>/)).toContain("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      } finally {
        c.close();
      }
    } finally {
      await stopServer(info);
    }
  });

  it('a start that times out leaves no process and no temp dir', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('xmuc-ejabberd-')));
    await expect(startServer('ejabberd', { timeoutMs: 1 })).rejects.toThrow(/timed out/);
    const made = readdirSync(tmpdir()).filter((n) => n.startsWith('xmuc-ejabberd-') && !before.has(n));
    expect(made).toEqual([]);
    // No live process may still name a dir that was created by this call.
    const ours = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
          return /xmuc-ejabberd-/.test(cmd) && ![...before].some((b) => cmd.includes(b));
        } catch {
          return false;
        }
      })
      .filter((p) => isProcessAlive(Number(p)));
    expect(ours).toEqual([]);
  });

  it('rejects tls for ejabberd and an aborted signal without starting anything', async () => {
    await expect(startServer('ejabberd', { tls: true })).rejects.toThrow(/only supported for prosody/);
    const ac = new AbortController();
    ac.abort();
    await expect(startServer('prosody', { signal: ac.signal })).rejects.toThrow(/aborted/);
  });
});
