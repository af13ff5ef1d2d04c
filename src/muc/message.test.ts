import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../test/support/xml.js';
import { JID } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { recordingLogger } from '../core/logger.js';
import { buildMessage, readMessage, readMessageFrom } from './message.js';

const j = (s: string) => JID.parse(s);
const lm = (...entries: [string | null, string][]) => new LanguageMap(entries);

describe('readMessage on captured and XEP stanzas', () => {
  it('reads a Prosody history message: delay, stanza-id, origin-id, occupant-id', () => {
    const el = loadFixture('prosody-history-message');
    expect(readMessage(el)).toStrictEqual({
      id: 'alice-msg-1',
      type: 'groupchat',
      from: j('probe@conference.localhost/alice'),
      to: j('carol@localhost/probe'),
      body: lm(['en', 'hello from alice']),
      originId: 'alice-origin-1',
      occupantId: 'JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg=',
      delay: { stamp: new Date('2026-11-25T11:44:30Z'), from: j('probe@conference.localhost') },
      stanzaId: [{ id: 'ftGg3KABXstLH0P85D3VaSQb', by: j('probe@conference.localhost') }],
      hasMucUserMarker: false,
      element: el,
    });
  });

  it('reads an ejabberd history message (fractional stamp, no occupant-id, <archived/> ignored)', () => {
    const m = readMessage(loadFixture('ejabberd-history-message'));
    expect(m.delay).toStrictEqual({ stamp: new Date(Date.UTC(2026, 10, 25, 11, 48, 59, 580)), from: j('probe@conference.localhost') });
    expect(m.stanzaId).toStrictEqual([{ id: '1795607339580182', by: j('probe@conference.localhost') }]);
    expect(m.occupantId).toBeUndefined();
    expect(m.originId).toBeUndefined();
    expect(m.body).toStrictEqual(lm(['en', 'hi alice']));
  });

  it('reads live messages without delay', () => {
    const p = readMessage(loadFixture('prosody-live-message'));
    expect(p.delay).toBeUndefined();
    expect(p.originId).toBe('alice-origin-1');
    const e = readMessage(loadFixture('ejabberd-live-message'));
    expect(e.delay).toBeUndefined();
    expect(e.originId).toBe('alice-origin-1');
    expect(e.stanzaId).toStrictEqual([{ id: '1795607338122259', by: j('probe@conference.localhost') }]);
    expect(e.subject).toBeUndefined();
  });

  it('reads an XEP history message', () => {
    const m = readMessage(loadFixture('xep-history-message'));
    expect(m.body).toStrictEqual(lm([null, "Thrice the brinded cat hath mew'd."]));
    expect(m.delay).toStrictEqual({ stamp: new Date('2002-10-13T23:58:37Z'), from: j('coven@chat.shakespeare.lit') });
    expect(m.stanzaId).toBeUndefined();
  });

  it('tells an empty <subject/> (subject set to empty) from no subject', () => {
    for (const name of ['prosody-subject-empty-create', 'ejabberd-subject-empty-create', 'xep-subject-empty']) {
      const m = readMessage(loadFixture(name));
      expect(m.subject, name).toStrictEqual(lm([null, '']));
      expect(m.body.size, name).toBe(0);
    }
    expect(readMessage(loadFixture('prosody-live-message')).subject).toBeUndefined();
  });

  it('reads the subject on join with and without delay', () => {
    const p = readMessage(loadFixture('prosody-subject-on-join-delayed'));
    expect(p.subject).toStrictEqual(lm([null, 'Probe subject']));
    expect(p.delay?.stamp).toStrictEqual(new Date('2026-11-25T11:44:32Z'));
    const e = readMessage(loadFixture('ejabberd-subject-on-join'));
    expect(e.subject).toStrictEqual(lm([null, 'Probe subject']));
    expect(e.delay).toBeUndefined();
    const xep = readMessage(loadFixture('xep-subject-on-join'));
    expect(xep.subject).toStrictEqual(lm([null, 'Fire Burn and Cauldron Bubble!']));
    expect(xep.delay?.stamp).toStrictEqual(new Date(Date.UTC(1610, 3, 20)));
  });

  it('marks MUC private messages and keeps a stanza-id by another entity', () => {
    const p = readMessage(loadFixture('prosody-pm'));
    expect(p.type).toBe('chat');
    expect(p.hasMucUserMarker).toBe(true);
    expect(p.stanzaId).toStrictEqual([{ id: '2c_9MqcGUAWnBXn0OX_nCLq2', by: j('alice@localhost') }]);
    const e = readMessage(loadFixture('ejabberd-pm'));
    expect(e.hasMucUserMarker).toBe(true);
    expect(e.body).toStrictEqual(lm(['en', 'psst']));
  });

  it('marks mediated invitations', () => {
    const m = readMessage(loadFixture('prosody-mediated-invite'));
    expect(m.type).toBe('normal');
    expect(m.hasMucUserMarker).toBe(true);
    expect(m.from).toStrictEqual(j('probe@conference.localhost'));
  });
});

