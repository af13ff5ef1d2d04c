import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { x } from '../../test/support/xml.js';
import { FakeClock } from '../core/clock.js';
import { RoomState } from './constants.js';
import { type GroupchatInput, classifyGroupchat } from './groupchat.js';
import { readMessage } from './message.js';
import { SeenMessages } from './seen-messages.js';
import { MessageTracker, ReflectionMatcher } from './tracking.js';

const DELAY = '<delay xmlns="urn:xmpp:delay" from="probe@conference.localhost" stamp="2026-11-25T11:44:30Z"/>';
const msg = (nick: string | undefined, inner: string, id = 'm1') =>
  readMessage(
    x(`<message type="groupchat" id="${id}" from="probe@conference.localhost${nick === undefined ? '' : `/${nick}`}">${inner}</message>`),
  );

function input(over: Partial<GroupchatInput> & Pick<GroupchatInput, 'message'>): GroupchatInput {
  return {
    nick: 'alice',
    stanzaId: undefined,
    state: RoomState.ACTIVE,
    myNick: 'bob',
    seen: new SeenMessages(),
    trackers: new ReflectionMatcher(),
    ...over,
  };
}

describe('classifyGroupchat', () => {
  it('a live message while ACTIVE: message, not history, nothing to end', () => {
    expect(classifyGroupchat(input({ message: msg('alice', '<body>hi</body>') }))).toEqual({
      kind: 'message',
      endsHistory: 'no',
      isHistory: false,
    });
  });

  it('a subject without a body is a subject (live or delayed); with a body it is a message', () => {
    expect(classifyGroupchat(input({ message: msg('alice', '<subject>t</subject>') }))).toEqual({
      kind: 'subject',
      endsHistory: 'no',
      isHistory: false,
    });
    expect(classifyGroupchat(input({ message: msg(undefined, '<subject/>'), nick: undefined, state: RoomState.HISTORY }))).toEqual({
      kind: 'subject',
      endsHistory: 'after',
      isHistory: false,
    });
    expect(classifyGroupchat(input({ message: msg('alice', `<subject>t</subject>${DELAY}`), state: RoomState.HISTORY }))).toEqual({
      kind: 'subject',
      endsHistory: 'after',
      isHistory: true,
    });
    expect(classifyGroupchat(input({ message: msg('alice', '<subject>t</subject><body>b</body>') })).kind).toBe('message');
  });

  it('in HISTORY: a delayed message is history; a live one ends the history before it is handled', () => {
    expect(classifyGroupchat(input({ message: msg('alice', `<body>old</body>${DELAY}`), state: RoomState.HISTORY }))).toEqual({
      kind: 'message',
      endsHistory: 'no',
      isHistory: true,
    });
    expect(classifyGroupchat(input({ message: msg('alice', '<body>live</body>'), state: RoomState.HISTORY }))).toEqual({
      kind: 'message',
      endsHistory: 'before',
      isHistory: false,
    });
    // A delayed message outside HISTORY (e.g. offline storage) is not history.
    expect(classifyGroupchat(input({ message: msg('alice', `<body>old</body>${DELAY}`) })).isHistory).toBe(false);
  });

  it('history already seen is a duplicate; the same message live is not checked against what was seen', () => {
    const seen = new SeenMessages();
    const old = msg('alice', `<body>old</body>${DELAY}`);
    seen.rememberMessage(old, 's1', 'alice');
    expect(classifyGroupchat(input({ message: old, stanzaId: 's1', state: RoomState.HISTORY, seen })).kind).toBe('duplicate');
    expect(classifyGroupchat(input({ message: old, stanzaId: 's2', state: RoomState.HISTORY, seen })).kind).toBe('message');
    expect(classifyGroupchat(input({ message: msg('alice', '<body>old</body>'), stanzaId: 's1', seen })).kind).toBe('message');
  });

  it('a live message from our nick matching an open tracker is its reflection; history and others are not', () => {
    const trackers = new ReflectionMatcher();
    const tracker = new MessageTracker({ id: 'id2', body: 'hello', stanza: new Element('message', { id: 'id2' }), clock: new FakeClock() });
    trackers.add(tracker);
    expect(classifyGroupchat(input({ message: msg('bob', '<body>hello</body>', 'id2'), nick: 'bob', trackers }))).toEqual({
      kind: 'reflection',
      endsHistory: 'no',
      isHistory: false,
      tracker,
    });
    expect(classifyGroupchat(input({ message: msg('bob', '<body>hello</body>', 'rewritten'), nick: 'bob', trackers })).tracker).toBe(
      tracker,
    );
    expect(classifyGroupchat(input({ message: msg('alice', '<body>hello</body>', 'id2'), nick: 'alice', trackers })).kind).toBe('message');
    expect(
      classifyGroupchat(
        input({ message: msg('bob', `<body>hello</body>${DELAY}`, 'id2'), nick: 'bob', state: RoomState.HISTORY, trackers }),
      ).kind,
    ).toBe('message');
    expect(classifyGroupchat(input({ message: msg(undefined, '<body>hello</body>', 'id2'), nick: undefined, trackers })).kind).toBe(
      'message',
    );
    tracker.close();
  });

  it('changes nothing: what was seen and the open trackers stay as they were', () => {
    const seen = new SeenMessages();
    const trackers = new ReflectionMatcher();
    const tracker = new MessageTracker({ id: 'id2', body: 'hello', stanza: new Element('message', { id: 'id2' }), clock: new FakeClock() });
    trackers.add(tracker);
    const message = msg('bob', '<body>hello</body>', 'id2');
    classifyGroupchat(input({ message, nick: 'bob', trackers, seen }));
    expect(seen.size).toBe(0);
    expect(trackers.size).toBe(1);
    expect(tracker.state).toBe('in-transit');
    tracker.close();
  });
});
