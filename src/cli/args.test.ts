import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, USAGE, UsageError, loadPassword, parseCli } from './args.js';
import { RoomPosition } from '../index.js';

const ENV = { XMUC_JID: 'alice@localhost', XMUC_PASSWORD: 'alicepass' };

function ok(argv: string[], env: Record<string, string | undefined> = ENV) {
  const parsed = parseCli(argv, env);
  if (parsed.help) throw new Error('unexpected help');
  return parsed;
}

function usage(argv: string[], env: Record<string, string | undefined> = ENV): string {
  try {
    parseCli(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`);
}

describe('parseCli', () => {
  it('parses send with the connection from the environment and the defaults', () => {
    const { command, connection } = ok(['send', 'room@conference.localhost', 'hello world']);
    expect(command).toEqual({ name: 'send', room: expect.anything(), text: 'hello world', nick: undefined });
    expect(command.name === 'send' && command.room.toString()).toBe('room@conference.localhost');
    expect({ ...connection, jid: connection.jid.toString() }).toEqual({
      jid: 'alice@localhost',
      password: 'alicepass',
      passwordFile: undefined,
      service: undefined,
      insecurePlaintext: false,
      anonymous: false,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      verbose: false,
      transport: 'native',
    });
  });

  it('takes every connection flag, flags before or after the command', () => {
    const { command, connection } = ok(
      [
        '--jid',
        'bob@localhost/cli',
        'tail',
        'Room@Conference.localhost',
        '--nick',
        'Bob',
        '--history',
        '5',
        '--json',
        '--password-file',
        '/tmp/pw',
        '--service',
        'ws://127.0.0.1:5280/xmpp-websocket',
        '--insecure-plaintext',
        '--timeout',
        '1500',
        '--verbose',
        '--transport',
        'xmppjs',
      ],
      {},
    );
    expect(command).toMatchObject({ name: 'tail', nick: 'Bob', history: 5, json: true });
    expect(command.name === 'tail' && command.room.toString()).toBe('room@conference.localhost');
    expect(connection).toMatchObject({
      password: undefined,
      passwordFile: '/tmp/pw',
      service: 'ws://127.0.0.1:5280/xmpp-websocket',
      insecurePlaintext: true,
      timeoutMs: 1500,
      verbose: true,
      transport: 'xmppjs',
    });
    expect(connection.jid.toString()).toBe('bob@localhost/cli');
  });

  it('accepts an anonymous login on a bare domain without a password', () => {
    const { command, connection } = ok(['disco', 'conference.localhost', '--anonymous', '--jid', 'anon.localhost', '--node', 'x'], {});
    expect(command).toMatchObject({ name: 'disco', node: 'x', json: false });
    expect(command.name === 'disco' && command.jid.toString()).toBe('conference.localhost');
    expect(connection).toMatchObject({ anonymous: true, password: undefined });
    expect(connection.jid.toString()).toBe('anon.localhost');
  });

  it('takes a text starting with a dash after --', () => {
    expect(ok(['send', 'r@c.localhost', '--', '-1 for that']).command).toMatchObject({ name: 'send', text: '-1 for that' });
  });

  it('parses chat and occupants', () => {
    expect(ok(['chat', 'r@c.localhost']).command).toMatchObject({ name: 'chat', nick: undefined, history: undefined, json: false });
    expect(ok(['occupants', 'r@c.localhost', '--json', '--nick', 'ops']).command).toMatchObject({
      name: 'occupants',
      nick: 'ops',
      json: true,
    });
  });

  it('returns help for -h and --help, before any other check', () => {
    expect(parseCli(['-h'], {})).toEqual({ help: true });
    expect(parseCli(['send', '--help'], {})).toEqual({ help: true });
    expect(USAGE).toContain('--password-file');
  });

  it('reads tail --since as a room position (with an @) or an ISO 8601 time', () => {
    const position = ok(['tail', 'r@c.localhost', '--since', 'abc%40x@2026-12-07T04:00:00.250Z']).command;
    expect(position.name === 'tail' && position.since).toEqual(
      new RoomPosition({ stanzaId: 'abc@x', at: new Date('2026-12-07T04:00:00.250Z') }),
    );
    const time = ok(['tail', 'r@c.localhost', '--since', '2026-12-07T05:00:00+01:00']).command;
    expect(time.name === 'tail' && time.since).toEqual(new Date('2026-12-07T04:00:00Z'));
    expect(ok(['tail', 'r@c.localhost']).command).toMatchObject({ since: undefined });
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '@', 'a@b@c', '2026-12-07']) {
      expect(usage(['tail', 'r@c.localhost', '--since', bad])).toMatch(/--since needs a position .* or an ISO 8601 time/);
    }
    expect(usage(['chat', 'r@c.localhost', '--since', '2026-12-07T04:00:00Z'])).toMatch(/chat does not take --since/);
  });

  it('refuses a --password flag, pointing at the safe ways', () => {
    expect(usage(['send', 'r@c.localhost', 'x', '--password', 'secret'])).toMatch(/no --password flag.*XMUC_PASSWORD.*--password-file/);
    expect(usage(['send', 'r@c.localhost', 'x', '--password=secret'])).toMatch(/no --password flag/);
  });

  it.each([
    [[], /No command/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['send', 'r@c.localhost'], /send takes <room> <text> \(got 1 argument/],
    [['send', 'r@c.localhost', ''], /non-empty text/],
    [['tail'], /tail takes <room>/],
    [['tail', 'a', 'b'], /got 2 arguments/],
    [['tail', 'conference.localhost'], /bare JID room@service/],
    [['tail', 'r@c.localhost/nick'], /bare JID/],
    [['tail', 'r@@c'], /Malformed room JID/],
    [['tail', 'r@c.localhost', '--history=-1'], /--history needs an integer >= 0/],
    [['tail', 'r@c.localhost', '--history', 'ten'], /--history needs an integer/],
    [['tail', 'r@c.localhost', '--timeout', '0'], /--timeout needs an integer >= 1/],
    [['tail', 'r@c.localhost', '--nick', ''], /Malformed nick/],
    [['tail', 'r@c.localhost', '--bogus'], /Unknown option '--bogus'/],
    [['tail', 'r@c.localhost', '--nick'], /--nick/],
    [['send', 'r@c.localhost', 'x', '--json'], /send does not take --json/],
    [['disco', 'c.localhost', '--nick', 'n'], /disco does not take --nick/],
    [['tail', 'r@c.localhost', '--node', 'n'], /tail does not take --node/],
    [['tail', 'r@c.localhost', '--service', 'http://x'], /--service must be xmpp:\/\//],
    [['tail', 'r@c.localhost', '--service', 'not a url'], /Malformed --service/],
    [['tail', 'r@c.localhost', '--transport', 'bosh'], /--transport must be native or xmppjs/],
  ])('rejects %j', (argv, message) => {
    expect(usage(argv)).toMatch(message);
  });

  it('needs an account and a password unless anonymous', () => {
    expect(usage(['tail', 'r@c.localhost'], {})).toMatch(/No account: give --jid/);
    expect(usage(['tail', 'r@c.localhost', '--jid', 'localhost'], { XMUC_PASSWORD: 'x' })).toMatch(/--jid needs user@domain/);
    expect(usage(['tail', 'r@c.localhost'], { XMUC_JID: 'alice@localhost' })).toMatch(
      /No password: set XMUC_PASSWORD or use --password-file/,
    );
    expect(usage(['tail', 'r@c.localhost'], { XMUC_JID: 'alice@localhost', XMUC_PASSWORD: '' })).toMatch(/No password/);
  });
});

describe('loadPassword', () => {
  const base = ok(['tail', 'r@c.localhost']).connection;

  it('takes the first line of the file over the environment', async () => {
    const read = async (path: string) => (path === '/pw' ? 'file secret\nignored\n' : '');
    expect(await loadPassword({ ...base, passwordFile: '/pw' }, read)).toBe('file secret');
    expect(await loadPassword({ ...base, passwordFile: '/pw' }, async () => 's3cret\r\n')).toBe('s3cret');
    expect(await loadPassword(base, read)).toBe('alicepass');
    expect(await loadPassword({ ...base, anonymous: true }, read)).toBeUndefined();
  });

  it('reports an unreadable or empty file as a usage error', async () => {
    await expect(loadPassword({ ...base, passwordFile: '/nope' }, () => Promise.reject(new Error('ENOENT: no such file')))).rejects.toThrow(
      new UsageError('Cannot read --password-file /nope: ENOENT: no such file'),
    );
    await expect(loadPassword({ ...base, passwordFile: '/empty' }, async () => '\n')).rejects.toThrow(/--password-file \/empty is empty/);
  });
});
