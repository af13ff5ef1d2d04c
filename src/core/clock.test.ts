import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from './clock.js';

describe('FakeClock', () => {
  it('fires timers in due order, then creation order, only when advanced', () => {
    const c = new FakeClock(1000);
    const fired: string[] = [];
    c.setTimeout(() => fired.push('b@20'), 20);
    c.setTimeout(() => fired.push('a@10'), 10);
    c.setTimeout(() => fired.push('c@20'), 20);
    const cancelled = c.setTimeout(() => fired.push('never'), 5);
    c.clearTimeout(cancelled);
    c.advance(9);
    expect(fired).toEqual([]);
    c.advance(11);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(c.now()).toBe(1020);
    expect(c.pending).toBe(0);
  });

  it('timers scheduled by a firing timer run in the same advance when due', () => {
    const c = new FakeClock(0);
    const at: number[] = [];
    c.setTimeout(() => {
      at.push(c.now());
      c.setTimeout(() => at.push(c.now()), 5);
    }, 5);
    c.advance(10);
    expect(at).toEqual([5, 10]);
  });

  it('runNext jumps to the next timer', () => {
    const c = new FakeClock(0);
    let ran = false;
    c.setTimeout(() => (ran = true), 1234);
    expect(c.runNext()).toBe(true);
    expect([ran, c.now()]).toEqual([true, 1234]);
    expect(c.runNext()).toBe(false);
  });
});

describe('systemClock', () => {
  it('runs and cancels real timers', async () => {
    let fired = false;
    const h = systemClock.setTimeout(() => (fired = true), 1);
    systemClock.clearTimeout(h);
    await new Promise((r) => setTimeout(r, 5));
    expect(fired).toBe(false);
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
  });
});
