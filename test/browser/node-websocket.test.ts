/**
 * The native WebSocket transport on Node's global WHATWG `WebSocket` (Node >= 22; on Node 20
 * the same undici implementation behind `--experimental-websocket`), against both servers. It
 * runs in a child process so that the global exists there and only there: this process keeps
 * testing the `ws` path.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeEachServer, type ServerInfo } from '../support/servers.js';

const CHILD = fileURLToPath(new URL('./node-websocket-child.ts', import.meta.url));
const CHILD_MS = 40_000;

/** Node flags that give the child a global WebSocket. */
function nodeFlags(): string[] {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22 ? [] : ['--experimental-websocket'];
}

function runChild(server: ServerInfo): Promise<{ code: number | null; out: string; err: string }> {
  const alice = server.users.find((u) => u.name === 'alice')!;
  const args = { wsUrl: server.wsUrl, domain: server.domain, mucDomain: server.mucDomain, username: alice.name, password: alice.password };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags(), '--no-warnings', '--import', 'tsx', CHILD, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish in ${CHILD_MS} ms: ${out}${err}`));
    }, CHILD_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describeEachServer('native WebSocket transport on the global WebSocket', (server) => {
  it('connects, joins, exchanges, resumes after a cut and closes, using only the global WebSocket', async () => {
    const { code, out, err } = await runChild(server);
    const line = out.trim().split('\n').pop() ?? '';
    const result = JSON.parse(line || '{}') as { ok?: boolean; constructed?: number; steps?: string[]; error?: string };
    expect(result, err).toMatchObject({ ok: true });
    expect(code).toBe(0);
    expect(result.steps?.slice(1)).toEqual(['joined', 'message reflected', 'resumed after a cut', 'left', 'closed']);
    // One socket for the session, one for the resumption: both the global WebSocket.
    expect(result.constructed).toBe(2);
  }, 60_000);
});
