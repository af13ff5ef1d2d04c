import { describe, expect, it } from 'vitest';
import { certificateSignatureOid } from './tcp.js';

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
