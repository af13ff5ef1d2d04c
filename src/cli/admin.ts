/**
 * The room administration commands that change something: `affiliations --set`, `kick`,
 * `ban`, `invite`, `destroy`, `register`, and the `affiliations` / `roles` lists. They use
 * the library's muc#admin / muc#owner functions directly; role changes and role lists, and
 * mediated invitations, are made from inside the room (Prosody and ejabberd accept a role
 * change only from an occupant who is a moderator), so those commands join briefly.
 */
import {
  type Affiliation,
  type JID,
  type Room,
  type StanzaError,
  destroyRoom,
  directInviteMessage,
  getAffiliated,
  getRoles,
  mediatedInviteMessage,
  registerNick,
  setAffiliations,
  setRoles,
} from '../index.js';
import type { AdminCommand } from './args-admin.js';
import { type CliIO, type Session, defaultNick, joinRoom } from './session.js';

type Of<N extends AdminCommand['name']> = Extract<AdminCommand, { name: N }>;

function requestOptions(session: Session, io: CliIO) {
  return { timeoutMs: session.config.timeoutMs, signal: io.signal, logger: session.logger };
}

/** A nick for a brief administrative join: `--nick`, else `<localpart>-xmuc`. */
function adminNick(session: Session, nick: string | undefined): string {
  return nick ?? `${defaultNick(session.config.jid, undefined)}-xmuc`;
}

/** Join `roomJid` (no history), run `fn` as an occupant, leave (the session's close also leaves). */
async function asOccupant<T>(
  session: Session,
  io: CliIO,
  roomJid: JID,
  nick: string | undefined,
  fn: (room: Room) => Promise<T>,
): Promise<T> {
  const { room } = await joinRoom(session, io, roomJid, adminNick(session, nick));
  try {
    return await fn(room);
  } finally {
    await room.leave({ timeoutMs: session.config.timeoutMs }).catch(() => undefined);
  }
}

/** The affiliations `affiliations ROOM` lists, highest first. */
const LISTED_AFFILIATIONS: readonly Affiliation[] = ['owner', 'admin', 'member', 'outcast'] as Affiliation[];

/** `xmuc affiliations ROOM [AFFILIATION]`: the entities with each (or one) affiliation. */
export async function runAffiliations(session: Session, io: CliIO, command: Of<'affiliations'>): Promise<number> {
  const wanted: readonly Affiliation[] = command.affiliation ? [command.affiliation] : LISTED_AFFILIATIONS;
  const rows: Array<{ jid: string; affiliation: string; nick?: string; reason?: string }> = [];
  for (const affiliation of wanted) {
    for (const entity of await getAffiliated(session.connection, command.room, affiliation, requestOptions(session, io))) {
      rows.push({
        jid: entity.jid.toString(),
        affiliation,
        ...(entity.nick === undefined ? {} : { nick: entity.nick }),
        ...(entity.reason === undefined ? {} : { reason: entity.reason }),
      });
    }
  }
  if (command.json) for (const row of rows) io.out(JSON.stringify({ room: command.room.toString(), ...row }));
  else
    for (const line of table(
      ['JID', 'AFFILIATION', 'NICK', 'REASON'],
      rows.map((r) => [r.jid, r.affiliation, r.nick ?? '-', r.reason ?? '']),
    ))
      io.out(line);
  return 0;
}

/** `xmuc affiliations ROOM --set JID=AFFILIATION ...`: one `setAffiliations` call. */
export async function runSetAffiliations(session: Session, io: CliIO, command: Of<'set-affiliations'>): Promise<number> {
  const changes = command.changes.map((c) => ({ jid: c.jid, affiliation: c.affiliation, reason: command.reason }));
  await setAffiliations(session.connection, command.room, changes, requestOptions(session, io));
  for (const c of command.changes) io.err(`xmuc: ${c.jid.toString()} is now ${c.affiliation} in ${command.room.toString()}`);
  return 0;
}

