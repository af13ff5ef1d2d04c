import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { StreamManagementState, smAdd, smDistance } from './stream-management.js';

const el = (id: string) => new Element('message', { id });

describe('XEP-0198 counters', () => {
  it('wrap modulo 2^32', () => {
    expect(smAdd(0xffffffff, 1)).toBe(0);
    expect(smAdd(0xfffffffe, 3)).toBe(1);
    expect(smDistance(0xfffffffe, 1)).toBe(3);
  });

  it('acks across the wrap and ignores stale h', () => {
    const sm = new StreamManagementState();
    sm.start('id', 300);
    sm.acked = 0xfffffffe;
    for (const id of ['a', 'b', 'c', 'd']) sm.track(el(id));
    expect(sm.ack(1).acked.map((e) => e.attrs.id)).toEqual(['a', 'b', 'c']);
    expect(sm.acked).toBe(1);
    expect(sm.ack(0xffffffff)).toEqual({ acked: [], excess: 0 }); // stale
    expect(sm.ack(1)).toEqual({ acked: [], excess: 0 });
    const r = sm.ack(4);
    expect(r.acked.map((e) => e.attrs.id)).toEqual(['d']);
    expect(r.excess).toBe(2);
  });

  it('counts inbound modulo 2^32', () => {
    const sm = new StreamManagementState();
    sm.start(undefined, undefined);
    sm.inbound = 0xffffffff;
    sm.countInbound();
    expect(sm.inbound).toBe(0);
    expect(sm.resumable).toBe(false);
  });
});
