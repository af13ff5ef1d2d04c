/**
 * Programmatic control of the throw-away Prosody / ejabberd instances used by the integration tests
 * and the demo. A thin, bounded wrapper over the shell scripts next to this file
 * (`prosody-up.sh`, `ejabberd-up.sh`, the matching `-down.sh`, `ensure-packages.sh`).
 *
 * Everything binds to 127.0.0.1 on ports picked here; every wait has a deadline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbortError, TimeoutError } from '../../src/core/errors.js';

/** Which server implementation to run. */
export type ServerKind = 'prosody' | 'ejabberd';

/** An account on the server's `localhost` domain. */
export interface ServerUser {
  /** Local part, e.g. `alice` (full JID `alice@localhost`). */
  name: string;
  password: string;
}

/** A running server, as returned by {@link startServer}. Plain data: safe to JSON-serialise. */
export interface ServerInfo {
  kind: ServerKind;
  /** Absolute directory holding config, data, logs, `env.sh` and the pid file. */
  dir: string;
  /** PID of the server process (Prosody's Lua process / ejabberd's beam.smp). */
  pid: number;
  host: '127.0.0.1';
  domain: 'localhost';
  c2sPort: number;
  httpPort: number;
  /** RFC 7395 WebSocket endpoint (subprotocol `xmpp`). */
  wsUrl: string;
  /** BOSH endpoint. */
  boshUrl: string;
  mucDomain: 'conference.localhost';
  /** Virtual host with SASL ANONYMOUS. */
  anonDomain: 'anon.localhost';
  /** The accounts created at start (`alice bob carol dave admin` unless overridden). */
  users: ServerUser[];
  /** ejabberd only: mod_http_api base URL (no auth from loopback). */
  apiUrl?: string;
  /** Prosody with `tls: true` only: the self-signed certificate (PEM) clients may pin. */
  tlsCertPath?: string;
  /** True when {@link startServer} created `dir` itself; {@link stopServer} then deletes it. */
  ownsDir: boolean;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Directory for all server state; a fresh one under `os.tmpdir()` when omitted. */
  dir?: string;
  /** Prosody only: self-signed certificate + STARTTLS offered (not required). */
  tls?: boolean;
  /** Abort the start; a half-started server is stopped again. */
  signal?: AbortSignal;
  /** Overall deadline for the start (default 120 s; the package check has its own 15 min). */
  timeoutMs?: number;
  /** Fixed ports instead of free ones picked on 127.0.0.1. */
  c2sPort?: number;
  httpPort?: number;
  /** Accounts to create instead of the defaults. */
  users?: ServerUser[];
}

/** Options of {@link stopServer}. */
export interface StopServerOptions {
  /** Keep the directory even when {@link startServer} created it (default: env XMUC_KEEP_SERVER_DIRS=1). */
  keepDir?: boolean;
  /** Deadline for the stop (default 40 s). */
  timeoutMs?: number;
}

/** The directory holding the shell scripts. */
export const SCRIPTS_DIR: string = dirname(fileURLToPath(import.meta.url));

const DEFAULT_START_TIMEOUT_MS = 120_000;
const DEFAULT_STOP_TIMEOUT_MS = 40_000;
const ENSURE_TIMEOUT_MS = 15 * 60_000;
const REGISTER_TIMEOUT_MS = 15_000;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a command with a deadline and optional abort; never rejects for a non-zero exit. */
function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal; what: string },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    if (opts.signal?.aborted) {
      reject(new AbortError(`${opts.what} aborted`));
      return;
    }
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: SCRIPTS_DIR,
    });
    let stdout = '';
    let stderr = '';
    let failure: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const stopChild = (err: Error): void => {
      failure ??= err;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    };
    const timer = setTimeout(() => stopChild(new TimeoutError(`${opts.what} timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const onAbort = (): void => stopChild(new AbortError(`${opts.what} aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      failure ??= err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) {
        (failure as Error & { output?: string }).output = stdout + stderr;
        reject(failure);
      } else {
        resolvePromise({ code, signal, stdout, stderr });
      }
    });
  });
}

let ensured: Promise<void> | undefined;

/**
 * Run `ensure-packages.sh` once per process: installs missing Debian packages as root, otherwise
 * rejects with the apt command to run.
 */
