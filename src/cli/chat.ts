/**
 * `xmuc chat <room>`: `tail`, plus every line of stdin is sent to the room. Lines starting
 * with `/` are commands: `/nick NEW`, `/topic TEXT`, `/msg NICK TEXT`, `/quit`, `/leave`, and
 * the moderator commands of {@link parseModeratorCommand} (`/help` lists them); `/me ACTION`
 * is sent as is; `//text` sends `/text`. On a terminal, the input line is edited with Node's
 * readline (history of typed lines, a prompt carrying the room's status) and nicks are
 * coloured ({@link ChatScreen}).
 */
import type { Readable, Writable } from 'node:stream';
import type { Room } from '../index.js';
import type { Command } from './args.js';
import { type ModeratorInput, VoiceRequests, parseModeratorCommand, runModeratorCommand } from './chat-commands.js';
import { ChatScreen } from './chat-screen.js';
import { describeError } from './format.js';
import { type CliIO, type Session, waitBounded } from './session.js';
import { followRoom } from './tail.js';

/** What one line of chat input asks for. */
export type ChatInput =
  | { kind: 'say'; text: string }
  | { kind: 'nick'; nick: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'msg'; nick: string; text: string }
  | { kind: 'quit' }
  | { kind: 'moderator'; input: ModeratorInput }
  | { kind: 'empty' }
  | { kind: 'invalid'; error: string };

/** Parse one line of chat input (pure). */
export function parseChatLine(line: string): ChatInput {
  const trimmed = line.replace(/\r$/, '');
  if (trimmed.trim() === '') return { kind: 'empty' };
  if (!trimmed.startsWith('/')) return { kind: 'say', text: trimmed };
  if (trimmed.startsWith('//')) return { kind: 'say', text: trimmed.slice(1) };
  const match = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const name = match?.[1] ?? '';
  const rest = (match?.[2] ?? '').trim();
  switch (name) {
    case 'me':
      return { kind: 'say', text: trimmed };
    case 'quit':
    case 'leave':
      return { kind: 'quit' };
    case 'nick':
      return rest === '' || /\s/.test(rest) ? { kind: 'invalid', error: 'usage: /nick NEW' } : { kind: 'nick', nick: rest };
    case 'topic':
      return { kind: 'topic', topic: rest };
    case 'msg': {
      const m = /^(\S+)\s+([\s\S]+)$/.exec(rest);
      return m?.[1] && m[2] ? { kind: 'msg', nick: m[1], text: m[2] } : { kind: 'invalid', error: 'usage: /msg NICK TEXT' };
    }
    default: {
      const moderator = parseModeratorCommand(name, rest);
      if (typeof moderator === 'string') return { kind: 'invalid', error: moderator };
      if (moderator) return { kind: 'moderator', input: moderator };
      return { kind: 'invalid', error: `unknown command /${name} (/help lists the commands; //text sends "/text")` };
    }
  }
}

/** Carry out one parsed input line; returns false for `/quit`. Failures are reported on stderr. */
export async function handleChatInput(
  session: Session,
  io: CliIO,
  room: Room,
  input: ChatInput,
  voice: VoiceRequests = new VoiceRequests(),
): Promise<boolean> {
  try {
    switch (input.kind) {
      case 'empty':
        return true;
      case 'quit':
        return false;
      case 'invalid':
        io.err(`xmuc: ${input.error}`);
        return true;
      case 'say':
        await waitBounded(session, io, room.sendMessage(input.text), 'send');
        return true;
      case 'nick':
        await room.setNick(input.nick, { timeoutMs: session.config.timeoutMs, signal: io.signal });
        return true;
      case 'topic':
        await room.setTopic(input.topic, { timeoutMs: session.config.timeoutMs, signal: io.signal });
        return true;
      case 'moderator':
        await runModeratorCommand(session, io, room, input.input, voice);
        return true;
      case 'msg':
        if (!room.getOccupant(input.nick)) {
          io.err(`xmuc: no occupant ${input.nick} in the room`);
          return true;
        }
        await waitBounded(session, io, room.sendPrivateMessage(input.nick, input.text), 'private message');
        return true;
    }
  } catch (error) {
    if (io.signal.aborted) return false;
    io.err(`xmuc: ${describeError(error)}`);
    return true;
  }
}

/** Read the screen's lines, one command at a time, until `/quit`, end of input, Ctrl-C or the signal. */
function readLines(session: Session, io: CliIO, room: Room, screen: ChatScreen): Promise<void> {
  const { rl } = screen;
  const voice = new VoiceRequests();
  const offVoice = voice.watch(session, io, room);
  return new Promise((resolve) => {
    const queue: string[] = [];
    let busy = false;
    let ended = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      io.signal.removeEventListener('abort', finish);
      offVoice();
      screen.close();
      resolve();
    };
    const pump = async () => {
      if (busy) return;
      busy = true;
      while (!done && queue.length > 0) {
        const line = queue.shift() ?? '';
        if (!(await handleChatInput(session, io, room, parseChatLine(line), voice))) finish();
      }
      busy = false;
      if (ended) finish();
    };
    rl.on('line', (line) => {
      queue.push(line);
      void pump();
    });
    rl.on('close', () => {
      ended = true;
      if (!busy) finish();
    });
    // On a terminal readline takes Ctrl-C: it ends the chat like /quit.
    rl.on('SIGINT', finish);
    io.signal.addEventListener('abort', finish, { once: true });
  });
}

/** The room statuses `chat` shows in its prompt. */
export type ChatStatus = 'joined' | 'stale' | 'suspended' | 'rejoining' | 'left';

/**
 * Call `show` with the room's status as its events come: `joined` (with our nick) on enter and
 * on our nick change, `stale` when the room went silent (XEP-0410) and `joined` again on
 * `fresh`, `suspended`/`rejoining` around a lost connection, `left` on exit. Returns a
 * function that unsubscribes all of them.
 */
export function watchStatus(room: Room, show: (status: ChatStatus, nick?: string) => void): () => void {
  const offs = [
    room.on('enter', ({ occupant }) => show('joined', occupant.nick)),
    room.on('nickChanged', ({ member, newNick }) => {
      if (member.isSelf) show('joined', newNick);
    }),
    room.on('stale', () => show('stale')),
    room.on('fresh', () => show('joined')),
    room.on('suspend', () => show('suspended')),
    room.on('resume', () => show('rejoining')),
    room.on('exit', () => show('left')),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** Run `xmuc chat`: 0 on `/quit`, end of input or Ctrl-C; 1 when the room removed us. */
export async function runChat(
  session: Session,
  baseIo: CliIO,
  command: Extract<Command, { name: 'chat' }>,
  input: Readable,
  output?: Writable,
): Promise<number> {
  const screen = new ChatScreen(input, command.json ? undefined : output);
  const io = screen.wrap(baseIo);
  let end: Awaited<ReturnType<typeof followRoom>>;
  try {
    end = await followRoom(session, io, command, (room) => readLines(session, io, room, screen), {
      decorate: screen.decorate(),
      attach: (room) => watchStatus(room, (status, nick) => screen.setStatus(status, nick)),
    });
  } finally {
    screen.close();
  }
  if (end.by === 'exit') {
    io.err(`xmuc: removed from ${command.room.toString()} (${end.mode})`);
    return 1;
  }
  return 0;
}
