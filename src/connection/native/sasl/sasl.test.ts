import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors.js';
import { fromUtf8, utf8 } from './bytes.js';
import { scramMechanism } from './scram.js';
import { type SaslContext, selectMechanism } from './select.js';

const text = (b: Uint8Array | undefined) => (b ? fromUtf8(b) : undefined);

describe('SCRAM test vectors', () => {
  it('RFC 5802 §5 (SCRAM-SHA-1)', async () => {
    const m = scramMechanism({ hash: 'SHA-1', username: 'user', password: 'pencil', nonce: 'fyko+d2lbbFgONRv9qkxdawL' });
    expect(m.name).toBe('SCRAM-SHA-1');
    expect(text(await m.initial())).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = await m.challenge(utf8('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'));
    expect(text(final)).toBe('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    await expect(m.success(utf8('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='))).resolves.toBeUndefined();
  });

  it('RFC 7677 §3 (SCRAM-SHA-256)', async () => {
    const m = scramMechanism({ hash: 'SHA-256', username: 'user', password: 'pencil', nonce: 'rOprNGfwEbeRWgbNEkqO' });
    expect(text(await m.initial())).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = await m.challenge(utf8('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    expect(text(final)).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    await expect(m.success(utf8('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).resolves.toBeUndefined();
  });

  it('rejects a wrong server signature (a server that does not know the password)', async () => {
    const m = scramMechanism({ hash: 'SHA-1', username: 'user', password: 'pencil', nonce: 'fyko+d2lbbFgONRv9qkxdawL' });
    await m.initial();
    await m.challenge(utf8('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'));
    await expect(m.success(utf8('v=AAAAAAAAAAAAAAAAAAAAAAAAAAA='))).rejects.toThrow(/server signature does not verify/);
    await expect(m.success(undefined)).rejects.toBeInstanceOf(AuthError);
  });

  it('rejects a server nonce that does not extend ours, and absurd iteration counts', async () => {
    const a = scramMechanism({ hash: 'SHA-256', username: 'u', password: 'p', nonce: 'abc' });
    await expect(a.challenge(utf8('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096'))).rejects.toThrow(/nonce/);
    const b = scramMechanism({ hash: 'SHA-256', username: 'u', password: 'p', nonce: 'abc' });
    await expect(b.challenge(utf8('r=abc123,s=QSXCR+Q6sek8bf92,i=99999999'))).rejects.toThrow(/iteration count/);
    const c = scramMechanism({ hash: 'SHA-256', username: 'u', password: 'p', nonce: 'abc' });
    await expect(c.challenge(utf8('r=abc123,s=QSXCR+Q6sek8bf92,i=4096,m=ext'))).rejects.toThrow(/mandatory extension/);
  });

  it('escapes , and = in the username and uses the gs2 header of the binding mode', async () => {
    const m = scramMechanism({ hash: 'SHA-1', username: 'a,b=c', password: 'p', nonce: 'N', binding: { mode: 'supported' } });
    expect(text(await m.initial())).toBe('y,,n=a=2Cb=3Dc,r=N');
    const plus = scramMechanism({
      hash: 'SHA-256',
      username: 'u',
      password: 'p',
      nonce: 'N',
      binding: { mode: 'plus', type: 'tls-exporter', data: new Uint8Array([1, 2, 3]) },
    });
    expect(plus.name).toBe('SCRAM-SHA-256-PLUS');
    expect(text(await plus.initial())).toBe('p=tls-exporter,,n=u,r=N');
    const final = text(await plus.challenge(utf8('r=Nserver,s=QSXCR+Q6sek8bf92,i=4096')))!;
    // c = base64("p=tls-exporter,," + 0x010203)
    expect(final.split(',')[0]).toBe(`c=${btoa('p=tls-exporter,,\x01\x02\x03')}`);
  });
});

describe('selectMechanism', () => {
  const base: SaslContext = {
    offered: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'],
    offeredBindings: undefined,
    username: 'alice',
    password: 'pw',
    secure: false,
    allowPlainWithoutTls: false,
    preference: undefined,
    channelBinding: () => undefined,
  };

  it('prefers SCRAM-SHA-512, then SCRAM-SHA-256, then SCRAM-SHA-1', () => {
    expect(selectMechanism({ ...base, offered: ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] }).name).toBe('SCRAM-SHA-512');
    expect(selectMechanism(base).name).toBe('SCRAM-SHA-256');
    expect(selectMechanism({ ...base, offered: ['SCRAM-SHA-1', 'PLAIN'] }).name).toBe('SCRAM-SHA-1');
  });

  it('uses PLAIN only over TLS or when allowed', () => {
    expect(() => selectMechanism({ ...base, offered: ['PLAIN'] })).toThrow(AuthError);
    expect(selectMechanism({ ...base, offered: ['PLAIN'], secure: true }).name).toBe('PLAIN');
    expect(selectMechanism({ ...base, offered: ['PLAIN'], allowPlainWithoutTls: true }).name).toBe('PLAIN');
  });

  it('uses -PLUS only with channel binding data, and ANONYMOUS without a username', () => {
    const offered = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'];
    expect(selectMechanism({ ...base, offered, secure: true }).name).toBe('SCRAM-SHA-256');
    const cb = { ...base, offered, secure: true, channelBinding: (t: string) => (t === 'tls-exporter' ? new Uint8Array(32) : undefined) };
    expect(selectMechanism(cb).name).toBe('SCRAM-SHA-256-PLUS');
    expect(selectMechanism({ ...cb, offeredBindings: ['tls-server-end-point'] }).name).toBe('SCRAM-SHA-256');
    expect(selectMechanism({ ...base, username: undefined, offered: ['ANONYMOUS'] }).name).toBe('ANONYMOUS');
    expect(() => selectMechanism({ ...base, username: undefined })).toThrow(/ANONYMOUS/);
  });

  it('follows the preference list', () => {
    expect(selectMechanism({ ...base, preference: ['SCRAM-SHA-1', 'SCRAM-SHA-256'] }).name).toBe('SCRAM-SHA-1');
  });
});
