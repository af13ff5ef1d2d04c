/**
 * The room discovery and configuration commands: `rooms SERVICE` (the service's listing,
 * page by page, with each room's name, occupants and features), `info ROOM` (features and
 * `muc#roominfo`), `config get ROOM` and `config set ROOM key=value ...` (the typed
 * `ConfigurationForm`, by short field names). None of them joins the room.
 */
import { type ConfigurationFormInstance, type RoomInfo, getRoomConfig, getRoomInfo, listRooms, setRoomConfig } from '../index.js';
import { table } from './admin.js';
import { type AdminCommand, CONFIG_SHORT_NAMES } from './args-admin.js';
import { describeError } from './format.js';
import { progress } from './progress.js';
import type { CliIO, Session } from './session.js';
import { UsageError } from './usage-error.js';

type Of<N extends AdminCommand['name']> = Extract<AdminCommand, { name: N }>;

/** Rooms asked per page of `rooms`. */
export const ROOMS_PAGE_SIZE = 50;
/** How many room info queries `rooms` keeps in flight. */
const INFO_CONCURRENCY = 8;

function requestOptions(session: Session, io: CliIO) {
  return { timeoutMs: session.config.timeoutMs, signal: io.signal, logger: session.logger };
}

/** The advertised `muc_*` features of a room, without the prefix, sorted. */
function mucFeatures(info: RoomInfo): string[] {
  return [...info.featureSet]
    .filter((f) => f.startsWith('muc_'))
    .map((f) => f.slice(4))
    .sort();
}