describe('readMessage on hostile input', () => {
  it('accepts a message without from, to, id or type', () => {
    const el = x`<message><body>hi</body></message>`;
    expect(readMessage(el)).toStrictEqual({ type: 'normal', body: lm([null, 'hi']), hasMucUserMarker: false, element: el });
  });

  it('drops a malformed from (logged) and reads an unknown type as normal', () => {
    const logger = recordingLogger();
    const m = readMessage(x`<message from='@bad/' type='shout'><body>x</body></message>`, logger);
    expect(m.from).toBeUndefined();
    expect(m.type).toBe('normal');
    expect(logger.records).toStrictEqual([
      { level: 'debug', message: 'dropping malformed JID', context: { element: 'message', attribute: 'from' } },
    ]);
  });

  it('keeps every stanza-id in order, foreign ones included, and drops malformed ones', () => {
    const logger = recordingLogger();
    const m = readMessage(
      x`<message from='room@muc.example/nick' type='groupchat'>
        <stanza-id xmlns='urn:xmpp:sid:0' by='evil@example.org' id='forged'/>
        <stanza-id xmlns='urn:xmpp:sid:0' id='no-by'/>
        <stanza-id xmlns='urn:xmpp:sid:0' by='room@muc.example'/>
        <stanza-id xmlns='urn:xmpp:sid:0' by='room@muc.example' id='real'/>
        <stanza-id xmlns='urn:xmpp:sid:1' by='room@muc.example' id='other-ns'/>
      </message>`,
      logger,
    );
    expect(m.stanzaId).toStrictEqual([
      { id: 'forged', by: j('evil@example.org') },
      { id: 'real', by: j('room@muc.example') },
    ]);
    expect(logger.records.map((r) => r.message)).toEqual(['dropping malformed stanza-id', 'dropping malformed stanza-id']);
  });

  it.each(['yesterday', '2002-13-01T00:00:00Z', '2002-10-13 23:58:37', '', '2002-10-13T25:00:00Z'])(
    'drops a delay with the malformed stamp %j (logged)',
    (stamp) => {
      const logger = recordingLogger();
      const m = readMessage(
        x`<message type='groupchat'><body>b</body><delay xmlns='urn:xmpp:delay' from='room@muc.example' stamp='${stamp}'/></message>`,
        logger,
      );
      expect(m.delay).toBeUndefined();
      expect(m.body).toStrictEqual(lm([null, 'b']));
      expect(logger.records).toStrictEqual([{ level: 'debug', message: 'dropping delay with malformed stamp', context: { stamp } }]);
    },
  );

  it('drops a delay without stamp and keeps a delay with a time zone offset', () => {
    expect(readMessage(x`<message><delay xmlns='urn:xmpp:delay'/></message>`).delay).toBeUndefined();
    const m = readMessage(x`<message><delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25.123-06:00'/></message>`);
    expect(m.delay).toStrictEqual({ stamp: new Date('2002-09-11T05:08:25.123Z') });
  });

  it('reads a huge body intact', () => {
    const big = 'a'.repeat(2_000_000);
    const el = new Element('message', { type: 'groupchat' }).c('body').t(big).up();
    const m = readMessage(el);
    expect(m.body.get(null)).toBe(big);
  });

  it('ignores look-alikes in foreign namespaces and keeps the first of duplicates', () => {
    const m = readMessage(
      x`<message xmlns='jabber:client' type='groupchat'>
        <body xmlns='urn:example:evil'>not a body</body>
        <subject xmlns='urn:example:evil'>not a subject</subject>
        <x xmlns='urn:example:evil'/>
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='first'/>
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='second'/>
        <origin-id xmlns='urn:xmpp:sid:0' id=''/>
        <body>one</body><body>two</body><body xml:lang='de'>eins</body>
        <thread>t1</thread><thread>t2</thread>
      </message>`,
    );
    expect(m.body).toStrictEqual(lm([null, 'one'], ['de', 'eins']));
    expect(m.subject).toBeUndefined();
    expect(m.hasMucUserMarker).toBe(false);
    expect(m.occupantId).toBe('first');
    expect(m.originId).toBeUndefined();
    expect(m.thread).toBe('t1');
  });

  it('never throws, even on a hand-built tree holding garbage', () => {
    const el = new Element('message', { from: 42 as unknown as string, type: 'groupchat' });
    el.children.push(null as unknown as Element, new Element('body'));
    const logger = recordingLogger();
    const m = readMessage(el, logger);
    expect(m.type).toBe('groupchat');
    expect(m.from).toBeUndefined();
    expect(logger.records.map((r) => r.message)).toEqual(['error while reading message']);
  });
});

