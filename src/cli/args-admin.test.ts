import { describe, expect, it } from 'vitest';
import { UsageError, parseCli } from './args.js';

const ENV = { XMUC_JID: 'alice@localhost', XMUC_PASSWORD: 'alicepass' };
const ROOM = 'ops@conference.localhost';

function command(argv: string[]) {
  const parsed = parseCli(argv, ENV);
  if (parsed.help) throw new Error('unexpected help');
  // JIDs as strings, for comparison.
  return JSON.parse(
    JSON.stringify(parsed.command, (_k, v: unknown) => (v && typeof v === 'object' && 'bare' in v ? String(v) : v)),
  ) as Record<string, unknown>;
}

function usage(argv: string[]): string {
  try {
    parseCli(argv, ENV);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`);
}

describe('parseCli: room administration commands', () => {
  it('parses each command with its arguments and options', () => {
    expect(command(['rooms', 'conference.localhost', '--max', '20', '--after', 'c1', '--json'])).toEqual({
      name: 'rooms',
      service: 'conference.localhost',
      max: 20,
      after: 'c1',
      json: true,
    });
    expect(command(['info', ROOM])).toEqual({ name: 'info', room: ROOM, json: false });
    expect(command(['config', 'get', ROOM, '--json'])).toEqual({ name: 'config', action: 'get', room: ROOM, json: true });
    expect(command(['config', 'set', ROOM, 'name=Ops room', 'moderated=true', 'password='])).toEqual({
      name: 'config',
      action: 'set',
      room: ROOM,
      settings: [
        ['name', 'Ops room'],
        ['moderated', 'true'],
        ['password', ''],
      ],
      json: false,
    });
    expect(command(['affiliations', ROOM, 'outcast'])).toEqual({ name: 'affiliations', room: ROOM, affiliation: 'outcast', json: false });
    expect(command(['affiliations', ROOM, '--set', 'bob@localhost=member', 'dave@localhost=none', '--reason', 'tidy'])).toEqual({
      name: 'set-affiliations',
      room: ROOM,
      changes: [
        { jid: 'bob@localhost', affiliation: 'member' },
        { jid: 'dave@localhost', affiliation: 'none' },
      ],
      reason: 'tidy',
    });
    expect(command(['roles', ROOM, 'moderator', '--nick', 'ops'])).toEqual({
      name: 'roles',
      room: ROOM,
      role: 'moderator',
      nick: 'ops',
      json: false,
    });
    expect(command(['kick', ROOM, 'troll', '--reason', 'spam'])).toEqual({ name: 'kick', room: ROOM, target: 'troll', reason: 'spam' });
    expect(command(['ban', ROOM, 'troll@localhost'])).toEqual({ name: 'ban', room: ROOM, jid: 'troll@localhost' });
    expect(command(['invite', ROOM, 'carol@localhost', '--direct'])).toEqual({
      name: 'invite',
      room: ROOM,
      invitee: 'carol@localhost',
      direct: true,
    });
    expect(command(['destroy', ROOM, '--venue', 'new@conference.localhost'])).toEqual({
      name: 'destroy',
      room: ROOM,
      venue: 'new@conference.localhost',
    });
    expect(command(['register', ROOM, 'alice'])).toEqual({ name: 'register', room: ROOM, registerNick: 'alice' });
  });

  it('refuses bad input before anything is sent', () => {
    expect(usage(['rooms', 'user@conference.localhost'])).toMatch(/A MUC service is a domain/);
    expect(usage(['rooms', 'conference.localhost', '--max', '0'])).toMatch(/--max needs an integer >= 1/);
    expect(usage(['config', 'show', ROOM])).toMatch(/^xmuc config takes get <room>/);
    expect(usage(['config', 'set', ROOM])).toMatch(/^xmuc config takes/);
    expect(usage(['config', 'set', ROOM, 'moderated'])).toBe('Expected key=value, got "moderated"');
    expect(usage(['affiliations', ROOM, 'none'])).toMatch(/Unknown affiliation "none"/);
    expect(usage(['affiliations', ROOM, '--set', 'bob@localhost/res=member'])).toMatch(/Malformed JID/);
    expect(usage(['affiliations', ROOM, '--reason', 'x'])).toBe('--reason goes with affiliations --set');
    expect(usage(['roles', ROOM, 'none'])).toMatch(/Unknown role "none"/);
    expect(usage(['kick', ROOM])).toMatch(/^xmuc kick takes <room> <nick>/);
    expect(usage(['ban', ROOM, 'troll@localhost', '--direct'])).toBe('xmuc ban does not take --direct');
    expect(usage(['destroy', ROOM, '--venue', 'not a room'])).toMatch(/A room must be a bare JID/);
    expect(usage(['info', 'room@conference.localhost/nick'])).toMatch(/A room must be a bare JID/);
  });
});
