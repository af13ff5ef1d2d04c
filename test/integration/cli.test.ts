/**
 * The `xmuc` command as a child process (`node --import tsx src/cli/main.ts`) against the
 * real servers: send/tail, occupants, disco, both transports, exit statuses.
 */
import { expect, it } from 'vitest';
import { describeEachServer, type ServerInfo } from '../support/servers.js';
import { type Cli, cliAccounts, exitOf, isEvent, json, xmuc } from './cli-harness.js';

describeEachServer('xmuc CLI', (server: ServerInfo) => {
  const { as, pass, room } = cliAccounts(server);

  it('send is seen by a tail --json in the room; Ctrl-C makes tail leave and exit 0', async () => {
    const jid = room('send');
    const tail = xmuc(['tail', jid, '--json', ...as('bob')], pass('bob'));
    await tail.errLine((l) => l.includes(`created ${jid} and unlocked it`), 'tail unlocks the new room');
    const enter = json(await tail.line(isEvent('enter'), 'tail enter'));
    expect(enter).toMatchObject({ room: jid, nick: 'bob', role: 'moderator', affiliation: 'owner', created: true });

    const send = xmuc(['send', jid, 'hello from the CLI', ...as('alice')], pass('alice'));
    expect(await exitOf(send, 'send')).toBe(0);
    expect(send.stderr).toContain(`xmuc: delivered to ${jid}`);
    expect(send.stdout).toEqual([]);

    const message = json(await tail.line(isEvent('message', { text: 'hello from the CLI' }), 'tail sees the message'));
    expect(message).toMatchObject({ room: jid, nick: 'alice', history: false, self: false });
    expect(Number.isNaN(Date.parse(String(message.time)))).toBe(false);
    await tail.line(isEvent('leave', { nick: 'alice', mode: 'normal' }), 'tail sees alice leave');
    const types = tail.stdout.map((l) => json(l).type);
    expect(types.indexOf('join')).toBeLessThan(types.indexOf('message'));

    tail.child.kill('SIGINT');
    expect(await exitOf(tail, 'tail')).toBe(0);
    expect(json(tail.stdout.at(-1) ?? '{}')).toMatchObject({ type: 'exit', room: jid, mode: 'normal' });
  });

  it('chat sends stdin lines, changes nick, sends a private message and quits', async () => {
    const jid = room('chat');
    const tail = xmuc(['tail', jid, '--json', ...as('bob')], pass('bob'));
    await tail.errLine((l) => l.includes('unlocked'), 'tail unlocks the new room');
    await tail.line(isEvent('enter'), 'tail enter');

    const chat = xmuc(['chat', jid, '--nick', 'carol', ...as('carol')], pass('carol'));
    await chat.line((l) => l.includes(`-> entered ${jid} as carol`), 'chat enter');
    chat.child.stdin?.write('first line\n/nick caz\n/msg bob just for you\n');
    await tail.line(isEvent('message', { nick: 'carol', text: 'first line' }), 'tail sees the chat line');
    await tail.line(isEvent('nick', { oldNick: 'carol', newNick: 'caz' }), 'tail sees the nick change');
    await tail.line(isEvent('private', { nick: 'caz', text: 'just for you' }), 'tail gets the private message');
    await chat.line((l) => /<carol> first line$/.test(l), 'chat shows its own reflected line');
    chat.child.stdin?.write('/quit\n');
    expect(await exitOf(chat, 'chat')).toBe(0);
    expect(chat.stdout.at(-1)).toMatch(/<- left .* \(normal\)$/);
    expect(chat.stderr).toEqual([]);
    await tail.line(isEvent('leave', { nick: 'caz', mode: 'normal' }), 'tail sees caz leave');
  });

  it('tail --since <position> --json catches up exactly what was missed, then follows', async () => {
    const jid = room('since');
    const texts = (cli: Cli) => cli.stdout.filter(isEvent('message', { nick: 'alice' })).map((l) => String(json(l).text));
    const first = xmuc(['tail', jid, '--json', ...as('bob')], pass('bob'));
    await first.errLine((l) => l.includes('unlocked'), 'tail unlocks the new room');
    await first.line(isEvent('enter'), 'first tail enter');
    // alice stays in the room throughout, so that the (temporary) room and its archive live on.
    const alice = xmuc(['chat', jid, ...as('alice')], pass('alice'));
    await alice.line((l) => l.includes(`-> entered ${jid} as alice`), 'alice enters');
    alice.child.stdin?.write('m1\nm2\nm3\n');
    const last = json(await first.line(isEvent('message', { nick: 'alice', text: 'm3' }), 'first tail sees m3'));
    expect(texts(first)).toEqual(['m1', 'm2', 'm3']);
    const position = String(last.position);
    expect(position).toMatch(/^[^@]+@\d{4}-/);
    first.child.kill('SIGINT');
    expect(await exitOf(first, 'first tail')).toBe(0);

    alice.child.stdin?.write('m4\nm5\nm6\n');
    await alice.line((l) => /<alice> m6$/.test(l), 'alice sees m6 reflected');
    const resumed = xmuc(['tail', jid, '--since', position, '--json', ...as('bob')], pass('bob'));
    await resumed.line(isEvent('message', { nick: 'alice', text: 'm6' }), 'resumed tail catches up to m6');
    await resumed.line(isEvent('enter'), 'resumed tail enter');
    alice.child.stdin?.write('m7\n');
    const live = json(await resumed.line(isEvent('message', { nick: 'alice', text: 'm7' }), 'resumed tail follows m7'));
    expect(live).toMatchObject({ history: false, source: 'stream' });
    expect(texts(resumed)).toEqual(['m4', 'm5', 'm6', 'm7']);
    const caughtUp = resumed.stdout
      .filter(isEvent('message', { nick: 'alice' }))
      .slice(0, 3)
      .map(json);
    for (const m of caughtUp) {
      expect(m).toMatchObject({ history: true });
      expect(['archive', 'history']).toContain(m.source);
    }
    // Every line carries the position after it: each one differs and the last is m7's.
    const positions = resumed.stdout.filter(isEvent('message')).map((l) => String(json(l).position));
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).not.toContain(position);
    resumed.child.kill('SIGINT');
    expect(await exitOf(resumed, 'resumed tail')).toBe(0);
    alice.child.stdin?.write('/quit\n');
    expect(await exitOf(alice, 'alice chat')).toBe(0);
  });

  it('occupants lists the room with roles, affiliations and real JIDs', async () => {
    const jid = room('occ');
    const tail = xmuc(['tail', jid, '--nick', 'watcher', ...as('bob')], pass('bob'));
    await tail.errLine((l) => l.includes('unlocked'), 'tail unlocks the new room');
    await tail.line((l) => l.includes(`-> entered ${jid} as watcher`), 'tail text enter');

    const occupants = xmuc(['occupants', jid, '--json', ...as('alice')], pass('alice'));
    expect(await exitOf(occupants, 'occupants')).toBe(0);
    const rows = occupants.stdout.map(json);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ room: jid, nick: 'alice', self: true, role: 'participant', affiliation: 'none' });
    expect(rows[1]).toMatchObject({ room: jid, nick: 'watcher', self: false, role: 'moderator', affiliation: 'owner' });

    const table = xmuc(['occupants', jid, ...as('carol')], pass('carol'));
    expect(await exitOf(table, 'occupants table')).toBe(0);
    expect(table.stdout[0]).toMatch(/^NICK\s+ROLE\s+AFFILIATION\s+JID$/);
    expect(table.stdout.some((l) => /^carol \(you\)\s+participant\s+none\s/.test(l))).toBe(true);
    expect(table.stdout.some((l) => /^watcher\s+moderator\s+owner\s/.test(l))).toBe(true);
  });

  it('disco prints the MUC service identity and features, over both transports', async () => {
    for (const transport of ['native', 'xmppjs']) {
      const disco = xmuc(['disco', server.mucDomain, '--json', '--transport', transport, ...as('alice')], pass('alice'));
      expect(await exitOf(disco, `disco over ${transport}`)).toBe(0);
      expect(disco.stdout).toHaveLength(1);
      const info = json(disco.stdout[0] ?? '{}');
      expect(info.jid).toBe(server.mucDomain);
      expect(info.identities).toContainEqual(expect.objectContaining({ category: 'conference', type: 'text' }));
      expect(info.features).toContain('http://jabber.org/protocol/muc');
    }
  });

  it('exits 1 with a clear message for a wrong password, 2 for bad usage', async () => {
    const wrong = xmuc(['disco', server.mucDomain, ...as('alice')], 'not-the-password');
    expect(await exitOf(wrong, 'wrong password')).toBe(1);
    expect(wrong.stderr.join('\n')).toMatch(/^xmuc: .*(auth|not-authorized|credentials)/im);

    const bad = xmuc(['send', 'not a room'], 'x');
    expect(await exitOf(bad, 'bad usage')).toBe(2);
    expect(bad.stderr[0]).toMatch(/^xmuc: xmuc send takes <room> <text>/);
  });
});