describe('buildMessage', () => {
  it('builds a groupchat message with origin-id', () => {
    const el = buildMessage({ to: j('room@muc.example'), id: 'm1', body: 'hello', originId: 'm1' });
    expect(canonical(el)).toBe(
      canonical(
        x`<message to='room@muc.example' type='groupchat' id='m1'><body>hello</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/></message>`,
      ),
    );
  });

  it('builds a MUC private message with the muc#user marker', () => {
    const el = buildMessage({ to: 'room@muc.example/bob', type: 'chat', id: 'p1', body: 'psst', mucUserMarker: true });
    expect(canonical(el)).toBe(
      canonical(
        x`<message to='room@muc.example/bob' type='chat' id='p1'><body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`,
      ),
    );
  });

  it('sends an empty <subject/> to clear the topic, and languages as xml:lang', () => {
    expect(canonical(buildMessage({ to: 'room@muc.example', subject: '' }))).toBe(
      canonical(x`<message to='room@muc.example' type='groupchat'><subject/></message>`),
    );
    const el = buildMessage({
      to: 'room@muc.example',
      subject: lm([null, 'Hi'], ['de', 'Hallo']),
      thread: 'th',
      extra: [new Element('foo', { xmlns: 'urn:x' })],
    });
    expect(canonical(el)).toBe(
      canonical(
        x`<message to='room@muc.example' type='groupchat'><subject>Hi</subject><subject xml:lang='de'>Hallo</subject><thread>th</thread><foo xmlns='urn:x'/></message>`,
      ),
    );
  });

  it('round-trips through readMessage', () => {
    const el = buildMessage({ to: 'room@muc.example', id: 'r', body: lm(['en', 'hi']), originId: 'o' });
    const m = readMessage(el);
    expect(m.body).toStrictEqual(lm(['en', 'hi']));
    expect(m.originId).toBe('o');
    expect(m.id).toBe('r');
  });
});

describe('readMessage on consecutive messages (the JIDs and occupant id that recur are reused)', () => {
  it('reads each message its own to, stanza-id by and occupant id, malformed ones dropped, also between equal ones', () => {
    const read = (to: string, by: string, occupantId: string) =>
      readMessage(
        x(
          `<message to='${to}' type='groupchat'><body>b</body><occupant-id xmlns='urn:xmpp:occupant-id:0' id='${occupantId}'/><stanza-id xmlns='urn:xmpp:sid:0' id='s' by='${by}'/></message>`,
        ),
      );
    const seen = [
      read('a@localhost/r', 'room@muc.example', 'occ-A'),
      read('a@localhost/r', 'room@muc.example', 'occ-A'),
      read('b@localhost/r', 'other@muc.example', 'occ-B'),
      read('a@@bad', 'room@@bad', 'occ-B'),
      read('a@localhost/r', 'room@muc.example', 'occ-A'),
    ].map((m) => [m.to?.toString(), m.stanzaId?.[0]?.by.toString(), m.occupantId]);
    expect(seen).toEqual([
      ['a@localhost/r', 'room@muc.example', 'occ-A'],
      ['a@localhost/r', 'room@muc.example', 'occ-A'],
      ['b@localhost/r', 'other@muc.example', 'occ-B'],
      [undefined, undefined, 'occ-B'],
      ['a@localhost/r', 'room@muc.example', 'occ-A'],
    ]);
  });

  it('readMessageFrom takes the from JID the stanza was routed by, and reads the rest as readMessage does', () => {
    const el = loadFixture('prosody-history-message');
    const from = j('probe@conference.localhost/alice');
    const m = readMessageFrom(el, recordingLogger(), from);
    expect(m.from).toBe(from);
    expect(m).toStrictEqual(readMessage(el));
  });
});
