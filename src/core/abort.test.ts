import { describe, expect, it } from 'vitest';
import { checkDuration, raceAbort } from './abort.js';
import { FakeClock } from './clock.js';

describe('raceAbort', () => {
  it('passes the result through and clears its timer', async () => {
    const clock = new FakeClock();
    await expect(raceAbort(Promise.resolve(7), { timeoutMs: 100, clock })).resolves.toBe(7);
    expect(clock.pending).toBe(0);
  });

  it('passes a rejection through', async () => {
    await expect(raceAbort(Promise.reject(new Error('x')), { timeoutMs: 100, clock: new FakeClock() })).rejects.toThrow('x');
  });

  it('times out on the fake clock and calls onCancel once', async () => {
    const clock = new FakeClock();
    const cancelled: string[] = [];
    const p = raceAbort(new Promise<never>(() => {}), { timeoutMs: 100, clock, what: 'join', onCancel: (e) => cancelled.push(e.name) });
    clock.advance(100);
    await expect(p).rejects.toMatchObject({ name: 'TimeoutError', message: 'The join timed out after 100 ms' });
    expect(cancelled).toEqual(['TimeoutError']);
    expect(clock.pending).toBe(0);
  });

  it('aborts, also when already aborted, and removes its abort listener', async () => {
    const ac = new AbortController();
    const p = raceAbort(new Promise<never>(() => {}), { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(raceAbort(Promise.resolve(1), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('checkDuration', () => {
  it('accepts finite non-negative numbers and undefined, rejects the rest', () => {
    expect(() => checkDuration('t', 0)).not.toThrow();
    expect(() => checkDuration('t', undefined)).not.toThrow();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkDuration('timeoutMs', bad)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }));
    }
  });
});
