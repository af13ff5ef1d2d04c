import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { TypedEmitter } from './emitter.js';
import { recordingLogger } from './logger.js';

interface Events {
  ping: { n: number };
  pong: { s: string };
}

describe('TypedEmitter', () => {
  it('calls listeners in subscription order with the one payload object, and unsubscribes', () => {
    const em = new TypedEmitter<Events>();
    const seen: string[] = [];
    const offA = em.on('ping', (p) => seen.push(`a${p.n}`));
    em.on('ping', (p) => seen.push(`b${p.n}`));
    expect(em.emit('ping', { n: 1 })).toBe(true);
    offA();
    offA(); // idempotent
    em.emit('ping', { n: 2 });
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(em.listenerCount('ping')).toBe(1);
    expect(em.emit('pong', { s: 'x' })).toBe(false);
  });

  it('the same function subscribed twice is called twice and removed independently', () => {
    const em = new TypedEmitter<Events>();
    let n = 0;
    const f = () => n++;
    const off1 = em.on('ping', f);
    em.on('ping', f);
    em.emit('ping', { n: 0 });
    off1();
    em.emit('ping', { n: 0 });
    expect(n).toBe(3);
  });

  it('unsubscribing one of two subscriptions of a function keeps the order of the others', () => {
    const em = new TypedEmitter<Events>();
    const seen: string[] = [];
    const f = (p: { n: number }) => seen.push(`f${p.n}`);
    em.on('ping', f);
    em.on('ping', (p) => seen.push(`g${p.n}`));
    const offSecondF = em.on('ping', f);
    offSecondF();
    offSecondF();
    em.emit('ping', { n: 1 });
    expect(seen).toEqual(['f1', 'g1']);
    expect(em.listenerCount()).toBe(2);
  });

  it('a throwing listener is logged, stays subscribed, and does not stop the others', () => {
    const logger = recordingLogger();
    const em = new TypedEmitter<Events>({ logger });
    const seen: number[] = [];
    em.on('ping', () => {
      throw new Error('listener bug');
    });
    em.on('ping', (p) => seen.push(p.n));
    em.emit('ping', { n: 1 });
    em.emit('ping', { n: 2 });
    expect(seen).toEqual([1, 2]);
    expect(em.listenerCount('ping')).toBe(2);
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([
      ['error', "listener for 'ping' threw"],
      ['error', "listener for 'ping' threw"],
    ]);
  });

  it('a listener added or removed during an emit does not change who is called for that emit', () => {
    const em = new TypedEmitter<Events>();
    const seen: string[] = [];
    let offB: () => void = () => {};
    em.on('ping', (p) => {
      seen.push(`a${p.n}`);
      offB();
      em.on('ping', (q) => seen.push(`late${q.n}`));
    });
    offB = em.on('ping', (p) => seen.push(`b${p.n}`));
    em.emit('ping', { n: 1 });
    expect(seen).toEqual(['a1', 'b1']);
    const single = new TypedEmitter<Events>();
    const seen2: string[] = [];
    single.on('ping', (p) => {
      seen2.push(`only${p.n}`);
      single.on('ping', (q) => seen2.push(`added${q.n}`));
    });
    single.emit('ping', { n: 1 });
    expect(seen2).toEqual(['only1']);
  });

  it('once fires a single time', () => {
    const em = new TypedEmitter<Events>();
    const seen: number[] = [];
    em.once('ping', (p) => seen.push(p.n));
    em.emit('ping', { n: 1 });
    em.emit('ping', { n: 2 });
    expect(seen).toEqual([1]);
    expect(em.listenerCount()).toBe(0);
  });

  it('waitFor resolves with the first payload passing the filter and removes its listener', async () => {
    const clock = new FakeClock();
    const em = new TypedEmitter<Events>({ clock });
    const p = em.waitFor('ping', { filter: (x) => x.n > 1, timeoutMs: 1000 });
    em.emit('ping', { n: 1 });
    em.emit('ping', { n: 2 });
    await expect(p).resolves.toEqual({ n: 2 });
    expect(em.listenerCount()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('waitFor rejects with TimeoutError on the fake clock and cleans up', async () => {
    const clock = new FakeClock();
    const em = new TypedEmitter<Events>({ clock });
    const p = em.waitFor('ping', { timeoutMs: 500 });
    clock.advance(499);
    expect(em.listenerCount('ping')).toBe(1);
    clock.advance(1);
    await expect(p).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(em.listenerCount()).toBe(0);
  });

  it('waitFor rejects with AbortError when aborted, before or during the wait', async () => {
    const em = new TypedEmitter<Events>();
    const ac = new AbortController();
    const p = em.waitFor('ping', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(em.listenerCount()).toBe(0);
    await expect(em.waitFor('ping', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(em.listenerCount()).toBe(0);
  });

  it('removeAllListeners clears one event or all', () => {
    const em = new TypedEmitter<Events>();
    em.on('ping', () => {});
    em.on('pong', () => {});
    em.removeAllListeners('ping');
    expect([em.listenerCount('ping'), em.listenerCount('pong')]).toEqual([0, 1]);
    em.removeAllListeners();
    expect(em.listenerCount()).toBe(0);
  });
});
