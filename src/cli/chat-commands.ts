/**
 * The moderator and information commands of `xmuc chat`: `/kick`, `/ban`, `/role`,
 * `/affiliation`, `/voice`, `/invite`, `/config`, `/who`, `/help`. Parsing is pure; running
 * them uses the library's muc#admin / muc#owner functions from inside the joined room.
 */
import {
  type Affiliation,
  JID,
  type Role,
  type Room,
  type RoleRequest,
  directInviteMessage,
  getRoomConfig,
  mediatedInviteMessage,
  setAffiliations,
  setRoles,
  setRoomConfig,
} from '../index.js';
import { formatOccupants, occupantRow } from './format.js';
import { applySetting } from './rooms.js';
import type { CliIO, Session } from './session.js';

/** A moderator or information command typed in `chat`. */
export type ModeratorInput =
  | { kind: 'kick'; nick: string; reason: string | undefined }
  | { kind: 'ban'; target: string; reason: string | undefined }
  | { kind: 'role'; nick: string; role: Role; reason: string | undefined }
  | { kind: 'affiliation'; target: string; affiliation: Affiliation; reason: string | undefined }
  | { kind: 'voice'; action: 'request' }
  | { kind: 'voice'; action: 'approve' | 'deny'; nick: string }
  | { kind: 'invite'; jid: string; reason: string | undefined; direct: boolean }
  | { kind: 'config'; settings: Array<[string, string]> }
  | { kind: 'who' }
  | { kind: 'help' };

/** The help text of `/help`. */
export const CHAT_HELP = [
  'text                   send text (//text sends "/text"; /me ACTION)',
  '/nick NEW              change nick          /topic [TEXT]   set (or clear) the topic',
  '/msg NICK TEXT         private message      /who            list the occupants',
  '/kick NICK [REASON]    kick                 /ban NICK|JID [REASON]   ban',
  '/role NICK ROLE [REASON]                    moderator, participant, visitor, none',
  '/affiliation NICK|JID AFFILIATION [REASON]  owner, admin, member, outcast, none',
  '/voice                 ask for voice        /voice approve|deny NICK  answer a request',
  '/invite JID [REASON]   invite through the room (/invite --direct JID: XEP-0249)',
  '/config [key=value ...]  show or change the configuration (name, moderated, ...)',
  '/leave, /quit          leave the room and exit',
];

const ROLE_WORDS = ['moderator', 'participant', 'visitor', 'none'];
const AFFILIATION_WORDS = ['owner', 'admin', 'member', 'outcast', 'none'];

/** Split `rest` into its first `n` words and the remaining text (the reason). */
function words(rest: string, n: number): { args: string[]; tail: string | undefined } {
  const args: string[] = [];
  let remaining = rest.trim();
  for (let i = 0; i < n; i++) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(remaining);
    if (!m?.[1]) break;
    args.push(m[1]);
    remaining = m[2] ?? '';
  }
  return { args, tail: remaining.trim() === '' ? undefined : remaining.trim() };
}

/** Parse a moderator command (`name` without the slash); `undefined` when `name` is not one; a string is a usage error. */
export function parseModeratorCommand(name: string, rest: string): ModeratorInput | string | undefined {
  switch (name) {
    case 'kick': {
      const { args, tail } = words(rest, 1);
      return args[0] ? { kind: 'kick', nick: args[0], reason: tail } : 'usage: /kick NICK [REASON]';
    }
    case 'ban': {
      const { args, tail } = words(rest, 1);
      return args[0] ? { kind: 'ban', target: args[0], reason: tail } : 'usage: /ban NICK|JID [REASON]';
    }
    case 'role': {
      const { args, tail } = words(rest, 2);
      if (!args[0] || !args[1] || !ROLE_WORDS.includes(args[1])) return `usage: /role NICK ${ROLE_WORDS.join('|')} [REASON]`;
      return { kind: 'role', nick: args[0], role: args[1] as Role, reason: tail };
    }
    case 'affiliation': {
      const { args, tail } = words(rest, 2);
      if (!args[0] || !args[1] || !AFFILIATION_WORDS.includes(args[1]))
        return `usage: /affiliation NICK|JID ${AFFILIATION_WORDS.join('|')} [REASON]`;
      return { kind: 'affiliation', target: args[0], affiliation: args[1] as Affiliation, reason: tail };
    }
    case 'voice': {
      const { args } = words(rest, 2);
      if (args.length === 0) return { kind: 'voice', action: 'request' };
      if ((args[0] === 'approve' || args[0] === 'deny') && args[1]) return { kind: 'voice', action: args[0], nick: args[1] };
      return 'usage: /voice (ask for voice) or /voice approve|deny NICK';
    }
    case 'invite': {
      const direct = /^--direct(\s|$)/.test(rest.trim());
      const { args, tail } = words(direct ? rest.trim().slice('--direct'.length) : rest, 1);
      return args[0] ? { kind: 'invite', jid: args[0], reason: tail, direct } : 'usage: /invite [--direct] JID [REASON]';
    }
    case 'config': {
      const settings: Array<[string, string]> = [];
      for (const part of rest.trim() === '' ? [] : rest.trim().split(/\s+/)) {
        const eq = part.indexOf('=');
        if (eq <= 0) return 'usage: /config [key=value ...] (values without spaces)';
        settings.push([part.slice(0, eq), part.slice(eq + 1)]);
      }
      return { kind: 'config', settings };
    }
    case 'who':
      return { kind: 'who' };
    case 'help':
      return { kind: 'help' };
    default:
      return undefined;
  }
}

