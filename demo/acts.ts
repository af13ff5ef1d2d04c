/**
 * The demo's administration acts, through the package's public API only (`src/index.ts`:
 * `Room` moderation, voice and invitation methods, `MucClient` invitations, the owner functions):
 * the owner configures the room, a visitor asks for voice and the moderator grants it,
 * invitations (mediated and declined, direct and accepted), a kick, and the destruction of
 * the room with an alternate venue. Each act checks what every side saw and throws otherwise.
 */
import {
  InviteMode,
  type MucClient,
  type Room,
  RoomState,
  type XmppConnection,
  getRoomConfig,
  getRoomInfo,
  setRoomConfig,
} from '../src/index.js';
import type { FaultProxy } from '../test/support/fault-proxy.js';
import { say } from './steps.js';

/** The room's name and description as the owner configures them. */
export const ROOM_NAME = 'xmuc demo';
const ROOM_DESCRIPTION = 'The whole MUC story, checked step by step';

/** The owner's initial configuration of the locked new room: name, description, moderated. */
export async function configureRoom(conn: XmppConnection, roomJid: string, timeoutMs: number): Promise<void> {
  const config = await getRoomConfig(conn, roomJid, { timeoutMs });
  config.roomname = ROOM_NAME;
  config.roomdesc = ROOM_DESCRIPTION;
  config.moderatedroom = true;
  // ejabberd makes newcomers participants even in a moderated room unless its own
  // `members_by_default` field is off; the submission keeps every other field as received.
  const reply = config.renderReply();
  for (const field of reply.fields) if (field.var === 'members_by_default') field.values = ['0'];
  await setRoomConfig(conn, roomJid, reply, { timeoutMs });
  const info = await getRoomInfo(conn, roomJid, { timeoutMs });
  if (info.name !== ROOM_NAME || !info.features.moderated)
    throw new Error(`room info shows name ${JSON.stringify(info.name)}, moderated ${info.features.moderated}`);
  say('alice', `configured the room: "${info.name}", "${info.info?.description ?? ''}", moderated`);
}

/** Bob (a visitor in the moderated room) asks for voice; Alice, the moderator, grants it. */
export async function voiceAct(aliceRoom: Room, bobRoom: Room, timeoutMs: number): Promise<void> {
  if (bobRoom.me?.role !== 'visitor') throw new Error(`Bob should be a visitor in a moderated room, is ${bobRoom.me?.role}`);
  const requested = aliceRoom.waitFor('roleRequest', { timeoutMs });
  const granted = bobRoom.waitFor('roleChanged', { timeoutMs, filter: ({ member }) => member.isSelf && member.role === 'participant' });
  granted.catch(() => undefined);
  await bobRoom.requestVoice();
  say('bob', 'asks for voice');
  const request = await requested;
  say('alice', `${request.nick ?? '?'} asks for voice: granted`);
  await request.approve();
  await granted;
  say('bob', `now a ${bobRoom.me?.role}: may speak`);
}

/** A mediated invitation Carol declines, then a direct one she accepts; resolves with her room. */
export async function invitationsAct(aliceRoom: Room, carolMuc: MucClient, carolBare: string, timeoutMs: number): Promise<Room> {
  const mediated = carolMuc.waitFor('mucInvitation', { timeoutMs, filter: (i) => i.mode === InviteMode.MEDIATED });
  await aliceRoom.invite(carolBare, { reason: 'Come and see the demo', mode: InviteMode.MEDIATED });
  const invitation = await mediated;
  say('carol', `invited through ${invitation.roomAddress.toString()} ("${invitation.reason ?? ''}"): declines`);
  const declined = aliceRoom.waitFor('declined', { timeoutMs });
  await carolMuc.declineInvitation(invitation, { reason: 'Busy right now' });
  const decline = await declined;
  say('alice', `${decline.from?.bare().toString() ?? '?'} declined: "${decline.reason ?? ''}"`);

  const direct = carolMuc.waitFor('mucInvitation', { timeoutMs, filter: (i) => i.mode === InviteMode.DIRECT });
  await aliceRoom.invite(carolBare, { reason: 'Now, maybe?', mode: InviteMode.DIRECT });
  const second = await direct;
  say('carol', `invited directly by ${second.inviterAddress?.bare().toString() ?? '?'} ("${second.reason ?? ''}"): accepts`);
  const seen = aliceRoom.waitFor('join', { timeoutMs, filter: ({ member }) => member.nick === 'Carol' });
  const { room, joined } = carolMuc.join(second.roomAddress, 'Carol', { history: { maxStanzas: 0 } });
  await joined;
  await seen;
  return room;
}

