import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { ChildrenStack } from './children-stack.js';

describe('ChildrenStack', () => {
  it('gives each open element the children pushed since its start, innermost first', () => {
    const s = new ChildrenStack();
    const a = new Element('a');
    const outer = s.top;
    s.push('t1');
    s.push(a);
    const inner = s.top;
    s.push('x');
    s.push('y');
    expect(s.take(inner)).toEqual(['x', 'y']);
    expect(s.top).toBe(inner);
    s.push('t2');
    const out = s.take(outer);
    expect(out).toEqual(['t1', a, 't2']);
    expect(s.top).toBe(0);
    // A new array each time: changing one changes no later one.
    out.push('more');
    s.push('z');
    expect(s.take(0)).toEqual(['z']);
  });

  it('empties the slots it gives away, and starts over after clear()', () => {
    const s = new ChildrenStack();
    s.push(new Element('kept'));
    s.push('text');
    s.take(0);
    // The slots are reused, not grown, and hold nothing of what was taken.
    const internal = (s as unknown as { kids: unknown[] }).kids;
    expect(internal).toEqual(['', '']);
    s.push('a');
    s.push('b');
    s.clear();
    expect(s.top).toBe(0);
    expect(internal).toEqual(['', '']);
  });

  it('is dropped by shrink() only when very many children grew it', () => {
    const s = new ChildrenStack();
    for (let i = 0; i < 10; i++) s.push(String(i));
    s.take(0);
    const small = (s as unknown as { kids: unknown[] }).kids;
    s.shrink();
    expect((s as unknown as { kids: unknown[] }).kids).toBe(small);
    for (let i = 0; i < 300; i++) s.push(String(i));
    expect(s.take(0)).toHaveLength(300);
    s.shrink();
    expect((s as unknown as { kids: unknown[] }).kids).toEqual([]);
    s.push('after');
    expect(s.take(0)).toEqual(['after']);
  });
});
