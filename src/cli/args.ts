/**
 * Command-line parsing of the `xmuc` command (`node:util` `parseArgs`): the command, its
 * arguments and the connection flags, validated up front so that bad input never reaches
 * the network. Everything here is pure; reading the password file is {@link loadPassword}.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { JID, RoomPosition, prepareNickname } from '../index.js';
import {
  ADMIN_COMMANDS,
  ADMIN_COMMAND_OPTIONS,
  ADMIN_OPTIONS,
  type AdminCommand,
  type AdminCommandName,
  adminCommandOf,
} from './args-admin.js';
import { UsageError } from './usage-error.js';

export { UsageError } from './usage-error.js';

/** Default bound of every single wait (connect, join, delivery, leave, query), in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The connection to open, from the connection flags and the environment. */
export interface ConnectionConfig {
  /** The account JID (`user@domain`, optionally `/resource`); with `anonymous`, a domain is enough. */
  jid: JID;
  /** The password, from `XMUC_PASSWORD` (when `passwordFile` is not given). */
  password: string | undefined;
  /** `--password-file`: read by {@link loadPassword}. */
  passwordFile: string | undefined;
  /** `--service`: `xmpp://host:port`, `xmpps://host:port`, `ws://…` or `wss://…`. */
  service: string | undefined;
  /** `--insecure-plaintext`: allow an unencrypted stream and PLAIN over it (loopback test servers). */
  insecurePlaintext: boolean;
  /** `--anonymous`: SASL ANONYMOUS on the JID's domain. */
  anonymous: boolean;
  /** `--timeout`: bound of every single wait, in ms. */
  timeoutMs: number;
  /** `--verbose`: log to stderr. */
  verbose: boolean;
  /** `--transport`: xmuc's native connection (default) or `@xmpp/client`. */
  transport: 'native' | 'xmppjs';
}

/** A parsed command with its own arguments. */
export type Command =
  | AdminCommand
  | { name: 'send'; room: JID; text: string; nick: string | undefined }
  | {
      name: 'tail';
      room: JID;
      nick: string | undefined;
      history: number | undefined;
      json: boolean;
      /** `--since`: a position (`RoomPosition` string form) or a time to catch up from. */
      since: RoomPosition | Date | undefined;
    }
  | { name: 'chat'; room: JID; nick: string | undefined; history: number | undefined; json: boolean }
  | { name: 'occupants'; room: JID; nick: string | undefined; json: boolean }
  | { name: 'disco'; jid: JID; node: string | undefined; json: boolean };

/** What {@link parseCli} returns: help, or a command with its connection. */
export type ParsedCli = { help: true } | { help: false; command: Command; connection: ConnectionConfig };

/** The usage text. */
export const USAGE = `Usage: xmuc <command> [arguments] [options]

Commands:
  send <room> <text>     join, send a message, wait until the room reflects it, leave
  tail <room>            print room events until Ctrl-C; --since POSITION|TIME first
                         catches up from the room's archive (--json lines carry position)
  chat <room>            tail, and send every line of stdin (/nick NEW, /topic TEXT,
                         /msg NICK TEXT, /me ACTION, /quit; //text sends "/text")
  occupants <room>       print the occupants (nick, role, affiliation, real JID)
  disco <jid>            print the service discovery info of <jid>

Room administration:
  rooms <service>        list the rooms (name, occupants, features); --max N, --after CURSOR
  info <room>            the room's features and muc#roominfo
  config get <room>      the room configuration (short names: name, description,
  config set <room> key=value ...   moderated, membersonly, maxusers, password, ...)
  affiliations <room> [owner|admin|member|outcast]
  affiliations <room> --set JID=AFFILIATION ...   (one batch; --reason)
  roles <room> [moderator|participant|visitor]
  kick <room> <nick>     [--reason R]
  ban <room> <jid>       [--reason R]
  invite <room> <jid>    [--reason R] [--direct] (XEP-0249; default: through the room)
  destroy <room>         [--reason R] [--venue ROOM]
  register <room> <nick> reserve a nick with the room (or its service)

Command options:
  --nick N               nick in the room (default: the JID's localpart)
  --history N            tail/chat: ask for the last N messages on join
  --since POSITION|TIME  tail: catch up after a position printed by tail --json, or
                         since an ISO 8601 time (2026-12-07T04:00:00Z)
  --json                 one JSON object per line on stdout (every command printing data)
  --node NODE            disco: query this node

Connection options (every command):
  --jid JID              account JID (default: $XMUC_JID); with --anonymous, a domain
  --password-file FILE   read the password from FILE (default: $XMUC_PASSWORD).
                         There is no --password flag: it would show in ps(1).
  --service URL          xmpp://host:port (STARTTLS), xmpps://host:port (TLS),
                         ws://… or wss://… (default: xmpp://<domain>:5222)
  --insecure-plaintext   allow an unencrypted stream and PLAIN over it (loopback tests)
  --anonymous            log in with SASL ANONYMOUS
  --timeout MS           bound of every wait (default ${DEFAULT_TIMEOUT_MS})
  --transport T          native (default) or xmppjs (needs the @xmpp/client package)
  --verbose              log protocol events to stderr
  -h, --help             print this help

Exit status: 0 success, 1 failure, 2 bad usage, 130 interrupted.`;

