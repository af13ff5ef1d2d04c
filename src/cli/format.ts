/**
 * Output of the `xmuc` command: the room events it prints ({@link CliEvent}, plain data),
 * as text lines for people or as one JSON object per line for bots and ops tooling, and
 * the one-line description of an error.
 */
import { type DiscoInfo, MucJoinError, type Occupant, StanzaError } from '../index.js';

/** Fields every printed room event has. */
interface EventBase {
  /** The room's bare JID. */
  room: string;
  /** When it happened: the delay stamp of a history message, else when it was received. */
  time: Date;
}

/** A room event as the CLI prints it. */
export type CliEvent =
  | (EventBase & { type: 'enter'; nick: string; role?: string | undefined; affiliation?: string | undefined; created: boolean })
  | (EventBase & { type: 'exit'; mode: string; reason?: string | undefined; actor?: string | undefined })
  | (EventBase & {
      type: 'message';
      /** The sender's nick; `undefined` for a message from the room itself. */
      nick: string | undefined;
      text: string;
      history: boolean;
      self: boolean;
      stanzaId?: string | undefined;
      /** How it reached us: `stream`, or `archive`/`history` when caught up (`local`: our echo). */
      source?: string | undefined;
      /** The room's position after this message (`RoomPosition` string form): give it to `--since` to resume. */
      position?: string | undefined;
    })
  | (EventBase & { type: 'private'; nick: string; text: string })
  | (EventBase & { type: 'join'; nick: string; role?: string | undefined; affiliation?: string | undefined; jid?: string | undefined })
  | (EventBase & { type: 'leave'; nick: string; mode: string; reason?: string | undefined; actor?: string | undefined })
  | (EventBase & { type: 'nick'; oldNick: string; newNick: string; self: boolean })
  | (EventBase & { type: 'topic'; nick: string | undefined; topic: string })
  | (EventBase & { type: 'role'; nick: string; role: string | undefined })
  | (EventBase & { type: 'affiliation'; nick: string; affiliation: string | undefined });

/** Options of {@link formatText}. */
export interface TextFormatOptions {
  /** Print times in UTC instead of the local time zone (default false). */
  utc?: boolean | undefined;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `HH:MM:SS`, or `YYYY-MM-DD HH:MM:SS` for history, in local time or UTC. */
export function formatTime(time: Date, withDate: boolean, utc = false): string {
  const [y, mo, d, h, mi, s] = utc
    ? [time.getUTCFullYear(), time.getUTCMonth() + 1, time.getUTCDate(), time.getUTCHours(), time.getUTCMinutes(), time.getUTCSeconds()]
    : [time.getFullYear(), time.getMonth() + 1, time.getDate(), time.getHours(), time.getMinutes(), time.getSeconds()];
  const clock = `${pad(h)}:${pad(mi)}:${pad(s)}`;
  return withDate ? `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${clock}` : clock;
}

function why(reason: string | undefined, actor: string | undefined): string {
  const by = actor ? ` by ${actor}` : '';
  return reason ? `${by}: ${reason}` : by;
}

function roleAff(role: string | undefined, affiliation: string | undefined): string {
  return `(${role ?? '?'}, ${affiliation ?? '?'})`;
}

/** Text messages keep their line structure; continuation lines are indented. */
function multiline(text: string): string {
  return text.replace(/\r?\n/g, '\n    ');
}

/** One event as a line for people: `[12:00:01] <alice> hello`, `[12:00:02] * bob joined (participant, none)`. */
export function formatText(event: CliEvent, options: TextFormatOptions = {}): string {
  const history = event.type === 'message' && event.history;
  const at = `[${formatTime(event.time, history, options.utc)}]`;
  switch (event.type) {
    case 'enter':
      return `${at} -> entered ${event.room} as ${event.nick} ${roleAff(event.role, event.affiliation)}${event.created ? ', created the room' : ''}`;
    case 'exit':
      return `${at} <- left ${event.room} (${event.mode}${why(event.reason, event.actor)})`;
    case 'message': {
      if (event.nick === undefined) return `${at} ** ${multiline(event.text)}`;
      const me = /^\/me(?: |$)/.exec(event.text);
      return me ? `${at} * ${event.nick}${multiline(event.text.slice(3))}` : `${at} <${event.nick}> ${multiline(event.text)}`;
    }
    case 'private':
      return `${at} [private] <${event.nick}> ${multiline(event.text)}`;
    case 'join':
      return `${at} * ${event.nick} joined ${roleAff(event.role, event.affiliation)}${event.jid ? ` [${event.jid}]` : ''}`;
    case 'leave':
      return `${at} * ${event.nick} left (${event.mode}${why(event.reason, event.actor)})`;
    case 'nick':
      return `${at} * ${event.oldNick} is now known as ${event.newNick}`;
    case 'topic':
      if (event.topic === '') return `${at} * no topic${event.nick ? ` (cleared by ${event.nick})` : ''}`;
      return `${at} * topic${event.nick ? ` set by ${event.nick}` : ''}: ${multiline(event.topic)}`;
    case 'role':
      return `${at} * ${event.nick} is now ${event.role ?? 'without a role'}`;
    case 'affiliation':
      return `${at} * ${event.nick} is now ${event.affiliation === undefined || event.affiliation === 'none' ? 'not affiliated' : event.affiliation}`;
  }
}

/** One event as a single JSON line: the event's fields, `time` as ISO 8601 UTC, absent fields left out. */
export function formatJson(event: CliEvent): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined) continue;
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return JSON.stringify(out);
}

