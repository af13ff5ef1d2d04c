/**
 * The room administration commands of `xmuc` as child processes against the real servers:
 * rooms, info, config get/set, affiliations (list and --set), roles, kick, ban, invite
 * (mediated and direct), destroy, register; refusals exit 1 with the server's condition.
 * The occupant that is kicked is a python3-aioxmpp peer; the invitee reads its invitations
 * with xmuc's own `readInvitation` over a plain connection.
 */
import { Element } from 'ltx';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InviteMode, type XmppConnection, connect } from '../../src/index.js';
import { readInvitation } from '../../src/muc/invitations.js';
import { type Peer, startPeer } from '../support/peer.js';
import { type ServerInfo, describeEachServer } from '../support/servers.js';
import { WAIT_MS, cliAccounts, exitOf, isEvent, json, xmuc } from './cli-harness.js';

/** Bound of one test: a dozen CLI children, each paying tsx's start-up on a shared machine. */
const TEST_MS = 150_000;

describeEachServer('xmuc room administration', (server: ServerInfo) => {
  const { as, pass, room } = cliAccounts(server);
  const prosody = server.kind === 'prosody';
  const user = (name: string) => `${name}@${server.domain}`;
  let carol: XmppConnection & { close(): Promise<void> };
  let bob: Peer;

  beforeAll(async () => {
    const [conn, peer] = await Promise.all([
      connect({
        service: `xmpp://${server.host}:${server.c2sPort}`,
        domain: server.domain,
        username: 'carol',
        password: pass('carol'),
        allowPlaintext: true,
        allowPlainMechanismWithoutTls: true,
        reconnect: false,
        connectTimeoutMs: WAIT_MS,
      }),
      startPeer({ lib: 'aioxmpp', host: server.host, port: server.c2sPort, jid: `${user('bob')}/peer`, password: pass('bob') }),
    ]);
    carol = conn;
    bob = peer;
    // Available presence: invitations to the bare JID reach this resource.
    await carol.send(new Element('presence'));
  });
  afterAll(async () => {
    await Promise.allSettled([carol?.close(), bob?.close()]);
  });

  it(
    'config set/get, info, rooms, affiliations --set and lists, refusals, destroy with a venue',
    async () => {
      const jid = room('adm');
      const tail = xmuc(['tail', jid, '--json', ...as('alice')], pass('alice'));
      await tail.line(isEvent('enter'), 'alice is in the room');

      const set = xmuc(
        [
          'config',
          'set',
          jid,
          'name=Ops room',
          'description=Deploys and incidents',
          'moderated=true',
          ...(prosody ? [] : ['maxusers=50']),
          'public=true',
          'persistent=false',
          ...as('alice'),
        ],
        pass('alice'),
      );
      expect(await exitOf(set, 'config set'), set.stderr.join('\n')).toBe(0);
      expect(set.stderr.join('\n')).toContain(`configured ${jid}: name=Ops room`);

      // A second public room (aioxmpp's default configuration), so that the listing has two pages.
      const other = room('other');
      await bob.call('join', { room: other, nick: 'bob', maxstanzas: 0 });
      await bob.call('create_instant', { room: other });

      // Reads in parallel (each child pays tsx's start-up): config, info, the listing, one page.
      const [get, info, rooms] = [
        xmuc(['config', 'get', jid, '--json', ...as('alice')], pass('alice')),
        xmuc(['info', jid, '--json', ...as('carol')], pass('carol')),
        xmuc(['rooms', server.mucDomain, '--json', ...as('carol')], pass('carol')),
      ];
      // Paging: one room per page; ejabberd pages (a cursor to go on), Prosody returns every room.
      const page = prosody ? undefined : xmuc(['rooms', server.mucDomain, '--max', '1', '--json', ...as('carol')], pass('carol'));
      expect(await exitOf(get, 'config get'), get.stderr.join('\n')).toBe(0);
      expect(json(get.stdout[0] ?? '{}').config).toMatchObject({
        name: 'Ops room',
        description: 'Deploys and incidents',
        moderated: true,
        ...(prosody ? {} : { maxusers: '50' }),
        public: true,
        persistent: false,
      });

      expect(await exitOf(info, 'info'), info.stderr.join('\n')).toBe(0);
      const roomInfo = json(info.stdout[0] ?? '{}');
      expect(roomInfo).toMatchObject({ jid, name: 'Ops room', features: { moderated: true, public: true, temporary: true } });
      expect(roomInfo.roominfo).toMatchObject({ 'muc#roominfo_description': ['Deploys and incidents'] });

      expect(await exitOf(rooms, 'rooms'), rooms.stderr.join('\n')).toBe(0);
      const listed = rooms.stdout.map(json).find((r) => r.jid === jid);
      expect(listed).toMatchObject({ name: 'Ops room', occupants: 1 });
      expect(listed?.features).toEqual(expect.arrayContaining(['moderated', 'public']));
      if (page) {
        expect(await exitOf(page, 'rooms --max 1'), page.stderr.join('\n')).toBe(0);
        expect(page.stdout).toHaveLength(1);
        expect(page.stderr.join('\n')).toMatch(/more rooms: --after \S+/);
      }

      const aff = xmuc(
        ['affiliations', jid, '--set', `${user('bob')}=member`, `${user('dave')}=outcast`, '--reason', 'housekeeping', ...as('alice')],
        pass('alice'),
      );
      expect(await exitOf(aff, 'affiliations --set'), aff.stderr.join('\n')).toBe(0);
      // Lists, a refusal (exit 1 with the condition) and a bad key (exit 2), in parallel.
      const [all, members, notOwner, badKey] = [
        xmuc(['affiliations', jid, '--json', ...as('alice')], pass('alice')),
        xmuc(['affiliations', jid, 'member', ...as('alice')], pass('alice')),
        xmuc(['config', 'get', jid, ...as('carol')], pass('carol')),
        xmuc(['config', 'set', jid, 'colour=blue', ...as('alice')], pass('alice')),
      ];
      // Prosody 0.12's form has no occupant limit: the field is missing, nothing is submitted.
      const noField = prosody ? xmuc(['config', 'set', jid, 'maxusers=50', ...as('alice')], pass('alice')) : undefined;
      expect(await exitOf(all, 'affiliations'), all.stderr.join('\n')).toBe(0);
      expect(
        all.stdout.map(json).map((r) => [r.jid, r.affiliation]),
        all.stdout.join('\n'),
      ).toEqual([
        [user('alice'), 'owner'],
        [user('bob'), 'member'],
        [user('dave'), 'outcast'],
      ]);
      expect(await exitOf(members, 'affiliations member'), members.stderr.join('\n')).toBe(0);
      expect(members.stdout[0]).toMatch(/^JID\s+AFFILIATION\s+NICK\s+REASON$/);
      expect(members.stdout.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([user('bob')]);
      expect(await exitOf(notOwner, 'config get by a non-owner'), notOwner.stderr.join('\n')).toBe(1);
      expect(notOwner.stderr.join('\n')).toMatch(/^xmuc: refused.*\/forbidden/m);
      expect(await exitOf(badKey, 'unknown config key'), badKey.stderr.join('\n')).toBe(2);
      expect(badKey.stderr[0]).toMatch(/Unknown configuration key "colour"/);
      if (noField) {
        expect(await exitOf(noField, 'maxusers on Prosody'), noField.stderr.join('\n')).toBe(1);
        expect(noField.stderr[0]).toBe(
          "xmuc: the room's configuration form has no maxusers field (muc#roomconfig_maxusers): this service does not offer it",
        );
      }

      const venue = room('venue');
      const destroy = xmuc(['destroy', jid, '--reason', 'moving', '--venue', venue, ...as('alice')], pass('alice'));
      expect(await exitOf(destroy, 'destroy'), destroy.stderr.join('\n')).toBe(0);
      const exit = json(await tail.line(isEvent('exit'), 'tail sees the destruction'));
      expect(exit).toMatchObject({ mode: 'destroyed', reason: 'moving' });
      expect(await exitOf(tail, 'tail after destruction'), tail.stderr.join('\n')).toBe(1);
      expect(tail.stderr).toContain(`xmuc: removed from ${jid} (destroyed)`);
    },
    TEST_MS,
  );

  it(
    'roles, kick (an aioxmpp occupant), ban, invitations mediated and direct, register, and refusals',
    async () => {
      const jid = room('mod');
      const tail = xmuc(['tail', jid, '--json', ...as('alice')], pass('alice'));
      await tail.line(isEvent('enter'), 'alice is in the room');
      await bob.call('join', { room: jid, nick: 'bob', maxstanzas: 0 });
      await tail.line(isEvent('join', { nick: 'bob' }), 'tail sees bob');

      // Stages of independent commands run in parallel (each child pays tsx's start-up).
      const [roles, refusedKick] = [
        xmuc(['roles', jid, '--json', ...as('alice')], pass('alice')),
        xmuc(['kick', jid, 'alice', ...as('carol')], pass('carol')),
      ];
      expect(await exitOf(roles, 'roles'), roles.stderr.join('\n')).toBe(0);
      const rows = roles.stdout.map(json);
      expect(rows.map((r) => [r.nick, r.role, r.self])).toEqual(
        expect.arrayContaining([
          ['alice', 'moderator', false],
          ['alice-xmuc', 'moderator', true],
          ['bob', 'participant', false],
        ]),
      );

      expect(await exitOf(refusedKick, 'kick by a participant'), refusedKick.stderr.join('\n')).toBe(1);
      expect(refusedKick.stderr.join('\n')).toMatch(/^xmuc: refused.*\/not-allowed/m);

      const kick = xmuc(['kick', jid, 'bob', '--reason', 'spam', ...as('alice')], pass('alice'));
      expect(await exitOf(kick, 'kick'), kick.stderr.join('\n')).toBe(0);
      expect(await bob.waitEvent((e) => e.event === 'exit' && e.room === jid)).toMatchObject({ mode: 'KICKED', reason: 'spam' });
      expect(json(await tail.line(isEvent('leave', { nick: 'bob' }), 'tail sees bob kicked'))).toMatchObject({
        mode: 'kicked',
        reason: 'spam',
      });

      const mediated = carol.events.waitFor('stanza', {
        timeoutMs: WAIT_MS,
        filter: ({ stanza }) => readInvitation(stanza)?.mode === InviteMode.MEDIATED,
      });
      const direct = carol.events.waitFor('stanza', {
        timeoutMs: WAIT_MS,
        filter: ({ stanza }) => readInvitation(stanza)?.mode === InviteMode.DIRECT,
      });
      // Prosody registers members only (with the room); ejabberd registers with the service.
      const [ban, invite, directInvite, member] = [
        xmuc(['ban', jid, user('dave'), '--reason', 'troll', ...as('alice')], pass('alice')),
        xmuc(['invite', jid, user('carol'), '--reason', 'join us', ...as('alice')], pass('alice')),
        xmuc(['invite', jid, user('carol'), '--direct', '--reason', 'psst', ...as('alice')], pass('alice')),
        xmuc(['affiliations', jid, '--set', `${user('carol')}=member`, ...as('alice')], pass('alice')),
      ];
      expect(await exitOf(ban, 'ban'), ban.stderr.join('\n')).toBe(0);
      expect(await exitOf(invite, 'mediated invite'), invite.stderr.join('\n')).toBe(0);
      const invitation = readInvitation((await mediated).stanza);
      expect(invitation).toMatchObject({ reason: 'join us' });
      expect(invitation?.roomAddress.toString()).toBe(jid);
      expect(await exitOf(directInvite, 'direct invite'), directInvite.stderr.join('\n')).toBe(0);
      expect(readInvitation((await direct).stanza)).toMatchObject({ reason: 'psst' });
      expect(await exitOf(member, 'carol made a member'), member.stderr.join('\n')).toBe(0);

      const nick = `caro${Math.random().toString(36).slice(2, 7)}`;
      const [register, outcasts] = [
        xmuc(['register', jid, nick, ...as('carol')], pass('carol')),
        xmuc(['affiliations', jid, 'outcast', '--json', ...as('alice')], pass('alice')),
      ];
      expect(await exitOf(outcasts, 'outcasts'), outcasts.stderr.join('\n')).toBe(0);
      expect(outcasts.stdout.map(json)).toEqual([expect.objectContaining({ jid: user('dave'), affiliation: 'outcast' })]);
      expect(await exitOf(register, 'register'), register.stderr.join('\n')).toBe(0);
      expect(register.stderr).toContain(`xmuc: registered ${nick} with ${jid}`);
      // dave is banned: Prosody refuses him outright, ejabberd (per service) says the nick is taken.
      const [taken, notOwner] = [
        xmuc(['register', jid, nick, ...as('dave')], pass('dave')),
        xmuc(['destroy', jid, ...as('carol')], pass('carol')),
      ];
      expect(await exitOf(taken, 'register a taken nick'), taken.stderr.join('\n')).toBe(1);
      expect(taken.stderr.join('\n')).toMatch(prosody ? /refused: auth\/forbidden/ : /refused.*conflict/);

      expect(await exitOf(notOwner, 'destroy by a member'), notOwner.stderr.join('\n')).toBe(1);
      expect(notOwner.stderr.join('\n')).toMatch(/refused.*forbidden/);
      tail.child.kill('SIGINT');
      expect(await exitOf(tail, 'tail'), tail.stderr.join('\n')).toBe(0);
    },
    TEST_MS,
  );
});
