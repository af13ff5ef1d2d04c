import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import { recordEvents } from '../../test/support/record-events.js';
import { AlivenessMonitor } from './aliveness.js';

function setup(limits: { softTimeoutMs?: number; hardTimeoutMs?: number } = { softTimeoutMs: 100, hardTimeoutMs: 150 }) {
  const clock = new FakeClock();
  const monitor = new AlivenessMonitor({ ...limits, clock });
  const events = recordEvents(monitor, ['softTimeout', 'hardTimeout', 'fresh']);
  return { clock, monitor, events };
}

describe('AlivenessMonitor', () => {
  it('fires softTimeout then hardTimeout exactly at their limits, once each per silence', () => {
    const { clock, monitor, events } = setup();
    expect(clock.pending).toBe(2);
    clock.advance(99);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([['softTimeout', { silentForMs: 100 }]]);
    expect(monitor.softTripped).toBe(true);
    expect(monitor.hardTripped).toBe(false);
    clock.advance(49);
    expect(events.names()).toEqual(['softTimeout']);
    clock.advance(1);
    expect(events).toEqual([
      ['softTimeout', { silentForMs: 100 }],
      ['hardTimeout', { silentForMs: 150 }],
    ]);
    expect(monitor.hardTripped).toBe(true);
    // Both fired: no timer left, and nothing more however long the silence lasts.
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(events).toHaveLength(2);
  });

  it('traffic before the soft limit postpones both limits, keeping the same two timers', () => {
    const { clock, monitor, events } = setup();
    clock.advance(80);
    monitor.notifyReceived();
    expect(monitor.lastReceived).toBe(clock.now());
    expect(clock.pending).toBe(2);
    clock.advance(99);
    expect(events).toEqual([]);
    expect(clock.pending).toBe(2);
    clock.advance(1);
    expect(events).toEqual([['softTimeout', { silentForMs: 100 }]]);
    clock.advance(50);
    expect(events.names()).toEqual(['softTimeout', 'hardTimeout']);
    expect(events[1]).toEqual(['hardTimeout', { silentForMs: 150 }]);
  });

  it('traffic after the soft limit re-arms it, without fresh (not stale yet)', () => {
    const { clock, monitor, events } = setup();
    clock.advance(120);
    expect(events.names()).toEqual(['softTimeout']);
    monitor.notifyReceived();
    expect(monitor.softTripped).toBe(false);
    expect(events.names()).toEqual(['softTimeout']);
    clock.advance(99);
    expect(events.names()).toEqual(['softTimeout']);
    clock.advance(1);
    expect(events.names()).toEqual(['softTimeout', 'softTimeout']);
    clock.advance(50);
    expect(events.names()).toEqual(['softTimeout', 'softTimeout', 'hardTimeout']);
  });

  it('traffic after the hard limit emits fresh with the length of the silence, then a new silence starts', () => {
    const { clock, monitor, events } = setup();
    clock.advance(400);
    expect(clock.pending).toBe(0);
    monitor.notifyReceived();
    expect(events).toEqual([
      ['softTimeout', { silentForMs: 100 }],
      ['hardTimeout', { silentForMs: 150 }],
      ['fresh', { silentForMs: 400 }],
    ]);
    expect(monitor.hardTripped).toBe(false);
    expect(clock.pending).toBe(2);
    // Traffic while fresh: no second fresh.
    clock.advance(10);
    monitor.notifyReceived();
    expect(events.names()).toEqual(['softTimeout', 'hardTimeout', 'fresh']);
    clock.advance(150);
    expect(events.names()).toEqual(['softTimeout', 'hardTimeout', 'fresh', 'softTimeout', 'hardTimeout']);
  });

  it('a disabled limit holds no timer and never fires', () => {
    const { clock, events } = setup({ hardTimeoutMs: 50 });
    expect(clock.pending).toBe(1);
    clock.advance(1000);
    expect(events.names()).toEqual(['hardTimeout']);
    const none = setup({});
    expect(none.clock.pending).toBe(0);
    none.monitor.notifyReceived();
    expect(none.clock.pending).toBe(0);
    none.clock.advance(1000);
    expect(none.events).toEqual([]);
  });

  it('changing a limit re-checks against the last reception at once', () => {
    const { clock, monitor, events } = setup();
    clock.advance(60);
    monitor.softTimeoutMs = 50; // already 60 ms silent: due now
    expect(monitor.softTimeoutMs).toBe(50);
    expect(clock.pending).toBe(2);
    clock.advance(0);
    expect(events).toEqual([['softTimeout', { silentForMs: 60 }]]);
    // A limit that fired this silence does not fire again when changed.
    monitor.softTimeoutMs = 10;
    clock.advance(0);
    expect(events.names()).toEqual(['softTimeout']);
    // Raising the hard limit moves it; disabling it clears its timer.
    monitor.hardTimeoutMs = 300;
    clock.advance(200);
    expect(events.names()).toEqual(['softTimeout']);
    monitor.hardTimeoutMs = undefined;
    expect(monitor.hardTimeoutMs).toBeUndefined();
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(events.names()).toEqual(['softTimeout']);
    expect(() => {
      monitor.hardTimeoutMs = -1;
    }).toThrow(InvalidArgumentError);
  });

  it('close() clears every timer; later traffic does nothing', () => {
    const { clock, monitor, events } = setup();
    clock.advance(200);
    expect(monitor.hardTripped).toBe(true);
    monitor.notifyReceived();
    expect(clock.pending).toBe(2);
    monitor.close();
    expect(monitor.closed).toBe(true);
    expect(clock.pending).toBe(0);
    monitor.notifyReceived();
    monitor.softTimeoutMs = 5;
    monitor.close();
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(events.names()).toEqual(['softTimeout', 'hardTimeout', 'fresh']);
  });

  it('close() from a listener stops the other limit too', () => {
    const { clock, monitor, events } = setup({ softTimeoutMs: 100, hardTimeoutMs: 100 });
    monitor.on('softTimeout', () => monitor.close());
    clock.advance(100);
    expect(events.names()).toEqual(['softTimeout']);
    expect(clock.pending).toBe(0);
  });

  it('a listener that throws does not stop the monitor', () => {
    const { clock, monitor, events } = setup();
    monitor.on('softTimeout', () => {
      throw new Error('boom');
    });
    clock.advance(150);
    expect(events.names()).toEqual(['softTimeout', 'hardTimeout']);
  });

  it('rejects bad durations', () => {
    expect(() => new AlivenessMonitor({ softTimeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new AlivenessMonitor({ hardTimeoutMs: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