/** One occupant as printed by `xmuc occupants`. */
export interface OccupantRow {
  nick: string;
  role: string | undefined;
  affiliation: string | undefined;
  /** The real JID, when the room shows it to us. */
  jid: string | undefined;
  self: boolean;
}

/** The printed form of an {@link Occupant}. */
export function occupantRow(occupant: Occupant): OccupantRow {
  return {
    nick: occupant.nick,
    role: occupant.role,
    affiliation: occupant.affiliation,
    jid: occupant.directJid?.toString(),
    self: occupant.isSelf,
  };
}

/** The occupant table: a header and one aligned line per occupant (`(you)` marks ours). */
export function formatOccupants(rows: readonly OccupantRow[]): string[] {
  const table = [
    ['NICK', 'ROLE', 'AFFILIATION', 'JID'],
    ...rows.map((r) => [r.self ? `${r.nick} (you)` : r.nick, r.role ?? '?', r.affiliation ?? '?', r.jid ?? '-']),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => row[i]?.length ?? 0)));
  return table.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  '));
}

/** A disco#info result as plain data (`Set`s as sorted arrays, forms as `{ var: values }` maps). */
export function discoJson(jid: string, info: DiscoInfo): Record<string, unknown> {
  return {
    jid,
    ...(info.node === undefined ? {} : { node: info.node }),
    identities: info.identities.map((i) => ({ category: i.category, type: i.type, ...(i.name === undefined ? {} : { name: i.name }) })),
    features: [...info.features].sort(),
    forms: info.forms.map((form) => ({
      type: form.type,
      fields: Object.fromEntries(form.fields.filter((f) => f.var !== undefined).map((f) => [f.var, f.values])),
    })),
  };
}

/** A disco#info result as lines for people. */
export function formatDisco(jid: string, info: DiscoInfo): string[] {
  const lines = [`${jid}${info.node === undefined ? '' : ` node ${info.node}`}`];
  for (const i of info.identities) lines.push(`  identity ${i.category}/${i.type}${i.name === undefined ? '' : ` "${i.name}"`}`);
  for (const f of [...info.features].sort()) lines.push(`  feature  ${f}`);
  for (const form of info.forms) {
    const type = form.fields.find((f) => f.var === 'FORM_TYPE')?.values[0];
    lines.push(`  form     ${type ?? '(no FORM_TYPE)'}`);
    for (const field of form.fields) {
      if (field.var === undefined || field.var === 'FORM_TYPE') continue;
      lines.push(`    ${field.var}: ${field.values.join(', ')}`);
    }
  }
  return lines;
}

/** One line describing an error for stderr: the room's refusal reason, the stanza error condition, else the message. */
export function describeError(error: unknown): string {
  if (error instanceof MucJoinError) return `${error.message} [${error.reason}]`;
  if (error instanceof StanzaError) return `refused${error.by ? ` by ${error.by}` : ''}: ${stanzaErrorText(error)}`;
  if (error instanceof Error) {
    const text = error.message || error.name;
    // The library speaks of its option; the CLI user needs the flag.
    return /allowPlaintext/.test(text) ? `${text} (the CLI flag: --insecure-plaintext, for loopback test servers only)` : text;
  }
  return String(error);
}

function stanzaErrorText(error: StanzaError): string {
  return `${error.type}/${error.condition}${error.text ? `: ${error.text}` : ''}`;
}
