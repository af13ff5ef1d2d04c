import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('parses service URLs', () => {
    expect(resolveOptions({ domain: 'd', service: 'xmpp://h:5333' }).endpoint).toEqual({
      kind: 'tcp',
      host: 'h',
      port: 5333,
      directTls: false,
    });
    expect(resolveOptions({ domain: 'd', service: 'xmpps://h' }).endpoint).toEqual({ kind: 'tcp', host: 'h', port: 5223, directTls: true });
    expect(resolveOptions({ domain: 'd', service: 'xmpp://[::1]:1' }).endpoint).toEqual({
      kind: 'tcp',
      host: '::1',
      port: 1,
      directTls: false,
    });
    expect(resolveOptions({ domain: 'd', service: 'wss://h/ws' }).endpoint).toEqual({ kind: 'ws', url: 'wss://h/ws', secure: true });
    expect(resolveOptions({ domain: 'example.org' }).endpoint).toEqual({ kind: 'tcp', host: 'example.org', port: 5222, directTls: false });
  });

  it('applies secure defaults', () => {
    const o = resolveOptions({ domain: 'd' });
    expect(o.starttls).toBe('required');
    expect(o.allowPlaintext).toBe(false);
    expect(o.allowPlainMechanismWithoutTls).toBe(false);
    expect(o.reconnect).toEqual({ baseMs: 1000, maxMs: 60_000 });
    expect(o.keepalive).toEqual({ intervalMs: 60_000, timeoutMs: 20_000 });
    expect(o.streamManagement).toBe(true);
  });

  it('rejects bad options with InvalidArgumentError', () => {
    expect(() => resolveOptions({ domain: '' })).toThrow(InvalidArgumentError);
    expect(() => resolveOptions({ domain: 'd', service: 'http://x' })).toThrow(/scheme/);
    expect(() => resolveOptions({ domain: 'd', service: 'not a url' })).toThrow(InvalidArgumentError);
    expect(() => resolveOptions({ domain: 'd', username: 'u' })).toThrow(/password/);
    expect(() => resolveOptions({ domain: 'd', keepalive: { intervalMs: 0, timeoutMs: 1 } })).toThrow(InvalidArgumentError);
    expect(() => resolveOptions({ domain: 'd', maxStanzaBytes: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => resolveOptions({ domain: 'd', port: 70000 })).toThrow(/port/);
  });
});
