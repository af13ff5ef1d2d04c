/**
 * `xmuc chat` on a real terminal: the command runs inside a detached tmux session (its own
 * server socket), keys are typed with `tmux send-keys` and the screen is read with
 * `tmux capture-pane`. Checks line editing, the history of typed lines, the status prompt,
 * nick colours, and the moderator commands `/who`, `/role`, `/kick`, `/help`, `/quit`,
 * against a `tail --json` occupant, on both servers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type ServerInfo, describeEachServer } from '../support/servers.js';
import { ROOT, WAIT_MS, cliAccounts, exitOf, isEvent, json, xmuc } from './cli-harness.js';

const run = promisify(execFile);
const sessions: string[] = [];

function tmux(socket: string, ...args: string[]): Promise<string> {
  return run('tmux', ['-L', socket, ...args], { timeout: 10_000 }).then((r) => r.stdout);
}

/** The visible screen (plain, or with escape sequences for `escapes`). */
function screen(socket: string, escapes = false): Promise<string> {
  return tmux(socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'chat');
}

/** Wait (bounded) until the screen passes `test`. */
async function screenShows(socket: string, test: (text: string) => boolean, what: string): Promise<string> {
  const started = Date.now();
  let text = '';
  while (Date.now() - started < WAIT_MS) {
    text = await screen(socket).catch(() => text);
    if (test(text)) return text;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what}: not on the screen within ${WAIT_MS} ms; screen:\n${text}`);
}

/** Type `text` literally, then the named keys. */
async function type(socket: string, text: string, ...keys: string[]): Promise<void> {
  if (text !== '') await tmux(socket, 'send-keys', '-t', 'chat', '-l', text);
  if (keys.length > 0) await tmux(socket, 'send-keys', '-t', 'chat', ...keys);
}

afterEach(async () => {
  for (const socket of sessions.splice(0)) await tmux(socket, 'kill-server').catch(() => undefined);
});

describeEachServer('xmuc chat on a terminal', (server: ServerInfo) => {
  const { as, pass, room } = cliAccounts(server);

  it('edits lines, recalls history, shows the status and colours, runs /who, /role, /kick, /help and /quit', async () => {
    const jid = room('tty');
    const socket = `xmuc-chat-${process.pid}-${server.kind}`;
    sessions.push(socket);
    const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'chat', jid, '--nick', 'carol', ...as('carol')]
      .map(shellQuote)
      .join(' ');
    await tmux(
      socket,
      'new-session',
      '-d',
      '-s',
      'chat',
      '-x',
      '150',
      '-y',
      '40',
      '-c',
      ROOT,
      '-e',
      `XMUC_PASSWORD=${pass('carol')}`,
      '-e',
      'TERM=xterm-256color',
      `${command}; sleep 30`,
    );
    await screenShows(socket, (t) => /\[joined\] carol>/m.test(t), 'the status prompt');

    const tail = xmuc(['tail', jid, '--json', '--nick', 'bobtail', ...as('bob')], pass('bob'));
    await tail.line(isEvent('enter'), 'bob enters');
    await screenShows(socket, (t) => t.includes('* bobtail joined (participant, none)'), 'carol sees bob join');

    // Line editing: "helo", Left, "l" → "hello"; then Up recalls it and sends it again.
    await type(socket, 'helo', 'Left');
    await type(socket, 'l', 'Enter');
    await tail.line(isEvent('message', { nick: 'carol', text: 'hello' }), 'bob gets the edited line');
    await type(socket, '', 'Up', 'End');
    await type(socket, ' again', 'Enter');
    await tail.line(isEvent('message', { nick: 'carol', text: 'hello again' }), 'bob gets the recalled line');
    const coloured = await screen(socket, true);
    // The nick starts right after a colour escape (SGR) on the screen.
    expect(coloured.split('\u001b').some((part) => /^\[[0-9;]+mcarol\b/.test(part))).toBe(true);

    await type(socket, '/who', 'Enter');
    await screenShows(
      socket,
      (t) => /carol \(you\)\s+moderator\s+owner/.test(t) && /bobtail\s+participant\s+none/.test(t),
      '/who lists the occupants',
    );
    await type(socket, '/role bobtail visitor quiet please', 'Enter');
    expect(json(await tail.line(isEvent('role', { nick: 'bobtail' }), 'bob loses voice'))).toMatchObject({ role: 'visitor' });
    await type(socket, '/help', 'Enter');
    await screenShows(socket, (t) => t.includes('/kick NICK [REASON]'), '/help');
    await type(socket, '/kick bobtail bye', 'Enter');
    expect(json(await tail.line(isEvent('exit'), 'bob is kicked'))).toMatchObject({ mode: 'kicked', reason: 'bye' });
    expect(await exitOf(tail, 'kicked tail')).toBe(1);
    await screenShows(socket, (t) => /\* bobtail left \(kicked.*bye\)/.test(t), 'carol sees the kick');

    await type(socket, '/quit', 'Enter');
    await screenShows(socket, (t) => /<- left .* \(normal\)/.test(t), 'chat leaves on /quit');
  });
});
