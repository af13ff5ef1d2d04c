import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { AbortError, DisconnectedError, StanzaError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { IqTracker } from './iq-tracker.js';

const reply = (id: string, from?: string, type = 'result') => new Element('iq', from === undefined ? { id, type } : { id, type, from });

describe('IqTracker', () => {
  it('requests to the account itself accept no from, the bare or the full own JID, nothing else', async () => {
    const t = new IqTracker({ clock: new FakeClock(), ownJid: () => JID.parse('alice@localhost/r1') });
    const a = t.track('a', undefined, 1000, undefined);
    expect(t.handleReply(reply('a', 'localhost'))).toBe(false);
    expect(t.handleReply(reply('a', 'alice@localhost/other'))).toBe(false);
    expect(t.handleReply(reply('a', 'alice@localhost'))).toBe(true);
    await expect(a).resolves.toBeInstanceOf(Element);
    const b = t.track('b', 'alice@localhost', 1000, undefined);
    expect(t.handleReply(reply('b'))).toBe(true);
    await b;
    const c = t.track('c', undefined, 1000, undefined);
    expect(t.handleReply(reply('c', 'ALICE@localhost/r1'))).toBe(true);
    await c;
  });

  it('requests to another entity accept only that entity (after normalisation)', async () => {
    const t = new IqTracker({ clock: new FakeClock(), ownJid: () => JID.parse('alice@localhost/r1') });
    const p = t.track('q', 'Room@Conference.localhost', 1000, undefined);
    expect(t.handleReply(reply('q'))).toBe(false);
    expect(t.handleReply(reply('q', 'alice@localhost'))).toBe(false);
    expect(t.handleReply(reply('q', 'room@conference.localhost', 'error'))).toBe(true);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StanzaError);
    expect((err as StanzaError).condition).toBe('undefined-condition'); // no <error/> child: never a TypeError
  });

  it('aborts, rejects all, and leaves no timer', async () => {
    const clock = new FakeClock();
    const t = new IqTracker({ clock, ownJid: () => undefined });
    const ac = new AbortController();
    const a = t.track('a', 'x@y', 1000, ac.signal);
    const b = t.track('b', 'x@y', 1000, undefined);
    ac.abort();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    expect([...t.rejectAll(new DisconnectedError())]).toEqual(['b']);
    await expect(b).rejects.toBeInstanceOf(DisconnectedError);
    expect(clock.pending).toBe(0);
    expect(t.size).toBe(0);
  });
});
