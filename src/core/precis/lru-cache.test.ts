import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('keeps at most its capacity and evicts entries not used for a generation', () => {
    const c = new LruCache<number>(4); // generations of 2
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3); // young {c}, old {a, b}
    expect(c.size).toBe(3);
    expect(c.get('a')).toBe(1); // promoted: young {c, a}, old {b}
    c.set('d', 4); // young {d}, old {c, a}: b evicted
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual([1, 3, 4]);
    expect(c.size).toBeLessThanOrEqual(4);
  });

  it('overwrites, and clears', () => {
    const c = new LruCache<string>(10);
    c.set('k', 'x');
    c.set('k', 'y');
    expect(c.get('k')).toBe('y');
    expect(c.size).toBe(1);
    c.clear();
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('never holds more than its capacity under churn', () => {
    const c = new LruCache<number>(100);
    for (let i = 0; i < 1000; i++) {
      c.set(`k${i}`, i);
      if (i % 3 === 0) c.get(`k${i - 50}`);
      expect(c.size).toBeLessThanOrEqual(100);
    }
    expect(c.get('k999')).toBe(999);
    expect(c.get('k0')).toBeUndefined();
  });
});