const OPTIONS = {
  jid: { type: 'string' },
  'password-file': { type: 'string' },
  service: { type: 'string' },
  'insecure-plaintext': { type: 'boolean' },
  anonymous: { type: 'boolean' },
  timeout: { type: 'string' },
  transport: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  nick: { type: 'string' },
  history: { type: 'string' },
  since: { type: 'string' },
  json: { type: 'boolean' },
  node: { type: 'string' },
  ...ADMIN_OPTIONS,
} as const;

/** The command options each command accepts (the connection options are accepted by all). */
const COMMAND_OPTIONS: Record<BasicName | AdminCommandName, readonly string[]> = {
  ...ADMIN_COMMAND_OPTIONS,
  send: ['nick'],
  tail: ['nick', 'history', 'json', 'since'],
  chat: ['nick', 'history', 'json'],
  occupants: ['nick', 'json'],
  disco: ['node', 'json'],
};

type BasicName = 'send' | 'tail' | 'chat' | 'occupants' | 'disco';

const ARITY: Record<BasicName, readonly string[]> = {
  send: ['room', 'text'],
  tail: ['room'],
  chat: ['room'],
  occupants: ['room'],
  disco: ['jid'],
};

const SCHEMES = new Set(['xmpp:', 'xmpps:', 'ws:', 'wss:']);

function isCommand(name: string): name is BasicName {
  return Object.hasOwn(ARITY, name);
}

function isAdminCommand(name: string): name is AdminCommandName {
  return (ADMIN_COMMANDS as readonly string[]).includes(name);
}

function integer(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} needs an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function parseJidArg(what: string, value: string): JID {
  const jid = JID.tryParse(value);
  if (!jid) throw new UsageError(`Malformed ${what}: ${JSON.stringify(value)}`);
  return jid;
}

function roomArg(value: string): JID {
  const jid = parseJidArg('room JID', value);
  if (jid.local === undefined || !jid.isBare) throw new UsageError(`A room must be a bare JID room@service, got ${JSON.stringify(value)}`);
  return jid;
}

function nickArg(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return prepareNickname(value);
  } catch {
    throw new UsageError(`Malformed nick: ${JSON.stringify(value)}`);
  }
}

/** `--since`: a position (it has an `@`) or an ISO 8601 date-time. */
function sinceArg(value: string | undefined): RoomPosition | Date | undefined {
  if (value === undefined) return undefined;
  try {
    if (value.includes('@')) return RoomPosition.parse(value);
    const at = RoomPosition.parse(`@${value}`).at;
    if (at !== undefined) return at;
  } catch {
    // reported below
  }
  throw new UsageError(
    `--since needs a position printed by tail --json or an ISO 8601 time (2026-12-07T04:00:00Z), got ${JSON.stringify(value)}`,
  );
}

