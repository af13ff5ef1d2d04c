import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { type Env, ROOM, setup } from '../../test/support/muc-setup.js';
import { parseCli } from './args.js';
import { type CliIO, type Session, defaultNick, joinRoom } from './session.js';
import { JID } from '../core/jid.js';

function session(env: Env): Session {
  const parsed = parseCli(['tail', ROOM, '--timeout', '5000'], { XMUC_JID: 'bob@localhost', XMUC_PASSWORD: 'pw' });
  if (parsed.help) throw new Error('help');
  return { connection: env.conn, muc: env.muc, logger: silentLogger, config: parsed.connection, close: () => env.muc.close() };
}

function io(): CliIO & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), signal: new AbortController().signal };
}

const CREATED_SELF = `<presence from="${ROOM}/bob" to="bob@localhost/probe">
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="moderator" affiliation="owner" jid="bob@localhost/probe"/><status code="110"/><status code="201"/></x>
</presence>`;

describe('joinRoom', () => {
  it('joins without history by default and unlocks a room it created, saying so', async () => {
    const env = setup();
    const cli = io();
    const done = joinRoom(session(env), cli, JID.parse(ROOM), 'bob');
    env.conn.expectSent(
      `<presence to="${ROOM}/bob" id="id1"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="0"/></x></presence>`,
    );
    env.conn.receive(CREATED_SELF);
    await Promise.resolve();
    await Promise.resolve();
    const iq = env.conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit"/></query></iq>`,
    );
    expect(cli.errLines).toEqual([]);
    env.conn.replyTo(iq);
    const { room, created } = await done;
    expect(created).toBe(true);
    expect(room.isJoined).toBe(true);
    expect(cli.errLines).toEqual([`xmuc: created ${ROOM} and unlocked it with the default configuration`]);
    expect(cli.outLines).toEqual([]);
  });

  it('does not configure an existing room, and asks for the history requested', async () => {
    const env = setup();
    const cli = io();
    const done = joinRoom(session(env), cli, JID.parse(ROOM), 'bob', { history: { maxStanzas: 7 } });
    env.conn.expectSent(
      `<presence to="${ROOM}/bob" id="id1"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="7"/></x></presence>`,
    );
    env.conn.receive(
      `<presence from="${ROOM}/bob" to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="110"/></x></presence>`,
    );
    const { created } = await done;
    expect(created).toBe(false);
    env.conn.expectNothingSent();
    expect(cli.errLines).toEqual([]);
  });

  it('rejects with the join refusal', async () => {
    const env = setup();
    const done = joinRoom(session(env), io(), JID.parse(ROOM), 'bob');
    env.conn.takeSent();
    env.conn.receive(
      `<presence from="${ROOM}/bob" to="bob@localhost/probe" type="error"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`,
    );
    await expect(done).rejects.toMatchObject({ name: 'MucJoinError', reason: 'nick-conflict' });
  });
});

describe('defaultNick', () => {
  it('prefers --nick, then the localpart, then a random nick', () => {
    expect(defaultNick(JID.parse('alice@localhost'), 'Al')).toBe('Al');
    expect(defaultNick(JID.parse('alice@localhost'), undefined)).toBe('alice');
    expect(defaultNick(JID.parse('anon.localhost'), undefined)).toMatch(/^xmuc-[0-9a-z]+$/);
  });
});
