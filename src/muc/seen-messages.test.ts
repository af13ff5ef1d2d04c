import { describe, expect, it } from 'vitest';
import { x } from '../../test/support/xml.js';
import { readMessage } from './message.js';
import { JID } from '../core/jid.js';
import { roomStanzaId } from './message-keys.js';
import { SeenMessages } from './seen-messages.js';

const msg = (attrs: string, children = '') =>
  readMessage(x(`<message type="groupchat" from="r@c.localhost/alice" ${attrs}><body>b</body>${children}</message>`));

const stamp = (t: string) => `<delay xmlns="urn:xmpp:delay" from="r@c.localhost" stamp="${t}"/>`;
const said = (id: string, body: string, extra = '') =>
  readMessage(x(`<message type="groupchat" from="r@c.localhost/alice" id="${id}"><body>${body}</body>${extra}</message>`));

describe('SeenMessages', () => {
  it('the room stanza-id decides when both have one: a reused client id with a new stanza-id is new', () => {
    const seen = new SeenMessages();
    expect(seen.hasMessage(msg('id="m1"'), 's1', 'alice')).toBe(false);
    seen.rememberMessage(msg('id="m1"'), 's1', 'alice');
    expect(seen.hasMessage(msg('id="m1"'), 's1', 'alice')).toBe(true);
    expect(seen.hasMessage(msg('id="m1"'), 's2', 'alice')).toBe(false);
    expect(seen.hasMessage(msg('id="m1"'), undefined, 'alice')).toBe(true);
    expect(seen.hasMessage(msg('id="m1"'), undefined, 'bob')).toBe(false);
    expect(seen.hasMessage(msg(''), undefined, 'alice')).toBe(false);
  });

  it('remembers without asking first: a message remembered twice counts twice and is still found', () => {
    const seen = new SeenMessages();
    seen.rememberMessage(msg('id="m1"'), 's1', 'alice');
    seen.rememberMessage(msg('id="m1"'), 's1', 'alice');
    expect(seen.size).toBe(2);
    expect(seen.hasMessage(msg('id="m1"'), 's1', 'alice')).toBe(true);
    seen.rememberMessage(msg(''), undefined, 'alice');
    expect(seen.size).toBe(2);
  });

  it('issue 13 bug 4: a weak key (id + nick) includes the body, so a reused id with another body is a new message', () => {
    const seen = new SeenMessages();
    seen.rememberMessage(said('1', 'first'), undefined, 'alice');
    expect(seen.hasMessage(said('1', 'second', stamp('2026-11-25T11:44:30Z')), undefined, 'alice')).toBe(false);
    expect(seen.hasMessage(said('1', 'first', stamp('2026-11-25T11:44:30Z')), undefined, 'alice')).toBe(true);
  });

  it("real clients' id habits: counters restarting at 1, a constant id, the same text twice at different times", () => {
    const seen = new SeenMessages();
    // A bot that counts from 1 again after each restart (and so sends "1" twice with other texts).
    seen.rememberMessage(said('1', 'build #41 passed', stamp('2026-11-25T10:00:00Z')), undefined, 'alice');
    expect(seen.hasMessage(said('1', 'build #42 passed', stamp('2026-11-25T11:00:00Z')), undefined, 'alice')).toBe(false);
    // A client that sends every message with the same id ("purple"-style constant ids).
    seen.rememberMessage(said('purple', 'hello'), undefined, 'alice');
    expect(seen.hasMessage(said('purple', 'how are you', stamp('2026-11-25T11:44:31Z')), undefined, 'alice')).toBe(false);
    // The same text with the same id, an hour apart in history: two messages (stamps differ).
    seen.rememberMessage(said('7', 'ok', stamp('2026-11-25T10:00:00Z')), undefined, 'alice');
    expect(seen.hasMessage(said('7', 'ok', stamp('2026-11-25T11:00:00Z')), undefined, 'alice')).toBe(false);
    // ... but the same message replayed with its stamp at another precision is the same one.
    expect(seen.hasMessage(said('7', 'ok', stamp('2026-11-25T10:00:00.400Z')), undefined, 'alice')).toBe(true);
    // An origin-id decides over the id.
    seen.rememberMessage(said('1', 'x', '<origin-id xmlns="urn:xmpp:sid:0" id="o1"/>'), undefined, 'alice');
    expect(seen.hasMessage(said('2', 'x', '<origin-id xmlns="urn:xmpp:sid:0" id="o1"/>'), undefined, 'alice')).toBe(true);
    expect(seen.hasMessage(said('1', 'x', '<origin-id xmlns="urn:xmpp:sid:0" id="o2"/>'), undefined, 'alice')).toBe(false);
  });

  it('is bounded: the oldest messages are forgotten first', () => {
    const seen = new SeenMessages(3);
    for (const id of ['a', 'b', 'c', 'd']) seen.rememberMessage(msg(`id="${id}"`), undefined, 'alice');
    expect(seen.size).toBe(3);
    expect(['a', 'b', 'd'].map((id) => seen.hasMessage(msg(`id="${id}"`), undefined, 'alice'))).toEqual([false, true, true]);
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
