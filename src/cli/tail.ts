/**
 * `xmuc tail <room>`: join and print the room's events until Ctrl-C or until we are removed;
 * with `--since`, first catch up from the room's archive (else its history).
 */
import type { Room } from '../index.js';
import type { Command } from './args.js';
import { type CliEvent, formatJson, formatText } from './format.js';
import { watchRoom } from './room-events.js';
import { type CliIO, type Session, aborted, defaultNick, joinRoom } from './session.js';

/** A printer of {@link CliEvent}s to stdout, as text or JSON lines. */
export function printer(io: CliIO, json: boolean, decorate?: (event: CliEvent, line: string) => string): (event: CliEvent) => void {
  return (event) => io.out(json ? formatJson(event) : decorate ? decorate(event, formatText(event)) : formatText(event));
}

/** Options of {@link followRoom}. */
export interface FollowOptions {
  /** Decorate each text line (colours on a terminal). */
  decorate?: ((event: CliEvent, line: string) => string) | undefined;
  /** More listeners to attach before the join (status line). */
  attach?: ((room: Room) => void) | undefined;
}

/** What ended a {@link followRoom} wait. */
export type FollowEnd = { by: 'signal' } | { by: 'exit'; mode: string } | { by: 'done' };

/**
 * Join `command.room`, print its events, and resolve when the signal aborts, the room
 * removes us (kick, ban, destruction, lost connection), or `until` resolves. The caller's
 * session close leaves the room (its `exit` is printed too).
 */
export async function followRoom(
  session: Session,
  io: CliIO,
  command: Extract<Command, { name: 'tail' | 'chat' }>,
  until?: (room: Room) => Promise<void>,
  options: FollowOptions = {},
): Promise<FollowEnd> {
  const print = printer(io, command.json, options.decorate);
  let resolveExit!: (end: FollowEnd) => void;
  const exited = new Promise<FollowEnd>((resolve) => (resolveExit = resolve));
  const { room } = await joinRoom(session, io, command.room, defaultNick(session.config.jid, command.nick), {
    history: command.history === undefined ? undefined : { maxStanzas: command.history },
    since: command.name === 'tail' ? command.since : undefined,
    attach: (r) => {
      watchRoom(r, print);
      r.on('suspend', () => io.err(`xmuc: connection lost; ${r.jid.toString()} will be rejoined when it is back`));
      r.on('resume', () => io.err(`xmuc: reconnected; rejoining ${r.jid.toString()}`));
      r.once('exit', ({ mode }) => resolveExit({ by: 'exit', mode }));
      options.attach?.(r);
    },
  });
  const ends: Promise<FollowEnd>[] = [aborted(io.signal).then(() => ({ by: 'signal' }) as const), exited];
  if (until) ends.push(until(room).then(() => ({ by: 'done' }) as const));
  return Promise.race(ends);
}

/** Run `xmuc tail`: 0 when ended by Ctrl-C, 1 when the room removed us. */
export async function runTail(session: Session, io: CliIO, command: Extract<Command, { name: 'tail' }>): Promise<number> {
  const end = await followRoom(session, io, command);
  if (end.by === 'exit') {
    io.err(`xmuc: removed from ${command.room.toString()} (${end.mode})`);
    return 1;
  }
  return 0;
}
