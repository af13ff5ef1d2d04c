import type { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { FakeConnection } from '../testing/fake-connection.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { FakeClock } from '../core/clock.js';
import { AbortError, InvalidArgumentError, PayloadError, StanzaError, TimeoutError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import type { Affiliation, Role } from './constants.js';
import { getAffiliated, getRoles, setAffiliations, setRoles } from './admin.js';

const ROOM = 'capadm@conference.localhost';
const j = (s: string) => JID.parse(s);

/** Answer `iq` with captured fixture `name` (its id and addressee rewritten). */
function answer(conn: FakeConnection, iq: Element, name: string): boolean {
  const reply = loadFixture(name);
  reply.attrs.id = iq.attrs.id;
  reply.attrs.to = conn.jid!.toString();
  return conn.receive(reply);
}

const ADMIN = 'http://jabber.org/protocol/muc#admin';

/** Let pending promise continuations run (no timers involved). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('setAffiliations', () => {
  it('sends one IQ per change by default, in order, each after the previous is acknowledged', async () => {
    const conn = new FakeConnection();
    const p = setAffiliations(conn, ROOM, [
      { jid: 'bob@localhost', affiliation: 'member', reason: 'welcome', nick: 'bobby' },
      { jid: j('carol@localhost'), affiliation: 'admin' },
    ]);
    const first = conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="member" jid="bob@localhost" nick="bobby"><reason>welcome</reason></item></query></iq>`,
    );
    await Promise.resolve();
    conn.expectNothingSent();
    conn.replyTo(first);
    await flush();
    const second = conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="admin" jid="carol@localhost"/></query></iq>`,
    );
    conn.replyTo(second);
    await expect(p).resolves.toBeUndefined();
    conn.expectNothingSent();
  });

  it('sends every change in ONE IQ with oneIq', async () => {
    const conn = new FakeConnection();
    const p = setAffiliations(
      conn,
      ROOM,
      [
        { jid: 'bob@localhost', affiliation: 'member', reason: 'welcome', nick: 'bobby' },
        { jid: 'carol@localhost', affiliation: 'admin' },
        { jid: 'dave@localhost', affiliation: 'outcast', reason: 'spam' },
      ],
      { oneIq: true },
    );
    const iq = conn.expectSent(
      `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}">
        <item affiliation="member" jid="bob@localhost" nick="bobby"><reason>welcome</reason></item>
        <item affiliation="admin" jid="carol@localhost"/>
        <item affiliation="outcast" jid="dave@localhost"><reason>spam</reason></item>
      </query></iq>`,
    );
    conn.replyTo(iq);
    await expect(p).resolves.toBeUndefined();
  });

  it('stops at the first refusal and rejects with the StanzaError (captured, both servers)', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection({ jid: 'bob@localhost/x' });
      const p = setAffiliations(conn, ROOM, [
        { jid: 'carol@localhost', affiliation: 'outcast' },
        { jid: 'dave@localhost', affiliation: 'outcast' },
      ]);
      expect(answer(conn, conn.nextSent(), `${server}-admin-set-not-allowed`)).toBe(true);
      const error = await p.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StanzaError);
      expect(error).toMatchObject({ condition: 'not-allowed', type: 'cancel' });
      conn.expectNothingSent();
    }
  });

  it('refuses bad input before sending anything', async () => {
    const conn = new FakeConnection();
    const bad: [unknown, unknown][] = [
      ['room@conference.localhost/nick', [{ jid: 'bob@localhost', affiliation: 'member' }]],
      ['conference.localhost', [{ jid: 'bob@localhost', affiliation: 'member' }]],
      ['not a jid@@', [{ jid: 'bob@localhost', affiliation: 'member' }]],
      [ROOM, []],
      [ROOM, [{ jid: 'bob@localhost/res', affiliation: 'member' }]],
      [ROOM, [{ jid: '@@', affiliation: 'member' }]],
      [ROOM, [{ jid: 'bob@localhost', affiliation: 'king' }]],
      [ROOM, [{ jid: 'bob@localhost', affiliation: 'member', reason: 42 }]],
      [ROOM, [{ jid: 'bob@localhost', affiliation: 'member', nick: '' }]],
    ];
    for (const [room, changes] of bad) {
      await expect(setAffiliations(conn, room as string, changes as [])).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(setAffiliations(conn, ROOM, [{ jid: 'bob@localhost', affiliation: 'member' }], { timeoutMs: -1 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    conn.expectNothingSent();
  });

  it('accepts a domain JID (a server-wide affiliation)', async () => {
    const conn = new FakeConnection();
    const p = setAffiliations(conn, ROOM, [{ jid: 'spam.example', affiliation: 'outcast' }]);
    conn.replyTo(
      conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="outcast" jid="spam.example"/></query></iq>`,
      ),
    );
    await p;
  });

  it('times out on the fake clock and aborts', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const p = setAffiliations(conn, ROOM, [{ jid: 'bob@localhost', affiliation: 'member' }], { timeoutMs: 500 });
    const caught = p.catch((e: unknown) => e);
    clock.advance(499);
    expect(conn.pendingRequests).toBe(1);
    clock.advance(1);
    expect(await caught).toBeInstanceOf(TimeoutError);
    expect(conn.pendingRequests).toBe(0);
    const ac = new AbortController();
    const q = setAffiliations(conn, ROOM, [{ jid: 'bob@localhost', affiliation: 'member' }], { signal: ac.signal });
    ac.abort();
    await expect(q).rejects.toBeInstanceOf(AbortError);
    expect(conn.pendingRequests).toBe(0);
  });
});

describe('setRoles', () => {
  it('sends one IQ per change by default and one in all with oneIq', async () => {
    const conn = new FakeConnection();
    const p = setRoles(conn, ROOM, [{ nick: 'bob', role: 'visitor', reason: 'quiet' }]);
    conn.replyTo(
      conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="bob" role="visitor"><reason>quiet</reason></item></query></iq>`,
      ),
    );
    await p;
    const q = setRoles(
      conn,
      ROOM,
      [
        { nick: 'bob', role: 'visitor', reason: 'quiet' },
        { nick: 'carol', role: 'participant' },
      ],
      { oneIq: true },
    );
    conn.replyTo(
      conn.expectSent(
        `<iq type="set" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item nick="bob" role="visitor"><reason>quiet</reason></item><item nick="carol" role="participant"/></query></iq>`,
      ),
    );
    await q;
  });

  it('passes the server refusal through and refuses bad input', async () => {
    const conn = new FakeConnection({ jid: 'bob@localhost/x' });
    const p = setRoles(conn, ROOM, [{ nick: 'carol', role: 'none' }]);
    answer(conn, conn.nextSent(), 'ejabberd-admin-set-not-allowed');
    await expect(p).rejects.toMatchObject({
      name: 'StanzaError',
      condition: 'not-allowed',
      text: 'Changing role/affiliation is not allowed',
    });
    for (const changes of [[], [{ nick: '', role: 'none' }], [{ nick: 'bob', role: 'god' }], [{ role: 'none' }]]) {
      await expect(setRoles(conn, ROOM, changes as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(setRoles(conn, ROOM, [{ nick: 'bob', role: 'none' }], { oneIq: 'yes' as never })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    conn.expectNothingSent();
  });
});

describe('getAffiliated', () => {
  it('lists members: Prosody gives the reserved nick, ejabberd the reason', async () => {
    const expected: Record<string, unknown> = {
      prosody: [{ jid: j('bob@localhost'), affiliation: 'member', nick: 'bobby' }],
      ejabberd: [{ jid: j('bob@localhost'), affiliation: 'member', reason: 'welcome' }],
    };
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection();
      const p = getAffiliated(conn, ROOM, 'member');
      const iq = conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item affiliation="member"/></query></iq>`);
      expect(answer(conn, iq, `${server}-admin-member-list`)).toBe(true);
      expect(await p).toStrictEqual(expected[server]);
    }
  });

  it('lists owners, outcasts, and empty lists (captured)', async () => {
    const cases: [string, Affiliation, unknown][] = [
      ['prosody-admin-owner-list', 'owner', [{ jid: j('alice@localhost'), affiliation: 'owner' }]],
      ['ejabberd-admin-owner-list', 'owner', [{ jid: j('alice@localhost'), affiliation: 'owner' }]],
      ['ejabberd-admin-outcast-list', 'outcast', [{ jid: j('dave@localhost'), affiliation: 'outcast', reason: 'spam' }]],
      ['prosody-admin-empty-list', 'outcast', []],
      ['ejabberd-admin-empty-list', 'outcast', []],
    ];
    for (const [fixture, affiliation, expected] of cases) {
      const conn = new FakeConnection();
      const room = fixture.endsWith('empty-list') ? 'capinvpw@conference.localhost' : ROOM;
      const p = getAffiliated(conn, room, affiliation);
      answer(conn, conn.nextSent(), fixture);
      expect(await p, fixture).toStrictEqual(expected);
    }
  });

  it('passes forbidden through (captured, both servers)', async () => {
    for (const server of ['prosody', 'ejabberd']) {
      const conn = new FakeConnection({ jid: 'bob@localhost/x' });
      const p = getAffiliated(conn, ROOM, 'owner');
      answer(conn, conn.nextSent(), `${server}-admin-list-forbidden`);
      await expect(p).rejects.toMatchObject({ name: 'StanzaError', condition: 'forbidden', type: 'auth' });
    }
  });

  it('skips items without a valid JID (logged) and keeps unknown affiliations as the one asked for', async () => {
    const conn = new FakeConnection();
    const logger = recordingLogger();
    const p = getAffiliated(conn, ROOM, 'member', { logger });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="${ADMIN}"><item affiliation="member"/><item jid="@bad@" affiliation="member"/><item jid="ok@localhost" affiliation="emperor"><reason/></item><foo/></query>`,
    );
    expect(await p).toStrictEqual([{ jid: j('ok@localhost'), affiliation: 'member' }]);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.message)).toEqual([
      'skipping an affiliation list item without a valid jid',
      'skipping an affiliation list item without a valid jid',
    ]);
  });

  it('rejects a result without the query with PayloadError, and bad input before sending', async () => {
    const conn = new FakeConnection();
    const p = getAffiliated(conn, ROOM, 'admin');
    conn.replyTo(conn.nextSent());
    await expect(p).rejects.toBeInstanceOf(PayloadError);
    for (const a of ['none', 'king', undefined]) {
      await expect(getAffiliated(conn, ROOM, a as Affiliation)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(getAffiliated(conn, 'capadm@conference.localhost/alice', 'owner')).rejects.toBeInstanceOf(InvalidArgumentError);
    conn.expectNothingSent();
  });

  it('ignores a reply from another address (the connection reply rule) and times out', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection({ clock });
    const p = getAffiliated(conn, ROOM, 'owner', { timeoutMs: 1000 });
    const caught = p.catch((e: unknown) => e);
    const iq = conn.nextSent();
    expect(
      conn.replyTo(iq, `<query xmlns="${ADMIN}"><item jid="evil@localhost" affiliation="owner"/></query>`, { from: 'evil@localhost' }),
    ).toBe(false);
    clock.advance(1000);
    expect(await caught).toBeInstanceOf(TimeoutError);
  });
});

describe('getRoles', () => {
  it("lists moderators and participants in the server's order (captured, both servers)", async () => {
    const cases: [string, Role, unknown][] = [
      [
        'prosody-admin-moderator-list',
        'moderator',
        [{ nick: 'alice', role: 'moderator', jid: j('alice@localhost/VIQqvF8SFRZi'), affiliation: 'owner' }],
      ],
      [
        'ejabberd-admin-moderator-list',
        'moderator',
        [
          { nick: 'alice', role: 'moderator', jid: j('alice@localhost/150664844882854730971250'), affiliation: 'owner' },
          { nick: 'carol', role: 'moderator', jid: j('carol@localhost/1881302784531420140835'), affiliation: 'admin' },
        ],
      ],
      [
        'prosody-admin-participant-list',
        'participant',
        [
          { nick: 'carol', role: 'participant', jid: j('carol@localhost/YtB8dSajrCe3'), affiliation: 'none' },
          { nick: 'bob', role: 'participant', jid: j('bob@localhost/SHmonlLQnc8C'), affiliation: 'member' },
        ],
      ],
      [
        'ejabberd-admin-participant-list',
        'participant',
        [{ nick: 'bob', role: 'participant', jid: j('bob@localhost/143524809000167802501282'), affiliation: 'member' }],
      ],
    ];
    for (const [fixture, role, expected] of cases) {
      const conn = new FakeConnection();
      const p = getRoles(conn, ROOM, role);
      const iq = conn.expectSent(`<iq type="get" to="${ROOM}" id="*"><query xmlns="${ADMIN}"><item role="${role}"/></query></iq>`);
      answer(conn, iq, fixture);
      expect(await p, fixture).toStrictEqual(expected);
    }
  });

  it('skips items without a nick (logged), keeps anonymous ones without jid, refuses role none', async () => {
    const conn = new FakeConnection();
    const logger = recordingLogger();
    const p = getRoles(conn, ROOM, 'visitor', { logger });
    conn.replyTo(
      conn.nextSent(),
      `<query xmlns="${ADMIN}"><item role="visitor" jid="x@localhost/r"/><item nick="v" role="visitor"/></query>`,
    );
    expect(await p).toStrictEqual([{ nick: 'v', role: 'visitor' }]);
    expect(logger.records.map((r) => r.message)).toContain('skipping a role list item without a nick');
    await expect(getRoles(conn, ROOM, 'none')).rejects.toBeInstanceOf(InvalidArgumentError);
    const q = getRoles(conn, ROOM, 'moderator');
    answer(conn, conn.nextSent(), 'prosody-admin-list-forbidden');
    await expect(q).rejects.toMatchObject({ condition: 'forbidden' });
  });
});