export function ensurePackages(): Promise<void> {
  ensured ??= run('bash', [join(SCRIPTS_DIR, 'ensure-packages.sh')], {
    timeoutMs: ENSURE_TIMEOUT_MS,
    what: 'ensure-packages.sh',
  }).then((r) => {
    if (r.code !== 0) {
      ensured = undefined;
      throw new Error(`ensure-packages.sh failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
    }
  });
  return ensured;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePromise(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** True when `pid` names a live (non-zombie) process. */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Parse the `export KEY=VALUE` lines the up-scripts write to DIR/env.sh. */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    let v = m[2];
    if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

function usersToEnv(users: ServerUser[]): string {
  for (const u of users) {
    if (!/^[A-Za-z0-9._+-]+$/.test(u.name) || !/^[A-Za-z0-9._:+-]+$/.test(u.password)) {
      throw new Error(`unsupported characters in user ${u.name}`);
    }
  }
  return users.map((u) => `${u.name}:${u.password}`).join(' ');
}

function parseUsers(s: string): ServerUser[] {
  return s
    .split(/\s+/)
    .filter(Boolean)
    .map((e) => {
      const i = e.indexOf(':');
      return { name: e.slice(0, i), password: e.slice(i + 1) };
    });
}

function infoFromEnv(kind: ServerKind, dir: string, ownsDir: boolean): ServerInfo {
  const env = readEnvFile(join(dir, 'env.sh'));
  const need = (k: string): string => {
    const v = env[k];
    if (v === undefined) throw new Error(`${join(dir, 'env.sh')} lacks ${k}`);
    return v;
  };
  const info: ServerInfo = {
    kind,
    dir,
    pid: Number(need('XMPP_PID')),
    host: '127.0.0.1',
    domain: 'localhost',
    c2sPort: Number(need('XMPP_C2S_PORT')),
    httpPort: Number(need('XMPP_HTTP_PORT')),
    wsUrl: need('XMPP_WS_URL'),
    boshUrl: need('XMPP_BOSH_URL'),
    mucDomain: 'conference.localhost',
    anonDomain: 'anon.localhost',
    users: parseUsers(need('XMPP_USERS')),
    ownsDir,
  };
  if (env.XMPP_API_URL) info.apiUrl = env.XMPP_API_URL;
  if (env.XMPP_TLS_CERT) info.tlsCertPath = env.XMPP_TLS_CERT;
  return info;
}

const PORT_CLASH = /already in use|EADDRINUSE|Failed to open server port|eaddrinuse/i;

async function runUp(
  kind: ServerKind,
  dir: string,
  ports: { c2s: number; http: number },
  opts: StartServerOptions,
  deadline: number,
): Promise<RunResult> {
  const prefix = kind === 'prosody' ? 'PROSODY' : 'EJABBERD';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [`${prefix}_C2S_PORT`]: String(ports.c2s),
    [`${prefix}_HTTP_PORT`]: String(ports.http),
    PROSODY_TLS: opts.tls ? '1' : '0',
  };
  if (opts.users) env.XMPP_USERS = usersToEnv(opts.users);
  const what = `${kind}-up.sh ${dir}`;
  try {
    return await run('bash', [join(SCRIPTS_DIR, `${kind}-up.sh`), dir], {
      env,
      timeoutMs: Math.max(1_000, deadline - Date.now()),
      what,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    // Killed mid-start (timeout/abort): the server may already be running; take it down again.
    await runDown(kind, dir, false, DEFAULT_STOP_TIMEOUT_MS).catch(() => undefined);
    throw err;
  }
}

function runDown(kind: ServerKind, dir: string, rm: boolean, timeoutMs: number): Promise<RunResult> {
  const args = [join(SCRIPTS_DIR, `${kind}-down.sh`), dir];
  if (rm) args.push('--rm');
  return run('bash', args, { timeoutMs, what: `${kind}-down.sh ${dir}` });
}

/**
 * Start a Prosody or ejabberd on free loopback ports (or `opts` ports) with all state in `opts.dir`
 * (a new temp dir when omitted). Resolves once c2s and HTTP accept connections and the accounts
 * exist; rejects with the server log on failure, after cleaning up.
 */
export async function startServer(kind: ServerKind, opts: StartServerOptions = {}): Promise<ServerInfo> {
  if (kind !== 'prosody' && kind !== 'ejabberd') throw new Error(`unknown server kind ${String(kind)}`);
  if (opts.tls && kind !== 'prosody') throw new Error('tls is only supported for prosody');
  if (opts.signal?.aborted) throw new AbortError(`starting ${kind} aborted`);
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  await ensurePackages();
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir !== undefined ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), `xmuc-${kind}-`));
  const fixedPorts = opts.c2sPort !== undefined && opts.httpPort !== undefined;
  const attempts = fixedPorts ? 1 : 3;
  const cleanup = (): void => {
    if (ownsDir && process.env.XMUC_KEEP_SERVER_DIRS !== '1') rmSync(dir, { recursive: true, force: true });
  };
  let last: RunResult | undefined;
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const c2s = opts.c2sPort ?? (await freePort());
      let http = opts.httpPort ?? (await freePort());
      while (http === c2s) http = await freePort();
      last = await runUp(kind, dir, { c2s, http }, opts, deadline);
      if (last.code === 0) return infoFromEnv(kind, dir, ownsDir);
      if (!PORT_CLASH.test(last.stdout + last.stderr) || Date.now() >= deadline) break;
    }
  } catch (err) {
    await runDown(kind, dir, false, DEFAULT_STOP_TIMEOUT_MS).catch(() => undefined);
    cleanup();
    throw err;
  }
  cleanup();
  throw new Error(`${kind} failed to start in ${dir} (exit ${last?.code}):\n${last?.stderr ?? ''}${last?.stdout ?? ''}`);
}

/**
 * Stop a server started by {@link startServer} (only its recorded PID) and wait until the process
 * is gone. Deletes the directory when startServer created it, unless `keepDir`.
 */
export async function stopServer(info: ServerInfo, opts: StopServerOptions = {}): Promise<void> {
  const keep = opts.keepDir ?? process.env.XMUC_KEEP_SERVER_DIRS === '1';
  // Only delete dirs we made ourselves (a tmpdir child named xmuc-<kind>-*).
  const rm = !keep && info.ownsDir && dirname(info.dir) === resolve(tmpdir()) && basename(info.dir).startsWith(`xmuc-${info.kind}-`);
  if (!existsSync(info.dir)) return;
  const r = await runDown(info.kind, info.dir, rm, opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  if (r.code !== 0) throw new Error(`${info.kind}-down.sh failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  if (isProcessAlive(info.pid) && existsSync(`/proc/${info.pid}/cmdline`)) {
    const cmdline = readFileSync(`/proc/${info.pid}/cmdline`, 'utf8');
    if (cmdline.includes(info.dir)) throw new Error(`${info.kind} PID ${info.pid} survived stopServer`);
  }
}

/**
 * Stop and start the server again on the same directory and ports (accounts, rooms and archives
 * survive). Resolves with the new info (new `pid`). Used to test reconnects after a server restart.
 */
export async function restartServer(info: ServerInfo, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ServerInfo> {
  await stopServer(info, { keepDir: true });
  const started = await startServer(info.kind, {
    dir: info.dir,
    c2sPort: info.c2sPort,
    httpPort: info.httpPort,
    users: info.users,
    tls: info.tlsCertPath !== undefined,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return { ...started, ownsDir: info.ownsDir };
}

/**
 * Create the account `name@localhost` with `password`, or reset its password when it exists
 * (Prosody: `prosodyctl register`; ejabberd: HTTP API `register`, then `change_password`).
 */
export async function registerUser(info: ServerInfo, name: string, password: string): Promise<void> {
  usersToEnv([{ name, password }]);
  if (info.kind === 'prosody') {
    const r = await run('prosodyctl', ['--config', join(info.dir, 'prosody.cfg.lua'), 'register', name, info.domain, password], {
      timeoutMs: REGISTER_TIMEOUT_MS,
      what: `prosodyctl register ${name}`,
    });
    if (r.code !== 0) throw new Error(`prosodyctl register ${name} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
    return;
  }
  if (!info.apiUrl) throw new Error('ejabberd ServerInfo lacks apiUrl');
  const post = async (cmd: string, body: object): Promise<{ ok: boolean; text: string }> => {
    const res = await fetch(`${info.apiUrl}/${cmd}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REGISTER_TIMEOUT_MS),
    });
    return { ok: res.ok, text: await res.text() };
  };
  const reg = await post('register', { user: name, host: info.domain, password });
  if (reg.ok) return;
  if (reg.text.includes('10090')) {
    const chg = await post('change_password', { user: name, host: info.domain, newpass: password });
    if (chg.ok) return;
    throw new Error(`ejabberd change_password ${name} failed: ${chg.text}`);
  }
  throw new Error(`ejabberd register ${name} failed: ${reg.text}`);
}
