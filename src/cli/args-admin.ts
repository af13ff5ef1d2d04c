/**
 * Command-line parsing of the room administration commands of `xmuc` (`rooms`, `info`,
 * `config`, `affiliations`, `roles`, `kick`, `ban`, `invite`, `destroy`, `register`): their
 * positional arguments and options, validated before anything is sent. Pure.
 */
import { AFFILIATIONS, type Affiliation, JID, ROLES, type Role, prepareNickname } from '../index.js';
import { UsageError } from './usage-error.js';

/** The room administration commands. */
export type AdminCommand =
  | { name: 'rooms'; service: JID; max: number | undefined; after: string | undefined; json: boolean }
  | { name: 'info'; room: JID; json: boolean }
  | { name: 'config'; action: 'get'; room: JID; json: boolean }
  | { name: 'config'; action: 'set'; room: JID; settings: Array<[string, string]>; json: boolean }
  | { name: 'affiliations'; room: JID; affiliation: Affiliation | undefined; json: boolean }
  | { name: 'set-affiliations'; room: JID; changes: Array<{ jid: JID; affiliation: Affiliation }>; reason: string | undefined }
  | { name: 'roles'; room: JID; role: Role | undefined; nick: string | undefined; json: boolean }
  | { name: 'kick'; room: JID; target: string; reason: string | undefined; nick: string | undefined }
  | { name: 'ban'; room: JID; jid: JID; reason: string | undefined }
  | { name: 'invite'; room: JID; invitee: JID; reason: string | undefined; direct: boolean; nick: string | undefined }
  | { name: 'destroy'; room: JID; reason: string | undefined; venue: JID | undefined }
  | { name: 'register'; room: JID; registerNick: string };

/** The names a user types (`set-affiliations` is `affiliations --set`). */
export const ADMIN_COMMANDS = ['rooms', 'info', 'config', 'affiliations', 'roles', 'kick', 'ban', 'invite', 'destroy', 'register'] as const;

/** Name typed on the command line. */
export type AdminCommandName = (typeof ADMIN_COMMANDS)[number];

/** The options of the admin commands (merged into the parser's option table). */
export const ADMIN_OPTIONS = {
  reason: { type: 'string' },
  direct: { type: 'boolean' },
  venue: { type: 'string' },
  set: { type: 'boolean' },
  max: { type: 'string' },
  after: { type: 'string' },
} as const;

/** The command options each admin command accepts. */
export const ADMIN_COMMAND_OPTIONS: Record<AdminCommandName, readonly string[]> = {
  rooms: ['max', 'after', 'json'],
  info: ['json'],
  config: ['json'],
  affiliations: ['json', 'set', 'reason'],
  roles: ['json', 'nick'],
  kick: ['reason', 'nick'],
  ban: ['reason'],
  invite: ['reason', 'direct', 'nick'],
  destroy: ['reason', 'venue'],
  register: [],
};

/** Synopsis of each admin command, for arity errors. */
const SYNOPSIS: Record<AdminCommandName, string> = {
  rooms: '<service>',
  info: '<room>',
  config: 'get <room> | set <room> key=value ...',
  affiliations: '<room> [owner|admin|member|outcast] | <room> --set JID=AFFILIATION ...',
  roles: '<room> [moderator|participant|visitor]',
  kick: '<room> <nick>',
  ban: '<room> <jid>',
  invite: '<room> <jid>',
  destroy: '<room>',
  register: '<room> <nick>',
};

/**
 * Short names of the configuration fields `config set` takes, to the property of the typed
 * `ConfigurationForm` (the property names themselves are accepted too).
 */
export const CONFIG_SHORT_NAMES: Readonly<Record<string, string>> = {
  name: 'roomname',
  description: 'roomdesc',
  moderated: 'moderatedroom',
  membersonly: 'membersonly',
  maxusers: 'maxusers',
  password: 'roomsecret',
  persistent: 'persistentroom',
  public: 'publicroom',
  whois: 'whois',
  allowinvites: 'allowinvites',
  allowpm: 'allowpm',
  changesubject: 'changesubject',
  logging: 'enablelogging',
  lang: 'lang',
};

interface AdminValues {
  json?: boolean | undefined;
  nick?: string | undefined;
  reason?: string | undefined;
  direct?: boolean | undefined;
  venue?: string | undefined;
  set?: boolean | undefined;
  max?: string | undefined;
  after?: string | undefined;
}

function arity(name: AdminCommandName, args: readonly string[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    throw new UsageError(`xmuc ${name} takes ${SYNOPSIS[name]} (got ${args.length} argument${args.length === 1 ? '' : 's'})`);
  }
}

