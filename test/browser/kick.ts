/**
 * Close a client's session from the server side, as an administrator would: Prosody's admin
 * shell (`c2s:close`), ejabberd's HTTP API (`kick_session`). The server ends the stream; the
 * session is gone (no XEP-0198 resumption possible).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ServerInfo } from '../support/servers.js';

const KICK_MS = 15_000;

/** End the session of the full JID `jid` on `server`. Resolves once the server accepted the command. */
export async function kickSession(server: ServerInfo, jid: string): Promise<void> {
  const m = /^([^@/]+)@([^/]+)\/(.+)$/.exec(jid);
  if (!m) throw new Error(`not a full JID: ${jid}`);
  const [, user, host, resource] = m as unknown as [string, string, string, string];
  if (server.kind === 'prosody') {
    if (!/^[A-Za-z0-9@._/+-]+$/.test(jid)) throw new Error(`unexpected characters in ${jid}`);
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'prosodyctl',
        ['--config', join(server.dir, 'prosody.cfg.lua'), 'shell', `c2s:close('${jid}')`],
        { timeout: KICK_MS },
        (err, stdout, stderr) => (err ? reject(new Error(`prosodyctl shell c2s:close failed: ${err.message} ${stderr}`)) : resolve(stdout)),
      );
    });
    if (!/Total: [1-9]\d* sessions? closed/.test(out)) throw new Error(`prosodyctl shell c2s:close('${jid}'): ${out}`);
    return;
  }
  if (!server.apiUrl) throw new Error('ejabberd ServerInfo lacks apiUrl');
  const res = await fetch(`${server.apiUrl}/kick_session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, host, resource, reason: 'kicked by the test' }),
    signal: AbortSignal.timeout(KICK_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`ejabberd kick_session ${jid}: ${res.status} ${text}`);
}
