/** `xmuc occupants <room>`: join, print the occupant list, leave. */
import type { Command } from './args.js';
import { formatOccupants, occupantRow } from './format.js';
import { type CliIO, type Session, defaultNick, joinRoom } from './session.js';

/**
 * Print the room's occupants as a table (our own line marked `(you)`), or one JSON object
 * per occupant with `--json`. The room sends every other occupant's presence before ours,
 * so the list is complete once we are in.
 */
export async function runOccupants(session: Session, io: CliIO, command: Extract<Command, { name: 'occupants' }>): Promise<number> {
  const { room } = await joinRoom(session, io, command.room, defaultNick(session.config.jid, command.nick));
  const rows = room.members.map(occupantRow);
  if (command.json) {
    for (const row of rows) io.out(JSON.stringify({ room: room.jid.toString(), ...row }));
  } else {
    for (const line of formatOccupants(rows)) io.out(line);
  }
  return 0;
}