/** Alice kicks Carol; Carol's room says so. */
export async function kickAct(carolRoom: Room, aliceRoom: Room, timeoutMs: number): Promise<void> {
  const out = carolRoom.waitFor('exit', { timeoutMs });
  const seen = aliceRoom.waitFor('leave', { timeoutMs, filter: ({ member }) => member.nick === 'Carol' });
  await aliceRoom.kick('Carol', { reason: 'Demo over for you', timeoutMs });
  const { mode, reason } = await out;
  await seen;
  if (mode !== 'kicked') throw new Error(`Carol left with mode ${mode}`);
  say('carol', `was kicked: "${reason ?? ''}"`);
}

/** Alice destroys the room, pointing to an alternate venue; Bob is told both. */
export async function destroyAct(aliceRoom: Room, bobRoom: Room, venue: string, timeoutMs: number): Promise<void> {
  const out = bobRoom.waitFor('exit', { timeoutMs });
  await aliceRoom.destroy({ reason: 'The demo is over', alternateVenue: venue, timeoutMs });
  const { mode, destroy } = await out;
  if (mode !== 'destroyed') throw new Error(`Bob left with mode ${mode}`);
  if (destroy?.jid?.toString() !== venue) throw new Error(`alternate venue ${destroy?.jid?.toString()}`);
  say('bob', `the room was destroyed ("${destroy.reason ?? ''}"); moving on to ${destroy.jid.toString()}`);
}

/** Resolve once `check()` holds (polled every 50 ms); reject after `timeoutMs`. */
function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`${what}: not within ${timeoutMs} ms`));
      }
    }, 50);
  });
}

/**
 * Robert's connection goes through the fault-injection proxy: it is cut, Alice speaks while
 * Robert is away, Robert's connection comes back (stream resumption, or a new session and a
 * rejoin), and Robert has every message exactly once: none lost, none repeated.
 */
export async function cutAct(proxy: FaultProxy, bob: XmppConnection, bobRoom: Room, aliceRoom: Room, timeoutMs: number): Promise<void> {
  const seen: string[] = [];
  const off = bobRoom.on('message', ({ message }) => seen.push(message.body.any() ?? ''));
  try {
    const down = bob.events.waitFor('status', { timeoutMs, filter: ({ status }) => status === 'disconnected' });
    const back = bob.events.waitFor('status', { timeoutMs, filter: ({ status }) => status === 'online' });
    proxy.setMode('cut');
    await down;
    say('proxy', "cut Robert's connection");
    const away = ['Robert, are you there?', 'He will read this when he is back.'];
    for (const text of away) await aliceRoom.sendMessage(text);
    proxy.setMode('pass');
    await back;
    say('bob', 'connection back');
    await until(
      () => away.every((t) => seen.includes(t)) && bobRoom.state === RoomState.ACTIVE,
      timeoutMs,
      'Robert gets what was said while away',
    );
    const welcome = 'Welcome back, Robert!';
    const live = bobRoom.waitFor('message', { timeoutMs, filter: ({ message }) => message.body.any() === welcome });
    await aliceRoom.sendMessage(welcome);
    await live;
    for (const text of [...away, welcome]) {
      const n = seen.filter((t) => t === text).length;
      if (n !== 1) throw new Error(`Robert got ${JSON.stringify(text)} ${n} times`);
    }
    say('bob', `got all ${away.length + 1} messages exactly once`);
  } finally {
    off();
  }
}
