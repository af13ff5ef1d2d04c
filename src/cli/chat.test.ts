import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { ROOM, joinedRoom, setup } from '../../test/support/muc-setup.js';
import { parseCli } from './args.js';
import { type ChatInput, type ChatStatus, handleChatInput, parseChatLine, watchStatus } from './chat.js';
import type { CliIO, Session } from './session.js';

describe('parseChatLine', () => {
  it.each<[string, ChatInput]>([
    ['hello world', { kind: 'say', text: 'hello world' }],
    ['  indented ', { kind: 'say', text: '  indented ' }],
    ['windows\r', { kind: 'say', text: 'windows' }],
    ['', { kind: 'empty' }],
    ['   ', { kind: 'empty' }],
    ['/me waves', { kind: 'say', text: '/me waves' }],
    ['//etc/passwd is a path', { kind: 'say', text: '/etc/passwd is a path' }],
    ['/nick caz', { kind: 'nick', nick: 'caz' }],
    ['/nick', { kind: 'invalid', error: 'usage: /nick NEW' }],
    ['/nick two words', { kind: 'invalid', error: 'usage: /nick NEW' }],
    ['/topic Release day', { kind: 'topic', topic: 'Release day' }],
    ['/topic', { kind: 'topic', topic: '' }],
    ['/msg alice see you  soon', { kind: 'msg', nick: 'alice', text: 'see you  soon' }],
    ['/msg alice', { kind: 'invalid', error: 'usage: /msg NICK TEXT' }],
    ['/quit', { kind: 'quit' }],
    ['/leave', { kind: 'quit' }],
    ['/frob x', { kind: 'invalid', error: 'unknown command /frob (/help lists the commands; //text sends "/text")' }],
    ['/kick bob too loud', { kind: 'moderator', input: { kind: 'kick', nick: 'bob', reason: 'too loud' } }],
    ['/kick', { kind: 'invalid', error: 'usage: /kick NICK [REASON]' }],
    ['/ban troll@example.org', { kind: 'moderator', input: { kind: 'ban', target: 'troll@example.org', reason: undefined } }],
    ['/role bob visitor hush', { kind: 'moderator', input: { kind: 'role', nick: 'bob', role: 'visitor', reason: 'hush' } }],
    ['/role bob king', { kind: 'invalid', error: 'usage: /role NICK moderator|participant|visitor|none [REASON]' }],
    [
      '/affiliation bob member',
      { kind: 'moderator', input: { kind: 'affiliation', target: 'bob', affiliation: 'member', reason: undefined } },
    ],
    ['/voice', { kind: 'moderator', input: { kind: 'voice', action: 'request' } }],
    ['/voice approve bob', { kind: 'moderator', input: { kind: 'voice', action: 'approve', nick: 'bob' } }],
    ['/voice maybe bob', { kind: 'invalid', error: 'usage: /voice (ask for voice) or /voice approve|deny NICK' }],
    [
      '/invite --direct carol@example.org come',
      { kind: 'moderator', input: { kind: 'invite', jid: 'carol@example.org', reason: 'come', direct: true } },
    ],
    [
      '/invite carol@example.org',
      { kind: 'moderator', input: { kind: 'invite', jid: 'carol@example.org', reason: undefined, direct: false } },
    ],
    [
      '/config moderated=true name=Ops',
      {
        kind: 'moderator',
        input: {
          kind: 'config',
          settings: [
            ['moderated', 'true'],
            ['name', 'Ops'],
          ],
        },
      },
    ],
    ['/config', { kind: 'moderator', input: { kind: 'config', settings: [] } }],
    ['/who', { kind: 'moderator', input: { kind: 'who' } }],
    ['/help', { kind: 'moderator', input: { kind: 'help' } }],
  ])('%j', (line, input) => {
    expect(parseChatLine(line)).toEqual(input);
  });
});