function serviceArg(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`Malformed --service URL: ${JSON.stringify(value)}`);
  }
  if (!SCHEMES.has(url.protocol))
    throw new UsageError(`--service must be xmpp://, xmpps://, ws:// or wss://, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Parse the arguments after the program name (`process.argv.slice(2)`) with the environment
 * (`XMUC_JID`, `XMUC_PASSWORD`). Throws {@link UsageError} for anything malformed, missing or
 * unknown, including a `--password` flag (a password on the command line leaks into `ps`).
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCli {
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError('There is no --password flag (it would show in ps): set XMUC_PASSWORD or use --password-file FILE');
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [name, ...args] = positionals;
  if (name === undefined) throw new UsageError('No command given');
  if (isAdminCommand(name)) {
    checkOptions(name, values);
    return { help: false, command: adminCommandOf(name, args, values), connection: connectionOf(values, env) };
  }
  if (!isCommand(name)) throw new UsageError(`Unknown command ${JSON.stringify(name)}`);
  const expected = ARITY[name];
  if (args.length !== expected.length) {
    throw new UsageError(
      `xmuc ${name} takes ${expected.map((a) => `<${a}>`).join(' ')} (got ${args.length} argument${args.length === 1 ? '' : 's'}; quote a text with spaces)`,
    );
  }
  checkOptions(name, values);
  return { help: false, command: commandOf(name, args, values), connection: connectionOf(values, env) };
}

function checkOptions(name: BasicName | AdminCommandName, values: Values): void {
  for (const key of Object.keys(values)) {
    if (key in COMMAND_OPTION_NAMES && !COMMAND_OPTIONS[name].includes(key)) {
      throw new UsageError(`xmuc ${name} does not take --${key}`);
    }
  }
}

const COMMAND_OPTION_NAMES: Record<string, true> = {
  nick: true,
  history: true,
  since: true,
  json: true,
  node: true,
  ...Object.fromEntries(Object.keys(ADMIN_OPTIONS).map((k) => [k, true])),
};

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

function commandOf(name: BasicName, args: string[], values: Values): Command {
  const [first = '', second = ''] = args;
  const nick = nickArg(values.nick);
  const json = values.json ?? false;
  const history = values.history === undefined ? undefined : integer('history', values.history, 0);
  switch (name) {
    case 'send':
      if (second === '') throw new UsageError('xmuc send needs a non-empty text');
      return { name, room: roomArg(first), text: second, nick };
    case 'tail':
      return { name, room: roomArg(first), nick, history, json, since: sinceArg(values.since) };
    case 'chat':
      return { name, room: roomArg(first), nick, history, json };
    case 'occupants':
      return { name, room: roomArg(first), nick, json };
    case 'disco':
      return { name, jid: parseJidArg('JID', first), node: values.node, json };
  }
}

function connectionOf(values: Values, env: Readonly<Record<string, string | undefined>>): ConnectionConfig {
  const anonymous = values.anonymous ?? false;
  const rawJid = values.jid ?? env.XMUC_JID;
  if (rawJid === undefined || rawJid === '') throw new UsageError('No account: give --jid JID or set XMUC_JID');
  const jid = parseJidArg('--jid', rawJid);
  if (!anonymous && jid.local === undefined)
    throw new UsageError(`--jid needs user@domain (or use --anonymous), got ${JSON.stringify(rawJid)}`);
  const passwordFile = values['password-file'];
  const password = env.XMUC_PASSWORD;
  if (!anonymous && passwordFile === undefined && (password === undefined || password === '')) {
    throw new UsageError('No password: set XMUC_PASSWORD or use --password-file FILE (or --anonymous)');
  }
  const transport = values.transport ?? 'native';
  if (transport !== 'native' && transport !== 'xmppjs')
    throw new UsageError(`--transport must be native or xmppjs, got ${JSON.stringify(transport)}`);
  return {
    jid,
    password: anonymous ? undefined : password,
    passwordFile: anonymous ? undefined : passwordFile,
    service: serviceArg(values.service),
    insecurePlaintext: values['insecure-plaintext'] ?? false,
    anonymous,
    timeoutMs: values.timeout === undefined ? DEFAULT_TIMEOUT_MS : integer('timeout', values.timeout, 1),
    verbose: values.verbose ?? false,
    transport,
  };
}

/**
 * The password to log in with: the first line of `--password-file` (a trailing newline is
 * not part of it), else `XMUC_PASSWORD`; `undefined` for `--anonymous`. Throws
 * {@link UsageError} when the file cannot be read or is empty.
 */
export async function loadPassword(
  config: ConnectionConfig,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<string | undefined> {
  if (config.anonymous) return undefined;
  if (config.passwordFile === undefined) return config.password;
  let text: string;
  try {
    text = await read(config.passwordFile);
  } catch (error) {
    throw new UsageError(`Cannot read --password-file ${config.passwordFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const password = text.replace(/\r?\n[\s\S]*$/, '');
  if (password === '') throw new UsageError(`--password-file ${config.passwordFile} is empty`);
  return password;
}