function occupantsOf(info: RoomInfo | undefined): number | undefined {
  const raw = info?.info?.occupants;
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * `xmuc rooms SERVICE [--max N] [--after CURSOR]`: every room of the listing (pages of
 * {@link ROOMS_PAGE_SIZE}), each with its disco#info; `--max` stops after N rooms and says
 * on stderr how to go on. A room whose info cannot be read is listed without it.
 */
export async function runRooms(session: Session, io: CliIO, command: Of<'rooms'>): Promise<number> {
  const bar = progress(io, `listing ${command.service.toString()}`);
  let after = command.after;
  let listed = 0;
  const rows: string[][] = [];
  try {
    for (;;) {
      const max = command.max === undefined ? ROOMS_PAGE_SIZE : Math.min(ROOMS_PAGE_SIZE, command.max - listed);
      const page = await listRooms(session.connection, command.service, { after, max, ...requestOptions(session, io) });
      const rooms = command.max === undefined ? page.rooms : page.rooms.slice(0, command.max - listed);
      const infos = await mapLimited(rooms, INFO_CONCURRENCY, (r) =>
        getRoomInfo(session.connection, r.jid, requestOptions(session, io)).catch((e: unknown) => e as Error),
      );
      rooms.forEach((listing, i) => {
        const result = infos[i];
        const info = result instanceof Error ? undefined : result;
        const name = info?.name ?? listing.name;
        const occupants = occupantsOf(info);
        const features = info ? mucFeatures(info) : [];
        if (command.json) {
          io.out(
            JSON.stringify({
              jid: listing.jid.toString(),
              ...(name === undefined ? {} : { name }),
              ...(occupants === undefined ? {} : { occupants }),
              features,
              ...(result instanceof Error ? { error: describeError(result) } : {}),
            }),
          );
        } else
          rows.push([
            listing.jid.toString(),
            name ?? '-',
            occupants === undefined ? '?' : String(occupants),
            info ? features.join(',') : describeError(result),
          ]);
      });
      listed += rooms.length;
      bar.update(listed, page.count);
      after = page.next;
      if (after === undefined || page.rooms.length === 0) break;
      if (command.max !== undefined && listed >= command.max) {
        bar.done();
        io.err(`xmuc: more rooms: --after ${after}`);
        break;
      }
    }
  } finally {
    bar.done();
  }
  if (!command.json) for (const line of table(['ROOM', 'NAME', 'OCCUPANTS', 'FEATURES'], rows)) io.out(line);
  return 0;
}

/** `items.map(fn)` with at most `limit` calls in flight, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `xmuc info ROOM`: identity, `muc_*` features, the other features and the `muc#roominfo` fields. */
export async function runInfo(session: Session, io: CliIO, command: Of<'info'>): Promise<number> {
  const info = await getRoomInfo(session.connection, command.room, requestOptions(session, io));
  const roominfo = info.forms.find((f) =>
    f.fields.some((x) => x.var === 'FORM_TYPE' && x.values[0] === 'http://jabber.org/protocol/muc#roominfo'),
  );
  const fields = Object.fromEntries(
    (roominfo?.fields ?? []).filter((f) => f.var !== undefined && f.var !== 'FORM_TYPE').map((f) => [f.var as string, f.values]),
  );
  if (command.json) {
    io.out(
      JSON.stringify({
        jid: info.jid.toString(),
        ...(info.name === undefined ? {} : { name: info.name }),
        features: info.features,
        featureSet: [...info.featureSet].sort(),
        roominfo: fields,
      }),
    );
    return 0;
  }
  io.out(`${info.jid.toString()}${info.name === undefined ? '' : ` "${info.name}"`}`);
  io.out(`  muc: ${mucFeatures(info).join(', ')}`);
  for (const f of [...info.featureSet].filter((x) => !x.startsWith('muc_')).sort()) io.out(`  feature ${f}`);
  for (const [name, values] of Object.entries(fields)) io.out(`  ${name}: ${values.join(', ')}`);
  return 0;
}

/** The short name of a configuration property, for printing. */
const SHORT_OF: Record<string, string> = Object.fromEntries(Object.entries(CONFIG_SHORT_NAMES).map(([short, prop]) => [prop, short]));
/** The `var` of each ConfigurationForm property (from a rendered reply, built once per form). */
const PROPERTY_OF_VAR: Record<string, string> = {
  'muc#roomconfig_allowinvites': 'allowinvites',
  'muc#roomconfig_allowpm': 'allowpm',
  'muc#roomconfig_changesubject': 'changesubject',
  'muc#roomconfig_enablelogging': 'enablelogging',
  'muc#roomconfig_getmemberlist': 'getmemberlist',
  'muc#roomconfig_lang': 'lang',
  'muc#maxhistoryfetch': 'maxhistoryfetch',
  'muc#roomconfig_maxusers': 'maxusers',
  'muc#roomconfig_membersonly': 'membersonly',
  'muc#roomconfig_moderatedroom': 'moderatedroom',
  'muc#roomconfig_passwordprotectedroom': 'passwordprotectedroom',
  'muc#roomconfig_persistentroom': 'persistentroom',
  'muc#roomconfig_presencebroadcast': 'presencebroadcast',
  'muc#roomconfig_publicroom': 'publicroom',
  'muc#roomconfig_pubsub': 'pubsub',
  'muc#roomconfig_roomadmins': 'roomadmins',
  'muc#roomconfig_roomdesc': 'roomdesc',
  'muc#roomconfig_roomname': 'roomname',
  'muc#roomconfig_roomowners': 'roomowners',
  'muc#roomconfig_roomsecret': 'roomsecret',
  'muc#roomconfig_whois': 'whois',
};

/** The name a field is printed and set under: its short name, its property, else its `var`. */
function keyOf(varName: string): string {
  const prop = PROPERTY_OF_VAR[varName];
  return prop === undefined ? varName : (SHORT_OF[prop] ?? prop);
}

/** `xmuc config get ROOM`: every field of the configuration form with its value. */
export async function runConfigGet(session: Session, io: CliIO, command: Extract<Of<'config'>, { action: 'get' }>): Promise<number> {
  const config = await getRoomConfig(session.connection, command.room, requestOptions(session, io));
  const fields = config.form.fields.filter((f) => f.var !== undefined && f.var !== 'FORM_TYPE' && f.type !== 'fixed');
  if (command.json) {
    const out: Record<string, unknown> = {};
    for (const f of fields)
      out[keyOf(f.var as string)] =
        f.type === 'boolean' ? isTrue(f.values[0]) : f.type?.endsWith('-multi') ? f.values : (f.values[0] ?? '');
    io.out(JSON.stringify({ room: command.room.toString(), config: out }));
    return 0;
  }
  const rows = fields.map((f) => [
    keyOf(f.var as string),
    f.type === 'boolean' ? String(isTrue(f.values[0])) : f.values.join(','),
    f.label ?? '',
  ]);
  for (const line of table(['KEY', 'VALUE', 'LABEL'], rows)) io.out(line);
  return 0;
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  on: true,
  off: false,
  '1': true,
  '0': false,
};

/** Apply `key=value` to the typed form: booleans as true/false, multi fields comma-separated; `UsageError` for an unknown key or value. */
export function applySetting(config: ConfigurationFormInstance, key: string, value: string): void {
  const byVar = Object.hasOwn(PROPERTY_OF_VAR, key) ? PROPERTY_OF_VAR[key] : undefined;
  const prop = CONFIG_SHORT_NAMES[key] ?? byVar ?? key;
  if (!Object.values(PROPERTY_OF_VAR).includes(prop))
    throw new UsageError(`Unknown configuration key ${JSON.stringify(key)} (known: ${Object.keys(CONFIG_SHORT_NAMES).join(', ')})`);
  const name = prop as keyof typeof PROPERTY_OF_VAR_TYPES;
  if (!config.has(name))
    throw new Error(
      `the room's configuration form has no ${key} field (${String(PROPERTY_OF_VAR_NAME[name])}): this service does not offer it`,
    );
  const type = PROPERTY_OF_VAR_TYPES[name];
  const target = config as unknown as Record<string, unknown>;
  try {
    if (type === 'boolean') {
      const b = BOOLEAN_WORDS[value.toLowerCase()];
      if (b === undefined) throw new UsageError(`${key} takes true or false, got ${JSON.stringify(value)}`);
      target[name] = b;
    } else if (type === 'multi') target[name] = value === '' ? [] : value.split(',');
    else target[name] = value;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Bad value for ${key}: ${describeError(error)}`);
  }
  if (name === 'roomsecret' && config.has('passwordprotectedroom')) target.passwordprotectedroom = value !== '';
}

const PROPERTY_OF_VAR_NAME: Record<string, string> = Object.fromEntries(Object.entries(PROPERTY_OF_VAR).map(([v, p]) => [p, v]));

const PROPERTY_OF_VAR_TYPES = {
  allowinvites: 'boolean',
  allowpm: 'single',
  changesubject: 'boolean',
  enablelogging: 'boolean',
  getmemberlist: 'multi',
  lang: 'single',
  maxhistoryfetch: 'single',
  maxusers: 'single',
  membersonly: 'boolean',
  moderatedroom: 'boolean',
  passwordprotectedroom: 'boolean',
  persistentroom: 'boolean',
  presencebroadcast: 'multi',
  publicroom: 'boolean',
  pubsub: 'single',
  roomadmins: 'multi',
  roomdesc: 'single',
  roomname: 'single',
  roomowners: 'multi',
  roomsecret: 'single',
  whois: 'single',
} as const;

/** `xmuc config set ROOM key=value ...`: fetch the form, set the typed fields, submit it. */
export async function runConfigSet(session: Session, io: CliIO, command: Extract<Of<'config'>, { action: 'set' }>): Promise<number> {
  const config = await getRoomConfig(session.connection, command.room, requestOptions(session, io));
  for (const [key, value] of command.settings) applySetting(config, key, value);
  await setRoomConfig(session.connection, command.room, config, requestOptions(session, io));
  io.err(
    `xmuc: configured ${command.room.toString()}: ${command.settings.map(([k, v]) => `${k}=${k === 'password' ? '***' : v}`).join(' ')}`,
  );
  return 0;
}
