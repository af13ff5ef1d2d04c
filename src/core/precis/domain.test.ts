import fc from 'fast-check';
import { toASCII } from 'tr46';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { enforceDomain, isIpv6 } from './domain.js';

describe('enforceDomain', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['example.com\u3002', 'example.com'],
    ['conference.localhost', 'conference.localhost'],
    ['localhost', 'localhost'],
    ['muc_service.example', 'muc_service.example'],
    ['bücher.de', 'bücher.de'],
    ['BÜCHER.de', 'bücher.de'],
    ['xn--bcher-kva.de', 'bücher.de'],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'],
    ['faß.de', 'faß.de'], // non-transitional: ß kept
    ['a\u200bb.com', 'ab.com'], // UTS #46 maps ZERO WIDTH SPACE (and U+00AD, U+FEFF...) to nothing
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[2001:DB8::1]', '[2001:db8::1]'],
    ['[::ffff:192.0.2.1]', '[::ffff:192.0.2.1]'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('%j -> %j', (input, output) => {
    expect(enforceDomain(input)).toBe(output);
  });

  it.each([
    ['', 'empty'],
    ['.', 'empty'],
    ['example.com..', 'not a valid internationalised domain name (UTS #46)'],
    ['a..b', 'not a valid internationalised domain name (UTS #46)'],
    ['.example.com', 'not a valid internationalised domain name (UTS #46)'],
    [`${'a'.repeat(64)}.com`, 'not a valid internationalised domain name (UTS #46)'],
    [`${'abcdefghi.'.repeat(26)}com`, 'not a valid internationalised domain name (UTS #46)'],
    ['b@c', 'disallowed character'],
    ['exa mple.com', 'disallowed character'],
    ['exa/mple', 'disallowed character'],
    ['a:5222', 'disallowed character'],
    ['xn--zz.com', 'not a valid internationalised domain name (UTS #46)'],
    ['\u05d0a.com', 'not a valid internationalised domain name (UTS #46)'],
    ['a\ud800.com', 'unpaired surrogate'],
    ['[::1', 'not a valid IPv6 literal'],
    ['[1::2::3]', 'not a valid IPv6 literal'],
    ['[example.com]', 'not a valid IPv6 literal'],
    ['x'.repeat(1024), 'too long'],
  ])('rejects %j (%s)', (input, reason) => {
    let error: unknown;
    try {
      enforceDomain(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain(reason);
  });
});

describe('isIpv6', () => {
  it.each([
    ['::', true],
    ['::1', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7::', true],
    ['fe80::1:2', true],
    ['::ffff:1.2.3.4', true],
    ['1:2:3:4:5:6:1.2.3.4', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1:2:3:4:5:6:7', false],
    ['1::2::3', false],
    ['12345::', false],
    ['::1.2.3.256', false],
    ['g::1', false],
    ['', false],
  ] as const)('%j -> %s', (s, ok) => {
    expect(isIpv6(s)).toBe(ok);
  });
});

describe('ASCII fast path', () => {
  it('agrees with UTS #46 (tr46) on ASCII host names', () => {
    const host = fc.string({ unit: fc.constantFrom(...'aZ09-_.x'), minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(host, (d) => {
        const viaTr46 = toASCII(d.endsWith('.') ? d.slice(0, -1) : d, { verifyDNSLength: true });
        let ours: string | undefined;
        try {
          ours = enforceDomain(d);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidArgumentError);
        }
        expect(ours).toBe(viaTr46 ?? undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('serves repeated IDN look-ups from its cache with the same result', () => {
    expect(enforceDomain('Bücher.example')).toBe('bücher.example');
    expect(enforceDomain('Bücher.example')).toBe('bücher.example');
    expect(() => enforceDomain('a..bü')).toThrow('not a valid internationalised domain name');
    expect(() => enforceDomain('a..bü')).toThrow('not a valid internationalised domain name');
  });
});
