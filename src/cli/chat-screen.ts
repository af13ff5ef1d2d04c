/**
 * The terminal side of `xmuc chat`: Node's readline in terminal mode gives line editing
 * (arrows, Home/End, Ctrl-A/E/U/W, ...) and a history of the typed lines (Up/Down); room
 * events are printed above the input line, which is then redrawn; the prompt carries the
 * room's status (joining / joined / stale / suspended / rejoining / left) and our nick; nicks are
 * coloured (a fixed colour per nick) and timestamps dimmed. Without a terminal it is a plain
 * line reader and output is left alone.
 */
import { type Interface, clearLine, createInterface, cursorTo } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CliEvent } from './format.js';
import type { CliIO } from './session.js';

/** How many typed lines Up/Down go back through. */
export const CHAT_HISTORY_SIZE = 500;

const NICK_COLOURS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/** The colour of a nick: the same nick always gets the same one. */
export function nickColour(nick: string): number {
  let hash = 0;
  for (const ch of nick) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return NICK_COLOURS[hash % NICK_COLOURS.length] ?? 36;
}

/** `line` (a formatted event) with its timestamp dimmed and the event's nick(s) coloured. */
export function colourLine(event: CliEvent, line: string): string {
  const paint = (nick: string, text: string) => text.replace(nick, `\x1b[${nickColour(nick)}m${nick}\x1b[0m`);
  const stamp = /^\[[^\]]*\]/.exec(line)?.[0] ?? '';
  let rest = line.slice(stamp.length);
  if ('nick' in event && event.nick !== undefined) rest = paint(event.nick, rest);
  if (event.type === 'nick') rest = paint(event.newNick, paint(event.oldNick, rest));
  return `${stamp === '' ? '' : `\x1b[2m${stamp}\x1b[0m`}${rest}`;
}

/** The input line of `chat`, and where output goes while it is shown. */
export class ChatScreen {
  /** The line reader (emits `line`, `close`, and on a terminal `SIGINT` for Ctrl-C). */
  readonly rl: Interface;
  /** Whether the input is a terminal (line editing, prompt, colours). */
  readonly terminal: boolean;
  readonly #output: Writable | undefined;
  #status = 'joining';
  #nick = '';

  constructor(input: Readable, output: (Writable & { isTTY?: boolean }) | undefined) {
    this.terminal = (input as Readable & { isTTY?: boolean }).isTTY === true && output?.isTTY === true;
    this.#output = this.terminal ? output : undefined;
    this.rl = this.terminal
      ? createInterface({
          input,
          output,
          terminal: true,
          historySize: CHAT_HISTORY_SIZE,
          removeHistoryDuplicates: false,
          prompt: this.#prompt(),
        })
      : createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
    if (this.terminal) this.rl.prompt();
  }

  #prompt(): string {
    const colour = this.#status === 'joined' ? 32 : 33;
    return `\x1b[${colour}m[${this.#status}]\x1b[0m ${this.#nick === '' ? '' : `${this.#nick}`}> `;
  }

  /** Show `status` (and our nick) in the prompt. */
  setStatus(status: string, nick?: string): void {
    this.#status = status;
    if (nick !== undefined) this.#nick = nick;
    if (!this.terminal) return;
    this.rl.setPrompt(this.#prompt());
    this.rl.prompt(true);
  }

  /** Print `text` above the input line (or as is, without a terminal). */
  #print(write: (line: string) => void, text: string): void {
    const output = this.#output;
    if (!output) {
      write(text);
      return;
    }
    clearLine(output, 0);
    cursorTo(output, 0);
    write(text);
    this.rl.prompt(true);
  }

  /** `io` with its output printed above the input line. */
  wrap(io: CliIO): CliIO {
    if (!this.terminal) return io;
    return { ...io, out: (line) => this.#print(io.out, line), err: (line) => this.#print(io.err, line) };
  }

  /** The event decoration for the printer: colours on a terminal. */
  decorate(): ((event: CliEvent, line: string) => string) | undefined {
    return this.terminal ? colourLine : undefined;
  }

  /** Close the line reader and leave the terminal's line clean. */
  close(): void {
    this.rl.close();
    if (this.#output) {
      clearLine(this.#output, 0);
      cursorTo(this.#output, 0);
    }
  }
}
