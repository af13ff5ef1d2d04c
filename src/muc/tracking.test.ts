import { describe, expect, it } from 'vitest';
import { Element } from 'ltx';
import { FakeClock } from '../core/clock.js';
import { StanzaError } from '../core/errors.js';
import { recordEvents } from '../../test/support/record-events.js';
import { MessageState, MessageTracker, ReflectionMatcher, isFinalMessageState } from './tracking.js';

function tracker(clock: FakeClock, init: { id: string; originId?: string; body?: string; timeoutMs?: number }, onClose?: () => void) {
  return new MessageTracker({ ...init, stanza: new Element('message', { id: init.id }), clock, onClose });
}

describe('MessageTracker', () => {
  it('moves IN_TRANSIT -> DELIVERED_TO_SERVER -> DELIVERED_TO_RECIPIENT and then stops', async () => {
    const clock = new FakeClock();
    let closed = 0;
    const t = tracker(clock, { id: 'a' }, () => closed++);
    const rec = recordEvents(t, ['stateChanged']);
    t.transition(MessageState.DELIVERED_TO_SERVER);
    t.transition(MessageState.IN_TRANSIT);
    t.transition(MessageState.DELIVERED_TO_RECIPIENT);
    t.transition(MessageState.ERROR, new Error('late'));
    expect(rec).toEqual([
      ['stateChanged', { state: 'delivered-to-server', previous: 'in-transit' }],
      ['stateChanged', { state: 'delivered-to-recipient', previous: 'delivered-to-server' }],
    ]);
    expect(closed).toBe(1);
    expect(clock.pending).toBe(0);
    await expect(t.settled).resolves.toBe('delivered-to-recipient');
  });

  it('times out after timeoutMs on the injected clock (default 120 s), carrying no error', () => {
    const clock = new FakeClock();
    const t = tracker(clock, { id: 'a' });
    const rec = recordEvents(t, ['stateChanged']);
    clock.advance(120_000);
    expect(rec).toEqual([['stateChanged', { state: 'timed-out', previous: 'in-transit' }]]);
  });

  it('carries the error of ERROR', () => {
    const t = tracker(new FakeClock(), { id: 'a' });
    const error = new StanzaError({ type: 'cancel', condition: 'forbidden' });
    const rec = recordEvents(t, ['stateChanged']);
    t.transition(MessageState.ERROR, error);
    expect(rec[0]![1]).toEqual({ state: 'error', previous: 'in-transit', error });
    expect(t.error).toBe(error);
  });

  it('close() stops tracking without an event; abort() goes ABORTED', async () => {
    const clock = new FakeClock();
    const a = tracker(clock, { id: 'a' });
    const rec = recordEvents(a, ['stateChanged']);
    a.close();
    a.transition(MessageState.DELIVERED_TO_RECIPIENT);
    expect(rec).toEqual([]);
    expect(a.isOpen).toBe(false);
    await expect(a.settled).resolves.toBe('in-transit');
    const b = tracker(clock, { id: 'b', timeoutMs: 0 });
    expect(clock.pending).toBe(0);
    b.abort();
    expect(b.state).toBe('aborted');
    expect(isFinalMessageState(b.state)).toBe(true);
  });

  it('rejects a bad timeout', () => {
    expect(() => tracker(new FakeClock(), { id: 'a', timeoutMs: -1 })).toThrow(/timeoutMs/);
  });
});

describe('ReflectionMatcher', () => {
  it('matches by id, then origin-id, then body, only for messages from our nick', () => {
    const clock = new FakeClock();
    const m = new ReflectionMatcher();
    const a = tracker(clock, { id: 'a', originId: 'oa', body: 'same' });
    const b = tracker(clock, { id: 'b', originId: 'ob', body: 'same' });
    m.add(a);
    m.add(b);
    expect(m.match({ id: 'b', nick: 'Me', body: 'x' }, 'me')).toBe(b);
    expect(m.match({ id: 'zz', originId: 'ob', nick: 'me', body: 'x' }, 'me')).toBe(b);
    expect(m.match({ id: 'zz', nick: 'me', body: 'same' }, 'me')).toBe(a);
    expect(m.match({ id: 'a', nick: 'other', body: 'same' }, 'me')).toBeUndefined();
    expect(m.match({ id: 'a', nick: 'me', body: 'same' }, undefined)).toBeUndefined();
    m.remove(a);
    expect(m.match({ nick: 'me', body: 'same' }, 'me')).toBe(b);
    m.remove(b);
    expect(m.size).toBe(0);
    expect(m.match({ nick: 'me', body: 'same' }, 'me')).toBeUndefined();
  });
});
