/** `xmuc send <room> <text>`: join, send a tracked message, wait for its reflection, leave. */
import { MessageState } from '../index.js';
import type { Command } from './args.js';
import { describeError } from './format.js';
import { type CliIO, type Session, defaultNick, joinRoom, waitBounded } from './session.js';

/**
 * Send `text` to the room and wait (bounded by `--timeout`) until the room reflects it to
 * us (`DELIVERED_TO_RECIPIENT`): exit status 0. Any other outcome (an error reply, no
 * reflection in time) is reported on stderr with status 1.
 */
export async function runSend(session: Session, io: CliIO, command: Extract<Command, { name: 'send' }>): Promise<number> {
  const { room } = await joinRoom(session, io, command.room, defaultNick(session.config.jid, command.nick));
  const tracker = room.sendMessageTracked(command.text, { timeoutMs: session.config.timeoutMs });
  try {
    const state = await waitBounded(session, io, tracker.settled, 'delivery');
    if (state === MessageState.DELIVERED_TO_RECIPIENT) {
      io.err(`xmuc: delivered to ${room.jid.toString()}`);
      return 0;
    }
    const detail = tracker.error
      ? `: ${describeError(tracker.error)}`
      : state === MessageState.TIMED_OUT
        ? ` (no reflection within ${session.config.timeoutMs} ms)`
        : '';
    io.err(`xmuc: message not delivered to ${room.jid.toString()}: ${state}${detail}`);
    return 1;
  } finally {
    tracker.close();
  }
}
