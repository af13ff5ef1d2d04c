import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/errors.js';
import { catchUpPlan } from './catch-up.js';
import { RoomPosition } from './position.js';

const MAM = ['http://jabber.org/protocol/muc', 'urn:xmpp:mam:2'];
const NO_MAM = ['http://jabber.org/protocol/muc', 'urn:xmpp:mam:1'];
const at = new Date('2026-01-01T10:00:07.400Z');

describe('catchUpPlan', () => {
  it('asks the archive after the last stanza-id, with a time to bound it, and no history on join', () => {
    expect(catchUpPlan({ features: MAM, position: new RoomPosition({ stanzaId: 's1', at }) })).toStrictEqual({
      kind: 'archive-after-id',
      afterId: 's1',
      since: new Date('2026-01-01T10:00:02Z'),
      joinHistory: { maxStanzas: 0 },
    });
    expect(catchUpPlan({ features: new Set(MAM), position: new RoomPosition({ stanzaId: 's1' }) })).toStrictEqual({
      kind: 'archive-after-id',
      afterId: 's1',
      since: undefined,
      joinHistory: { maxStanzas: 0 },
    });
  });

  it('asks the archive by time when no stanza-id is known', () => {
    expect(catchUpPlan({ features: MAM, position: new RoomPosition({ at }), marginMs: 0 })).toStrictEqual({
      kind: 'archive-since',
      since: new Date('2026-01-01T10:00:07Z'),
      joinHistory: { maxStanzas: 0 },
    });
  });

  it('without urn:xmpp:mam:2 asks history since the last message received (not the disconnect), whole seconds', () => {
    for (const features of [NO_MAM, undefined]) {
      expect(catchUpPlan({ features, position: new RoomPosition({ stanzaId: 's1', at }), marginMs: 1000 })).toStrictEqual({
        kind: 'history-since',
        since: new Date('2026-01-01T10:00:06Z'),
        joinHistory: { since: new Date('2026-01-01T10:00:06Z') },
      });
    }
  });

  it("falls back to the application's history when nothing is known", () => {
    expect(catchUpPlan({ features: MAM })).toStrictEqual({ kind: 'history', joinHistory: undefined });
    expect(catchUpPlan({ features: NO_MAM, history: { maxStanzas: 5 } })).toStrictEqual({ kind: 'history', joinHistory: { maxStanzas: 5 } });
    expect(catchUpPlan({ features: NO_MAM, position: new RoomPosition({ stanzaId: 's1' }) })).toStrictEqual({ kind: 'history', joinHistory: undefined });
  });

  it('rounds down before the epoch too, and rejects a bad margin', () => {
    const plan = catchUpPlan({ position: new RoomPosition({ at: new Date(-1500) }), marginMs: 0 });
    expect(plan).toMatchObject({ kind: 'history-since', since: new Date(-2000) });
    expect(() => catchUpPlan({ marginMs: -1 })).toThrow(InvalidArgumentError);
  });

  it('returns a fresh joinHistory object each time', () => {
    const a = catchUpPlan({ features: MAM, position: new RoomPosition({ at }) });
    const b = catchUpPlan({ features: MAM, position: new RoomPosition({ at }) });
    expect(a.joinHistory).not.toBe(b.joinHistory);
  });
});