/** Voice requests relayed to us as moderator (the room's `roleRequest`), by the requester's nick (latest wins). */
export class VoiceRequests {
  readonly #pending = new Map<string, RoleRequest>();

  /** Record the voice requests `room` relays; returns the unsubscribe function. */
  watch(_session: Session, io: CliIO, room: Room): () => void {
    return room.on('roleRequest', (request) => {
      const nick = request.nick ?? '?';
      this.#pending.set(nick, request);
      io.err(`xmuc: ${nick} asks for voice (/voice approve ${nick} or /voice deny ${nick})`);
    });
  }

  /** Take the pending request of `nick`. */
  take(nick: string): RoleRequest | undefined {
    const request = this.#pending.get(nick);
    this.#pending.delete(nick);
    return request;
  }
}

/** A nick of the room's occupant list to its bare real JID, or `text` itself parsed as a JID. */
function targetJid(room: Room, text: string): JID | string {
  const occupant = room.getOccupant(text);
  if (occupant) {
    const jid = occupant.directJid?.bare();
    if (!jid) return `the room does not show ${text}'s real JID: give the JID`;
    return jid;
  }
  const jid = JID.tryParse(text);
  return jid && text.includes('@') ? jid.bare() : `no occupant ${text} in the room, and not a JID`;
}

/** Carry out a moderator command; errors propagate (the chat loop reports them). */
export async function runModeratorCommand(
  session: Session,
  io: CliIO,
  room: Room,
  input: ModeratorInput,
  voice: VoiceRequests,
): Promise<void> {
  const options = { timeoutMs: session.config.timeoutMs, signal: io.signal, logger: session.logger };
  const conn = session.connection;
  switch (input.kind) {
    case 'kick':
      await setRoles(conn, room.jid, [{ nick: input.nick, role: 'none', reason: input.reason }], options);
      return;
    case 'role':
      await setRoles(conn, room.jid, [{ nick: input.nick, role: input.role, reason: input.reason }], options);
      return;
    case 'ban':
    case 'affiliation': {
      const jid = targetJid(room, input.target);
      if (typeof jid === 'string') {
        io.err(`xmuc: ${jid}`);
        return;
      }
      const affiliation = input.kind === 'ban' ? 'outcast' : input.affiliation;
      await setAffiliations(conn, room.jid, [{ jid, affiliation, reason: input.reason }], options);
      io.err(`xmuc: ${jid.toString()} is now ${affiliation}`);
      return;
    }
    case 'voice': {
      if (input.action === 'request') {
        await room.requestVoice();
        io.err('xmuc: voice requested');
        return;
      }
      const request = voice.take(input.nick);
      if (!request) {
        io.err(`xmuc: no pending voice request from ${input.nick}`);
        return;
      }
      await (input.action === 'approve' ? request.approve() : request.deny());
      io.err(`xmuc: voice ${input.action === 'approve' ? 'granted to' : 'denied to'} ${input.nick}`);
      return;
    }
    case 'invite': {
      const invitee = JID.tryParse(input.jid);
      if (!invitee) {
        io.err(`xmuc: malformed JID ${JSON.stringify(input.jid)}`);
        return;
      }
      await conn.send(
        input.direct
          ? directInviteMessage(invitee, room.jid, { reason: input.reason })
          : mediatedInviteMessage(room.jid, invitee, { reason: input.reason }),
      );
      io.err(`xmuc: invited ${invitee.toString()}${input.direct ? ' (direct)' : ''}`);
      return;
    }
    case 'config': {
      const config = await getRoomConfig(conn, room.jid, options);
      if (input.settings.length === 0) {
        for (const f of config.form.fields)
          if (f.var && f.var !== 'FORM_TYPE' && f.type !== 'fixed') io.err(`  ${f.var} = ${f.values.join(',')}`);
        return;
      }
      for (const [key, value] of input.settings) applySetting(config, key, value);
      await setRoomConfig(conn, room.jid, config, options);
      io.err('xmuc: configuration changed');
      return;
    }
    case 'who':
      for (const line of formatOccupants(room.members.map(occupantRow))) io.err(line);
      return;
    case 'help':
      for (const line of CHAT_HELP) io.err(line);
      return;
  }
}
