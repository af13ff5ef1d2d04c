/**
 * The standalone moderation and administration functions (src/muc/admin.ts, owner.ts,
 * discovery.ts, registration.ts, invitations.ts) against real Prosody and ejabberd, over
 * xmuc's native connection, without a MucClient: occupants join with plain presences, so
 * every stanza a room sends (the 104 notice, role changes, destroy) is seen as a stanza.
 * Where the servers differ, each test asserts what each one does.
 */
import { Element } from 'ltx';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../src/connection/index.js';
import type { XmppConnection } from '../../src/core/connection.js';
import { StanzaError } from '../../src/core/errors.js';
import { JID } from '../../src/core/jid.js';
import { NS } from '../../src/core/namespaces.js';
import { InviteMode } from '../../src/im/conversation.js';
import {
  ConfigurationForm,
  cancelRoomConfig,
  declineMessage,
  destroyRoom,
  directInviteMessage,
  findMucService,
  findUserExt,
  getAffiliated,
  getRegistrationForm,
  getReservedNick,
  getRoles,
  getRoomConfig,
  getRoomInfo,
  getUniqueRoomName,
  listRooms,
  mediatedInviteMessage,
  readDecline,
  readInvitation,
  registerNick,
  setAffiliations,
  setRoles,
  setRoomConfig,
} from '../../src/muc/index.js';
import { describeEachServer, type ServerInfo } from '../support/servers.js';

/** Bound of every single wait. */
const WAIT_MS = 10_000;
const opts = { timeoutMs: WAIT_MS };

/** A connected account that records nothing but can wait for stanzas. */
interface Client {
  conn: XmppConnection & { close(): Promise<void> };
  jid: JID;
  bare: string;
}

async function connectClient(server: ServerInfo, user: string): Promise<Client> {
  const account = server.users.find((u) => u.name === user)!;
  const conn = await connect({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: server.domain,
    username: user,
    password: account.password,
    allowPlaintext: true,
    reconnect: false,
    connectTimeoutMs: WAIT_MS,
  });
  // Available presence: messages to the bare JID (invitations, declines) are delivered to us.
  await conn.send(new Element('presence'));
  return { conn, jid: conn.jid!, bare: `${user}@${server.domain}` };
}

/** Wait (bounded) for the next unclaimed stanza passing `filter`; call before causing it. */
function nextStanza(client: Client, what: string, filter: (s: Element) => boolean): Promise<Element> {
  return client.conn.events.waitFor('stanza', { timeoutMs: WAIT_MS, filter: ({ stanza }) => filter(stanza) }).then(
    ({ stanza }) => stanza,
    (e: unknown) => {
      throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    },
  );
}

const fromRoom = (room: string, name: string) => (s: Element) =>
  s.name === name &&
  JID.tryParse(s.attrs.from as string)
    ?.bare()
    .toString() === room;
const isSelfPresence = (room: string) => (s: Element) =>
  fromRoom(room, 'presence')(s) && s.attrs.type !== 'unavailable' && findUserExt(s)?.statusCodes.has(110) === true;

/** Join `room` as `nick` with a plain presence; resolves with our self-presence. */
async function join(client: Client, room: string, nick: string, password?: string): Promise<Element> {
  const self = nextStanza(
    client,
    `${nick} joins ${room}`,
    (s) => isSelfPresence(room)(s) || (fromRoom(room, 'presence')(s) && s.attrs.type === 'error'),
  );
  const presence = new Element('presence', { to: `${room}/${nick}` });
  const x = presence.c('x', { xmlns: NS.MUC });
  x.c('history', { maxstanzas: '0' });
  if (password !== undefined) x.c('password').t(password);
  await client.conn.send(presence);
  const stanza = await self;
  if (stanza.attrs.type === 'error') throw StanzaError.fromStanza(stanza);
  return stanza;
}

/** Create (and unlock, with the default configuration) a fresh room owned by `client`. */
async function createRoom(client: Client, server: ServerInfo, tag: string): Promise<string> {
  const room = `${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@${server.mucDomain}`;
  const self = await join(client, room, 'owner');
  expect(findUserExt(self)?.statusCodes.has(201)).toBe(true);
  await setRoomConfig(client.conn, room, { type: 'submit', instructions: [], fields: [], items: [] }, opts);
  return room;
}

