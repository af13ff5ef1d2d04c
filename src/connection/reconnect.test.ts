import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../core/clock.js';
import { ReconnectScheduler, backoffDelay } from './reconnect.js';

describe('backoffDelay', () => {
  it('doubles up to the cap with jitter in [ceiling/2, ceiling]', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 1000, 30_000, () => 1))).toEqual([1000, 2000, 4000, 8000, 30_000]);
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 1000, 30_000, () => 0))).toEqual([500, 1000, 2000, 4000, 15_000]);
    expect(backoffDelay(1e9, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

describe('ReconnectScheduler', () => {
  it('follows backoffDelay on the clock, with jitter, capped, reset after success', () => {
    const clock = new FakeClock();
    const randoms = [0, 1, 0.5, 1, 1];
    const s = new ReconnectScheduler(clock, { baseMs: 100, maxMs: 500 }, () => randoms.shift() ?? 1);
    const delays = [0, 1, 2, 3, 4].map(() => s.schedule(() => {}));
    expect(delays).toEqual([50, 200, 300, 500, 500]);
    expect(clock.pending).toBe(1); // rescheduling replaces the pending attempt
    s.reset();
    expect(s.schedule(() => {})).toBe(100);
    let ran = 0;
    s.schedule(() => ran++);
    clock.advance(200);
    expect(ran).toBe(1);
    expect(s.scheduled).toBe(false);
    s.schedule(() => ran++);
    s.cancel();
    expect(clock.pending).toBe(0);
  });

  it('holds the process while an attempt is pending: taken on schedule, released on run, cancel and reschedule', () => {
    const clock = new FakeClock();
    const log: string[] = [];
    let n = 0;
    const hold = (ms: number) => {
      const id = ++n;
      log.push(`hold ${id} ${ms}`);
      return () => log.push(`release ${id}`);
    };
    const s = new ReconnectScheduler(clock, { baseMs: 100, maxMs: 500 }, () => 1, hold);
    s.schedule(() => log.push('run'));
    clock.advance(100);
    s.schedule(() => log.push('run'));
    s.schedule(() => log.push('run'));
    s.cancel();
    s.cancel();
    expect(log).toEqual(['hold 1 100', 'release 1', 'run', 'hold 2 200', 'release 2', 'hold 3 400', 'release 3']);
  });

  it("on the system clock, a pending attempt keeps the Node event loop alive (a ref'd timer), and lets go after cancel", () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const s = new ReconnectScheduler(systemClock, { baseMs: 60_000, maxMs: 60_000 }, () => 1);
    s.schedule(() => {});
    expect(timers()).toBe(before + 1);
    s.cancel();
    expect(timers()).toBe(before);
  });
});
