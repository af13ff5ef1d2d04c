import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
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
});