describe('handleChatInput', () => {
  async function env() {
    const e = setup();
    const room = await joinedRoom(e);
    const parsed = parseCli(['chat', ROOM, '--timeout', '5000'], { XMUC_JID: 'bob@localhost', XMUC_PASSWORD: 'pw' });
    if (parsed.help) throw new Error('help');
    const session: Session = {
      connection: e.conn,
      muc: e.muc,
      logger: silentLogger,
      config: parsed.connection,
      close: () => e.muc.close(),
    };
    const errLines: string[] = [];
    const io: CliIO = { out: () => undefined, err: (l) => errLines.push(l), signal: new AbortController().signal };
    return { ...e, room, session, io, errLines };
  }

  it('sends a line as a groupchat message and a /msg as a MUC private message', async () => {
    const t = await env();
    expect(await handleChatInput(t.session, t.io, t.room, parseChatLine('hello all'))).toBe(true);
    t.conn.expectSent(
      `<message to="${ROOM}" type="groupchat" id="*"><body>hello all</body><origin-id xmlns="urn:xmpp:sid:0" id="*"/></message>`,
    );
    expect(await handleChatInput(t.session, t.io, t.room, parseChatLine('/msg alice psst'))).toBe(true);
    t.conn.expectSent(
      `<message to="${ROOM}/alice" type="chat" id="*"><body>psst</body><origin-id xmlns="urn:xmpp:sid:0" id="*"/><x xmlns="http://jabber.org/protocol/muc#user"/></message>`,
    );
    t.conn.expectNothingSent();
    expect(t.errLines).toEqual([]);
  });

  it('refuses a /msg to a nick not in the room without sending', async () => {
    const t = await env();
    expect(await handleChatInput(t.session, t.io, t.room, parseChatLine('/msg nobody hi'))).toBe(true);
    t.conn.expectNothingSent();
    expect(t.errLines).toEqual(['xmuc: no occupant nobody in the room']);
  });

  it('sets the topic and reports a refusal on stderr, then goes on', async () => {
    const t = await env();
    const pending = handleChatInput(t.session, t.io, t.room, parseChatLine('/topic Release day'));
    const sent = t.conn.expectSent(`<message to="${ROOM}" type="groupchat" id="*"><subject>Release day</subject></message>`);
    t.conn.receive(`<message from="${ROOM}" to="bob@localhost/probe" type="error" id="${String(sent.attrs.id)}"><subject>Release day</subject>
      <error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`);
    expect(await pending).toBe(true);
    expect(t.errLines).toEqual(['xmuc: refused: auth/forbidden']);
  });

  it('changes the nick through the 303 round trip', async () => {
    const t = await env();
    const pending = handleChatInput(t.session, t.io, t.room, parseChatLine('/nick bobby'));
    t.conn.expectSent(`<presence to="${ROOM}/bobby" id="*"/>`);
    t.conn.receive(
      `<presence from="${ROOM}/bob" to="bob@localhost/probe" type="unavailable"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none" nick="bobby"/><status code="303"/><status code="110"/></x></presence>`,
    );
    t.conn.receive(
      `<presence from="${ROOM}/bobby" to="bob@localhost/probe"><x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="110"/></x></presence>`,
    );
    expect(await pending).toBe(true);
    expect(t.room.me?.nick).toBe('bobby');
    expect(t.errLines).toEqual([]);
  });

  it('stops on /quit and reports bad commands without sending', async () => {
    const t = await env();
    expect(await handleChatInput(t.session, t.io, t.room, parseChatLine('/quit'))).toBe(false);
    expect(await handleChatInput(t.session, t.io, t.room, parseChatLine('/nick'))).toBe(true);
    t.conn.expectNothingSent();
    expect(t.errLines).toEqual(['xmuc: usage: /nick NEW']);
  });
});

describe('watchStatus', () => {
  const SELF_PING = { softTimeoutMs: 1000, hardTimeoutMs: 2000, pingIntervalMs: 500, pingTimeoutMs: 400 };
  const said = (sid: string, body: string) =>
    `<message from="${ROOM}/alice" type="groupchat" id="${sid}-id"><body>${body}</body><stanza-id xmlns="urn:xmpp:sid:0" by="${ROOM}" id="${sid}"/></message>`;

  it('shows stale when the room goes silent, joined again on fresh, left on exit', async () => {
    const e = setup(undefined, { selfPing: SELF_PING });
    const room = await joinedRoom(e);
    const shown: [ChatStatus, string | undefined][] = [];
    const off = watchStatus(room, (status, nick) => shown.push([status, nick]));
    e.conn.receive(said('s0', 'zero'));
    // Silence: the self-pings go unanswered (inconclusive) until hardTimeoutMs.
    for (let i = 0; i < 5; i++) {
      e.clock.advance(500);
      for (let j = 0; j < 50; j++) await Promise.resolve();
    }
    expect(room.isStale).toBe(true);
    expect(shown).toEqual([['stale', undefined]]);
    e.conn.takeSent();
    e.conn.receive(said('s1', 'back'));
    expect(room.isStale).toBe(false);
    expect(shown).toEqual([
      ['stale', undefined],
      ['joined', undefined],
    ]);
    await e.muc.close();
    expect(shown).toEqual([
      ['stale', undefined],
      ['joined', undefined],
      ['left', undefined],
    ]);
    off();
  });
});
