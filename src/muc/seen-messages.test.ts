import { describe, expect, it } from 'vitest';
import { x } from '../../test/support/xml.js';
import { readMessage } from './message.js';
import { JID } from '../core/jid.js';
import { SeenMessages, roomStanzaId } from './seen-messages.js';

const msg = (attrs: string, children = '') => readMessage(x(`<message type="groupchat" from="r@c.localhost/alice" ${attrs}><body>b</body>${children}</message>`));

describe('SeenMessages', () => {
  it('keys a message by room stanza-id, then origin-id, then nick + id, strongest first', () => {
    const m = msg('id="m1"', '<origin-id xmlns="urn:xmpp:sid:0" id="o1"/>');
    expect(SeenMessages.keysOf(m, 's1', 'alice')).toEqual(['sid\u0000s1', 'oid\u0000alice\u0000o1', 'id\u0000alice\u0000m1']);
    expect(SeenMessages.keysOf(msg(''), undefined, 'alice')).toEqual([]);
  });

  it('only the strongest key decides: a reused client id with a new stanza-id is new', () => {
    const seen = new SeenMessages();
    seen.add(SeenMessages.keysOf(msg('id="m1"'), 's1', 'alice'));
    expect(seen.has(SeenMessages.keysOf(msg('id="m1"'), 's1', 'alice'))).toBe(true);
    expect(seen.has(SeenMessages.keysOf(msg('id="m1"'), 's2', 'alice'))).toBe(false);
    expect(seen.has(SeenMessages.keysOf(msg('id="m1"'), undefined, 'alice'))).toBe(true);
    expect(seen.has(SeenMessages.keysOf(msg('id="m1"'), undefined, 'bob'))).toBe(false);
    expect(seen.has([])).toBe(false);
  });

  it('is bounded: the oldest keys are forgotten first', () => {
    const seen = new SeenMessages(3);
    for (const k of ['a', 'b', 'c', 'd']) seen.add([k]);
    expect(seen.size).toBe(3);
    expect([seen.has(['a']), seen.has(['b']), seen.has(['d'])]).toEqual([false, true, true]);
  });

  it('hasMessage/addMessage behave as has/add over keysOf', () => {
    const viaKeys = new SeenMessages(4);
    const direct = new SeenMessages(4);
    const cases: [ReturnType<typeof msg>, string | undefined, string | undefined][] = [
      [msg('id="m1"', '<origin-id xmlns="urn:xmpp:sid:0" id="o1"/>'), 's1', 'alice'],
      [msg('id="m2"'), undefined, 'alice'],
      [msg(''), undefined, undefined],
      [msg('', '<origin-id xmlns="urn:xmpp:sid:0" id="o3"/>'), undefined, undefined],
      [msg('id="m1"'), 's2', 'bob'],
      [msg('id="m2"'), undefined, 'alice'],
    ];
    for (const [m, sid, nick] of cases) {
      expect(direct.hasMessage(m, sid, nick)).toBe(viaKeys.has(SeenMessages.keysOf(m, sid, nick)));
      viaKeys.add(SeenMessages.keysOf(m, sid, nick));
      direct.addMessage(m, sid, nick);
      expect(direct.size).toBe(viaKeys.size);
      for (const [m2, sid2, nick2] of cases) {
        expect(direct.hasMessage(m2, sid2, nick2)).toBe(viaKeys.has(SeenMessages.keysOf(m2, sid2, nick2)));
      }
    }
    expect(direct.hasMessage(msg('id="m2"'), undefined, 'alice')).toBe(true);
    expect(direct.hasMessage(msg(''), undefined, 'alice')).toBe(false);
  });

  it('roomStanzaId takes the stanza-id assigned by the room, whatever the order', () => {
    const room = JID.parse('r@c.localhost');
    const m = msg(
      'id="m1"',
      '<stanza-id xmlns="urn:xmpp:sid:0" by="bob@localhost" id="forged"/><stanza-id xmlns="urn:xmpp:sid:0" by="R@C.localhost" id="real"/><stanza-id xmlns="urn:xmpp:sid:0" by="r@c.localhost" id="second"/>',
    );
    expect(roomStanzaId(m, room)).toBe('real');
    expect(roomStanzaId(msg('id="m1"', '<stanza-id xmlns="urn:xmpp:sid:0" by="bob@localhost" id="forged"/>'), room)).toBeUndefined();
    expect(roomStanzaId(msg('id="m1"'), room)).toBeUndefined();
  });
});
