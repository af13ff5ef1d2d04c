/**
 * Running the `xmuc` command as a child process (`node --import tsx src/cli/main.ts`) in the
 * CLI integration tests: output captured line by line, every wait bounded, children killed
 * after each test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { ServerInfo } from '../support/servers.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Bound of each wait; generous because every child pays tsx's start-up on a shared machine. */
export const WAIT_MS = 25_000;

export interface Cli {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit status (or the signal name). */
  exited: Promise<number | string>;
  /** Wait (bounded) for a stdout line passing `test`. */
  line(test: (line: string) => boolean, what: string): Promise<string>;
  /** Wait (bounded) for a stderr line passing `test`. */
  errLine(test: (line: string) => boolean, what: string): Promise<string>;
}

const running: Cli[] = [];

export function waitUntil<T>(check: () => T | undefined, what: string, cli: Cli): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const found = check();
      if (found !== undefined) return resolve(found);
      if (Date.now() - started > WAIT_MS) {
        return reject(
          new Error(`${what}: nothing within ${WAIT_MS} ms\nstdout:\n${cli.stdout.join('\n')}\nstderr:\n${cli.stderr.join('\n')}`),
        );
      }
      setTimeout(tick, 50);
    };
    tick();
  });
}

function lines(stream: NodeJS.ReadableStream | null, into: string[]): void {
  let buffer = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    into.push(...parts);
  });
}

export function xmuc(args: string[], password?: string): Cli {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.XMUC_JID;
  delete env.XMUC_PASSWORD;
  if (password !== undefined) env.XMUC_PASSWORD = password;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  lines(child.stdout, stdout);
  lines(child.stderr, stderr);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const cli: Cli = {
    child,
    stdout,
    stderr,
    exited,
    line: (test, what) => waitUntil(() => stdout.find(test), what, cli),
    errLine: (test, what) => waitUntil(() => stderr.find(test), what, cli),
  };
  running.push(cli);
  return cli;
}

/** The exit status, bounded. */
export async function exitOf(cli: Cli, what: string): Promise<number | string> {
  let status: number | string | undefined;
  void cli.exited.then((s) => (status = s));
  return waitUntil(() => status, `${what} exit`, cli);
}

export function json(line: string): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}

export function isEvent(type: string, fields: Record<string, unknown> = {}): (line: string) => boolean {
  return (line) => {
    if (!line.startsWith('{')) return false;
    const e = json(line);
    return e.type === type && Object.entries(fields).every(([k, v]) => e[k] === v);
  };
}

afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await Promise.race([cli.exited, new Promise((r) => setTimeout(r, 5000))]);
    }
  }
});

/** Connection flags, passwords and fresh room names for `server`. */
export function cliAccounts(server: ServerInfo) {
  const service = `xmpp://${server.host}:${server.c2sPort}`;
  return {
    as: (user: string) => ['--jid', `${user}@${server.domain}`, '--service', service, '--insecure-plaintext', '--timeout', String(WAIT_MS)],
    pass: (user: string) => server.users.find((u) => u.name === user)?.password ?? '',
    room: (tag: string) => `cli-${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`,
  };
}