/** `xmuc roles ROOM [ROLE]`: the occupants with each (or one) role, asked from inside the room. */
export async function runRoles(session: Session, io: CliIO, command: Of<'roles'>): Promise<number> {
  const wanted = command.role ? [command.role] : (['moderator', 'participant', 'visitor'] as const);
  const rows = await asOccupant(session, io, command.room, command.nick, async (room) => {
    const found: Array<{ nick: string; role: string; affiliation?: string; jid?: string; self: boolean }> = [];
    for (const role of wanted) {
      for (const holder of await getRoles(session.connection, command.room, role, requestOptions(session, io))) {
        found.push({
          nick: holder.nick,
          role,
          ...(holder.affiliation === undefined ? {} : { affiliation: holder.affiliation }),
          ...(holder.jid === undefined ? {} : { jid: holder.jid.toString() }),
          self: holder.nick === room.me?.nick,
        });
      }
    }
    return found;
  });
  if (command.json) for (const row of rows) io.out(JSON.stringify({ room: command.room.toString(), ...row }));
  else
    for (const line of table(
      ['NICK', 'ROLE', 'AFFILIATION', 'JID'],
      rows.map((r) => [r.self ? `${r.nick} (you)` : r.nick, r.role, r.affiliation ?? '?', r.jid ?? '-']),
    ))
      io.out(line);
  return 0;
}

/** `xmuc kick ROOM NICK`: role `none`, from inside the room. */
export async function runKick(session: Session, io: CliIO, command: Of<'kick'>): Promise<number> {
  await asOccupant(session, io, command.room, command.nick, () =>
    setRoles(
      session.connection,
      command.room,
      [{ nick: command.target, role: 'none', reason: command.reason }],
      requestOptions(session, io),
    ),
  );
  io.err(`xmuc: kicked ${command.target} from ${command.room.toString()}`);
  return 0;
}

/** `xmuc ban ROOM JID`: affiliation `outcast`. */
export async function runBan(session: Session, io: CliIO, command: Of<'ban'>): Promise<number> {
  await setAffiliations(
    session.connection,
    command.room,
    [{ jid: command.jid, affiliation: 'outcast', reason: command.reason }],
    requestOptions(session, io),
  );
  io.err(`xmuc: banned ${command.jid.toString()} from ${command.room.toString()}`);
  return 0;
}

/**
 * `xmuc invite ROOM JID`: a mediated invitation through the room (sent from inside it; a
 * refusal is reported with exit status 1), or a direct one
 * (XEP-0249) with `--direct`.
 */
export async function runInvite(session: Session, io: CliIO, command: Of<'invite'>): Promise<number> {
  const { connection } = session;
  if (command.direct) {
    await connection.send(directInviteMessage(command.invitee, command.room, { reason: command.reason }));
    io.err(`xmuc: invited ${command.invitee.toString()} to ${command.room.toString()} (direct)`);
    return 0;
  }
  let refusal: StanzaError | undefined;
  await asOccupant(session, io, command.room, command.nick, async (room) => {
    // The room claims error replies from itself: a refused invitation is a `messageError`,
    // which arrives before the room confirms our leave.
    room.on('messageError', ({ error }) => {
      refusal = error;
    });
    await connection.send(mediatedInviteMessage(command.room, command.invitee, { reason: command.reason }));
  });
  if (refusal) throw refusal;
  io.err(`xmuc: invited ${command.invitee.toString()} to ${command.room.toString()}`);
  return 0;
}

/** `xmuc destroy ROOM [--reason R] [--venue ROOM]`. */
export async function runDestroy(session: Session, io: CliIO, command: Of<'destroy'>): Promise<number> {
  await destroyRoom(session.connection, command.room, {
    reason: command.reason,
    alternateVenue: command.venue,
    ...requestOptions(session, io),
  });
  io.err(`xmuc: destroyed ${command.room.toString()}`);
  return 0;
}

/** `xmuc register ROOM NICK`: reserve a nick (with the room on Prosody, its service on ejabberd). */
export async function runRegister(session: Session, io: CliIO, command: Of<'register'>): Promise<number> {
  await registerNick(session.connection, command.room, command.registerNick, undefined, requestOptions(session, io));
  io.err(`xmuc: registered ${command.registerNick} with ${command.room.toString()}`);
  return 0;
}

/** Aligned columns; the last column is not padded. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  return all.map((row) =>
    row
      .map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd(),
  );
}
