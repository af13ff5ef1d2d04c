import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { ReconnectScheduler } from './reconnect.js';

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