/** A bare room JID `room@service`, or `UsageError`. */
export function roomJidArg(value: string): JID {
  const jid = JID.tryParse(value);
  if (!jid || jid.local === undefined || !jid.isBare)
    throw new UsageError(`A room must be a bare JID room@service, got ${JSON.stringify(value)}`);
  return jid;
}

function jidArg(what: string, value: string, bare: boolean): JID {
  const jid = JID.tryParse(value);
  if (!jid || (bare && !jid.isBare))
    throw new UsageError(`Malformed ${what}: ${JSON.stringify(value)}${bare ? ' (a bare JID user@domain)' : ''}`);
  return jid;
}

function nickValue(what: string, value: string): string {
  try {
    return prepareNickname(value);
  } catch {
    throw new UsageError(`Malformed ${what}: ${JSON.stringify(value)}`);
  }
}

function affiliationArg(value: string, allowNone: boolean): Affiliation {
  const known = (AFFILIATIONS as readonly string[]).filter((a) => allowNone || a !== 'none');
  if (!known.includes(value)) throw new UsageError(`Unknown affiliation ${JSON.stringify(value)} (one of ${known.join(', ')})`);
  return value as Affiliation;
}

function roleArg(value: string): Role {
  const known = (ROLES as readonly string[]).filter((r) => r !== 'none');
  if (!known.includes(value)) throw new UsageError(`Unknown role ${JSON.stringify(value)} (one of ${known.join(', ')})`);
  return value as Role;
}

function pair(value: string, what: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`Expected ${what}, got ${JSON.stringify(value)}`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`--${flag} needs an integer >= 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Parse the positional arguments and options of an admin command. Throws {@link UsageError}. */
export function adminCommandOf(name: AdminCommandName, args: readonly string[], values: AdminValues): AdminCommand {
  const json = values.json ?? false;
  const nick = values.nick === undefined ? undefined : nickValue('nick', values.nick);
  const { reason } = values;
  const [a = '', b = ''] = args;
  switch (name) {
    case 'rooms': {
      arity(name, args, 1, 1);
      const service = jidArg('service JID', a, true);
      if (service.local !== undefined) throw new UsageError(`A MUC service is a domain (conference.example.org), got ${JSON.stringify(a)}`);
      return { name, service, max: positiveInt('max', values.max), after: values.after, json };
    }
    case 'info':
      arity(name, args, 1, 1);
      return { name, room: roomJidArg(a), json };
    case 'config': {
      if (a === 'get') {
        arity(name, args, 2, 2);
        return { name, action: 'get', room: roomJidArg(b), json };
      }
      if (a === 'set') {
        arity(name, args, 3, Number.POSITIVE_INFINITY);
        return { name, action: 'set', room: roomJidArg(b), settings: args.slice(2).map((s) => pair(s, 'key=value')), json };
      }
      throw new UsageError(`xmuc config takes ${SYNOPSIS.config}`);
    }
    case 'affiliations': {
      const room = roomJidArg(a);
      if (values.set) {
        arity(name, args, 2, Number.POSITIVE_INFINITY);
        const changes = args.slice(1).map((s) => {
          const [jid, affiliation] = pair(s, 'JID=AFFILIATION');
          return { jid: jidArg('JID', jid, true), affiliation: affiliationArg(affiliation, true) };
        });
        return { name: 'set-affiliations', room, changes, reason };
      }
      if (reason !== undefined) throw new UsageError('--reason goes with affiliations --set');
      arity(name, args, 1, 2);
      return { name, room, affiliation: args.length === 2 ? affiliationArg(b, false) : undefined, json };
    }
    case 'roles':
      arity(name, args, 1, 2);
      return { name, room: roomJidArg(a), role: args.length === 2 ? roleArg(b) : undefined, nick, json };
    case 'kick':
      arity(name, args, 2, 2);
      return { name, room: roomJidArg(a), target: nickValue('nick', b), reason, nick };
    case 'ban':
      arity(name, args, 2, 2);
      return { name, room: roomJidArg(a), jid: jidArg('JID', b, true), reason };
    case 'invite':
      arity(name, args, 2, 2);
      return { name, room: roomJidArg(a), invitee: jidArg('JID', b, false), reason, direct: values.direct ?? false, nick };
    case 'destroy':
      arity(name, args, 1, 1);
      return { name, room: roomJidArg(a), reason, venue: values.venue === undefined ? undefined : roomJidArg(values.venue) };
    case 'register':
      arity(name, args, 2, 2);
      return { name, room: roomJidArg(a), registerNick: nickValue('nick', b) };
  }
}