describeEachServer('MUC administration functions', (server) => {
  let alice: Client;
  let bob: Client;
  let carol: Client;
  const prosody = server.kind === 'prosody';

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([connectClient(server, 'alice'), connectClient(server, 'bob'), connectClient(server, 'carol')]);
  });
  afterAll(async () => {
    await Promise.allSettled([alice, bob, carol].filter(Boolean).map((c) => c.conn.close()));
  });

  it('finds the MUC service and gets a unique room name; the server itself refuses XEP-0307 with service-unavailable', async () => {
    const services = await findMucService(alice.conn, server.domain, opts);
    expect(services.map((s) => s.jid.toString())).toEqual([server.mucDomain]);
    expect(services[0]!.featureSet.has('http://jabber.org/protocol/muc#unique')).toBe(true);
    const unique = await getUniqueRoomName(alice.conn, server.mucDomain, opts);
    expect(unique.domain).toBe(server.mucDomain);
    expect(unique.local).toMatch(prosody ? /^[A-Za-z0-9_-]{24}$/ : /^[0-9a-f]{40}$/);
    const error = await getUniqueRoomName(alice.conn, server.domain, opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StanzaError);
    expect(error).toMatchObject({ condition: 'service-unavailable', type: 'cancel' });
  });

  it('sets affiliations (one IQ per change) and lists them; a one-IQ batch is applied whole by ejabberd, only its first item by Prosody', async () => {
    const room = await createRoom(alice, server, 'aff');
    await setAffiliations(
      alice.conn,
      room,
      [
        { jid: 'bob@localhost', affiliation: 'member', nick: 'bobby', reason: 'welcome' },
        { jid: 'carol@localhost', affiliation: 'admin' },
        { jid: 'dave@localhost', affiliation: 'outcast', reason: 'spam' },
      ],
      opts,
    );
    const members = await getAffiliated(alice.conn, room, 'member', opts);
    // Prosody keeps the reserved nick, ejabberd the reason.
    expect(members).toStrictEqual([
      prosody
        ? { jid: JID.parse('bob@localhost'), affiliation: 'member', nick: 'bobby' }
        : { jid: JID.parse('bob@localhost'), affiliation: 'member', reason: 'welcome' },
    ]);
    expect((await getAffiliated(alice.conn, room, 'admin', opts)).map((e) => e.jid.toString())).toEqual(['carol@localhost']);
    const outcasts = await getAffiliated(alice.conn, room, 'outcast', opts);
    expect(outcasts.map((e) => e.jid.toString())).toEqual(['dave@localhost']);
    expect((await getAffiliated(alice.conn, room, 'owner', opts)).map((e) => e.jid.toString())).toEqual(['alice@localhost']);

    const batchRoom = await createRoom(alice, server, 'batch');
    await setAffiliations(
      alice.conn,
      batchRoom,
      [
        { jid: 'bob@localhost', affiliation: 'member' },
        { jid: 'dave@localhost', affiliation: 'outcast' },
      ],
      { ...opts, oneIq: true },
    );
    expect((await getAffiliated(alice.conn, batchRoom, 'member', opts)).map((e) => e.jid.toString())).toEqual(['bob@localhost']);
    expect((await getAffiliated(alice.conn, batchRoom, 'outcast', opts)).map((e) => e.jid.toString())).toEqual(
      prosody ? [] : ['dave@localhost'],
    );
  });

  it('lists roles, changes a role (the occupant sees it) and refuses a non-moderator', async () => {
    const room = await createRoom(alice, server, 'roles');
    await join(bob, room, 'bob');
    const moderators = await getRoles(alice.conn, room, 'moderator', opts);
    expect(moderators.map((m) => [m.nick, m.jid?.bare().toString(), m.affiliation])).toEqual([['owner', 'alice@localhost', 'owner']]);
    const participants = await getRoles(alice.conn, room, 'participant', opts);
    expect(participants.map((m) => [m.nick, m.jid?.toString()])).toEqual([['bob', bob.jid.toString()]]);

    const demoted = nextStanza(
      bob,
      'bob sees his role change',
      (s) => isSelfPresence(room)(s) && findUserExt(s)?.items[0]?.role === 'visitor',
    );
    await setRoles(alice.conn, room, [{ nick: 'bob', role: 'visitor', reason: 'quiet' }], opts);
    const item = findUserExt(await demoted)!.items[0]!;
    expect(item).toMatchObject({ role: 'visitor', reason: 'quiet' });
    // Prosody names the actor in a role change, ejabberd 23.01 does not.
    expect(item.actor).toStrictEqual(prosody ? { nick: 'owner' } : undefined);
    expect((await getRoles(alice.conn, room, 'visitor', opts)).map((m) => m.nick)).toEqual(['bob']);

    const listError = await getRoles(bob.conn, room, 'moderator', opts).catch((e: unknown) => e);
    expect(listError).toMatchObject({ name: 'StanzaError', condition: 'forbidden' });
    const setError = await setRoles(bob.conn, room, [{ nick: 'owner', role: 'none' }], opts).catch((e: unknown) => e);
    expect(setError).toMatchObject({ name: 'StanzaError', condition: 'not-allowed' });
    const affError = await setAffiliations(bob.conn, room, [{ jid: 'carol@localhost', affiliation: 'outcast' }], opts).catch(
      (e: unknown) => e,
    );
    expect(affError).toMatchObject({ name: 'StanzaError', condition: 'not-allowed' });
  });

  it('reads the configuration, makes the room moderated, members-only and password-protected; occupants get a 104 notice; room info shows it', async () => {
    const room = await createRoom(alice, server, 'config');
    await setAffiliations(alice.conn, room, [{ jid: bob.bare, affiliation: 'member' }], opts);
    await join(bob, room, 'bob');
    const config = await getRoomConfig(alice.conn, room, opts);
    expect(config.moderatedroom).toBe(!prosody); // ejabberd rooms are moderated by default
    expect(config.membersonly).toBe(false);
    expect(config.whois).toBe('moderators');
    // Prosody 0.12 has no passwordprotectedroom field: a secret alone protects the room.
    expect(config.has('passwordprotectedroom')).toBe(!prosody);
    config.moderatedroom = true;
    config.membersonly = true;
    config.roomsecret = 'sesame';
    if (config.has('passwordprotectedroom')) config.passwordprotectedroom = true;

    const notice = nextStanza(
      bob,
      'bob sees the 104 notice',
      (s) => fromRoom(room, 'message')(s) && findUserExt(s)?.statusCodes.has(104) === true,
    );
    await setRoomConfig(alice.conn, room, config, opts);
    const message = await notice;
    expect(message.attrs.type).toBe('groupchat');
    expect(message.attrs.from).toBe(room);

    const info = await getRoomInfo(alice.conn, room, opts);
    expect(info.features).toMatchObject({ moderated: true, membersOnly: true, passwordProtected: true, open: false, unsecured: false });
    const again = await getRoomConfig(alice.conn, room, opts);
    expect([again.moderatedroom, again.membersonly, again.roomsecret]).toEqual([true, true, 'sesame']);

    const forbidden = await getRoomConfig(bob.conn, room, opts).catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ name: 'StanzaError', condition: 'forbidden' });
    const carolJoin = await join(carol, room, 'carol', 'sesame').catch((e: unknown) => e);
    expect(carolJoin).toMatchObject({ name: 'StanzaError', condition: 'registration-required' });
  });

  it('reads room info and lists public rooms (ejabberd pages with RSM, Prosody returns all)', async () => {
    const room = await createRoom(alice, server, 'listed');
    const config = await getRoomConfig(alice.conn, room, opts);
    config.roomname = 'Listed room';
    config.publicroom = true;
    config.roomdesc = 'for the listing test';
    await setRoomConfig(alice.conn, room, config, opts);
    const info = await getRoomInfo(bob.conn, room, opts);
    expect(info.name).toBe('Listed room');
    expect(info.features).toMatchObject({ public: true, hidden: false, temporary: true, semiAnonymous: true, mam: true });
    expect(info.features.occupantId).toBe(prosody);
    expect(info.features.selfPingOptimization).toBe(prosody);
    expect(info.info?.description).toBe('for the listing test');
    expect(info.info?.occupants).toBe('1');

    const found: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listRooms(bob.conn, server.mucDomain, { ...opts, max: 2, after });
      found.push(...page.rooms.map((r) => r.jid.toString()));
      if (page.rooms.some((r) => r.jid.toString() === room))
        expect(page.rooms.find((r) => r.jid.toString() === room)?.name).toMatch(/^Listed room/);
      after = page.next;
      pages += 1;
    } while (after !== undefined && pages < 100);
    expect(found).toContain(room);
    expect(new Set(found).size).toBe(found.length);
    if (!prosody) expect(pages).toBeGreaterThan(1);
    else expect(pages).toBe(1);

    const missing = await getRoomInfo(bob.conn, `nosuchroom-${Date.now()}@${server.mucDomain}`, opts).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'StanzaError', condition: 'item-not-found' });
  });

  it('registers a nick: with the room on Prosody, with the service on ejabberd; the reserved nick is found; a taken nick is a conflict', async () => {
    const room = await createRoom(alice, server, 'reg');
    await setAffiliations(
      alice.conn,
      room,
      [
        { jid: carol.bare, affiliation: 'member' },
        { jid: bob.bare, affiliation: 'member' },
      ],
      opts,
    );
    const nick = `caro${Math.random().toString(36).slice(2, 7)}`;
    const info = await getRegistrationForm(carol.conn, room, opts);
    expect(info.target.toString()).toBe(prosody ? room : server.mucDomain);
    expect(info.registered).toBe(false);
    expect(info.form?.has('roomnick')).toBe(true);
    await registerNick(carol.conn, room, nick, info, opts);
    expect(await getReservedNick(carol.conn, room, opts)).toBe(nick);
    const after = await getRegistrationForm(carol.conn, room, opts);
    expect([after.registered, after.nick]).toEqual([true, nick]);

    const conflict = await registerNick(bob.conn, room, nick, undefined, opts).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(StanzaError);
    expect(conflict).toMatchObject({ condition: 'conflict' });
    if (prosody) {
      // Prosody registers members only.
      const dave = await connectClient(server, 'dave');
      try {
        const refused = await getRegistrationForm(dave.conn, room, opts).catch((e: unknown) => e);
        expect(refused).toMatchObject({ name: 'StanzaError', condition: 'registration-required' });
        expect(await getReservedNick(dave.conn, room, opts)).toBeUndefined();
      } finally {
        await dave.conn.close();
      }
    }
  });

  it('invites: mediated (the invitee reads it, declines, the inviter reads the decline) and direct', async () => {
    const room = await createRoom(alice, server, 'invite');
    const invited = nextStanza(bob, 'bob gets the mediated invitation', (s) => readInvitation(s)?.roomAddress.toString() === room);
    await alice.conn.send(mediatedInviteMessage(room, bob.bare, { reason: 'come' }));
    const invitation = readInvitation(await invited)!;
    expect(invitation).toMatchObject({ mode: InviteMode.MEDIATED, reason: 'come' });
    // Prosody names the inviter's occupant JID, ejabberd its real full JID.
    expect(invitation.inviterAddress?.toString()).toBe(prosody ? `${room}/owner` : alice.jid.toString());

    const declined = nextStanza(alice, 'alice gets the decline', (s) => readDecline(s)?.roomAddress.toString() === room);
    await bob.conn.send(declineMessage(room, alice.bare, { reason: 'busy' }));
    const decline = readDecline(await declined)!;
    expect(decline.reason).toBe('busy');
    expect(decline.from?.toString()).toBe(bob.jid.toString());

    const direct = nextStanza(carol, 'carol gets the direct invitation', (s) => readInvitation(s)?.mode === InviteMode.DIRECT);
    await alice.conn.send(directInviteMessage(carol.bare, room, { reason: 'hi', password: 'pw', continueThread: 'thr' }));
    expect(readInvitation(await direct)).toMatchObject({
      mode: InviteMode.DIRECT,
      roomAddress: JID.parse(room),
      inviterAddress: alice.jid,
      reason: 'hi',
      password: 'pw',
      continueThread: 'thr',
    });
  });

  it('destroys a room with an alternate venue: the occupant sees venue, reason and password; the room is gone', async () => {
    const room = await createRoom(alice, server, 'doomed');
    const venue = `venue-${Date.now().toString(36)}@${server.mucDomain}`;
    await join(bob, room, 'bob');
    const gone = nextStanza(
      bob,
      'bob sees the destroy',
      (s) => fromRoom(room, 'presence')(s) && s.attrs.type === 'unavailable' && findUserExt(s)?.destroy !== undefined,
    );
    await destroyRoom(alice.conn, room, { ...opts, reason: 'moving', alternateVenue: venue, password: 'pw' });
    const ext = findUserExt(await gone)!;
    expect(ext.destroy).toStrictEqual({ jid: JID.parse(venue), reason: 'moving', password: 'pw' });
    // Prosody keeps 110 and the affiliation; ejabberd sends neither.
    expect(ext.statusCodes.has(110)).toBe(prosody);
    const missing = await getRoomInfo(alice.conn, room, opts).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'StanzaError', condition: 'item-not-found' });
  });

  it('cancels the configuration of a new room', async () => {
    const room = `cancel-${Date.now().toString(36)}@${server.mucDomain}`;
    await join(carol, room, 'carol');
    const config = await getRoomConfig(carol.conn, room, opts);
    expect(config.has('roomname')).toBe(true);
    await expect(cancelRoomConfig(carol.conn, room, opts)).resolves.toBeUndefined();
    expect(ConfigurationForm.formType).toBe(NS.MUC_ROOMCONFIG);
  });
});
