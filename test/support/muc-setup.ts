/** Shared set-up of the MUC unit tests (src/muc, src/cli): a FakeConnection, a FakeClock and a MucClient. */
import { FakeClock } from '../../src/core/clock.js';
import { recordingLogger, type RecordingLogger } from '../../src/core/logger.js';
import { MucClient, type JoinOptions, type MucClientOptions } from '../../src/muc/client.js';
import type { Room } from '../../src/muc/room.js';
import { FakeConnection } from '../../src/testing/fake-connection.js';
import { loadFixture } from '../fixtures/xep0045/load.js';

/** The room of the captured transcripts. */
export const ROOM = 'probe@conference.localhost';

/** A test environment. */
export interface Env {
  clock: FakeClock;
  logger: RecordingLogger;
  conn: FakeConnection;
  muc: MucClient;
}

/**
 * A client for `jid` (default bob, as in the transcripts) with deterministic ids (`id1`, `id2`...).
 * The XEP-0410 self-ping is off unless `options.selfPing` is given (its timers would count in
 * every test's `clock.pending`); its own tests turn it on.
 */
export function setup(jid = 'bob@localhost/probe', options: Pick<MucClientOptions, 'selfPing' | 'rejoin'> = {}): Env {
  const clock = new FakeClock();
  const logger = recordingLogger();
  const conn = new FakeConnection({ jid, clock, logger });
  let ids = 0;
  let rnd = 0;
  const muc = new MucClient(conn, {
    clock,
    logger,
    newId: () => `id${++ids}`,
    randomId: () => `r${++rnd}`,
    selfPing: options.selfPing ?? false,
    rejoin: options.rejoin,
  });
  return { clock, logger, conn, muc };
}

/** bob's self-presence joining an existing room on Prosody (verbatim, transcript §5). */
export const PROSODY_BOB_SELF = `
<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/bob" to="bob@localhost/probe" id="join-bob">
  <x xmlns="vcard-temp:x:update"><photo/></x>
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is="/>
  <x xmlns="http://jabber.org/protocol/muc#user">
    <item role="participant" jid="bob@localhost/probe" affiliation="none"/>
    <status code="110"/>
  </x>
</presence>`;

/** alice as seen by bob on Prosody (transcript §5). */
export const PROSODY_ALICE = `
<presence xmlns="jabber:client" xml:lang="en" from="probe@conference.localhost/alice" to="bob@localhost/probe" id="join-alice">
  <x xmlns="vcard-temp:x:update"><photo/></x>
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg="/>
  <x xmlns="http://jabber.org/protocol/muc#user">
    <item role="moderator" affiliation="owner"/>
  </x>
</presence>`;

/** The empty subject from the room's bare JID (transcript §5). */
export const EMPTY_SUBJECT = `
<message xmlns="jabber:client" from="probe@conference.localhost" type="groupchat" to="bob@localhost/probe">
  <subject/>
</message>`;

/**
 * Join as bob on Prosody through alice's presence, bob's self-presence and the empty subject:
 * returns the ACTIVE room (sent stanzas consumed).
 */
export async function joinedRoom(env: Env, options: JoinOptions = {}): Promise<Room> {
  const { room, joined } = env.muc.join(ROOM, 'bob', options);
  env.conn.takeSent();
  env.conn.receive(PROSODY_ALICE);
  env.conn.receive(PROSODY_BOB_SELF);
  env.conn.receive(EMPTY_SUBJECT);
  await joined;
  return room;
}

/** carol as seen by alice on Prosody. */
export const CAROL_TO_ALICE = `<presence xmlns="jabber:client" from="probe@conference.localhost/carol" to="alice@localhost/probe">
  <occupant-id xmlns="urn:xmpp:occupant-id:0" id="O/N71ZHvqS3z1Dt0OZyxjbDrthkHFamN8L1U5SGCbcY="/>
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" jid="carol@localhost/probe" affiliation="none"/></x></presence>`;

/** alice owns the room (Prosody), with bob and carol in it; the room is ACTIVE. */
export async function aliceRoom(env: Env): Promise<Room> {
  const { room, joined } = env.muc.join(ROOM, 'alice');
  env.conn.receive(loadFixture('prosody-self-presence-create'));
  env.conn.receive(loadFixture('prosody-subject-empty-create'));
  env.conn.receive(loadFixture('prosody-occupant-presence-jid'));
  env.conn.receive(CAROL_TO_ALICE);
  await joined;
  env.conn.takeSent();
  return room;
}
