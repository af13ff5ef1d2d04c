import { describe, expect, it } from 'vitest';
import { x } from '../../test/support/xml.js';
import { readMessage } from './message.js';
import { SeenMessages } from './seen-messages.js';

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
});
