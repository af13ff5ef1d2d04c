import { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { StreamManagementState, smAdd, smDistance } from '../../../src/connection/stream-management.js';
import { certificateSignatureOid } from '../../../src/connection/transport-tcp.js';

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

describe('tls-server-end-point', () => {
  it('reads the signature algorithm OID of a certificate', () => {
    // A minimal DER skeleton: SEQUENCE { SEQUENCE {} , SEQUENCE { OID 1.2.840.113549.1.1.11 } }
    const oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    const alg = [0x30, oid.length, ...oid];
    const tbs = [0x30, 0x00];
    const der = new Uint8Array([0x30, tbs.length + alg.length, ...tbs, ...alg]);
    expect(certificateSignatureOid(der)).toBe('1.2.840.113549.1.1.11');
    expect(certificateSignatureOid(new Uint8Array([0x30, 0x05, 0x01]))).toBeUndefined();
  });
});
