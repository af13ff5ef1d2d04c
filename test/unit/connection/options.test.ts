import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { resolveOptions } from '../../../src/connection/options.js';
import { ReconnectScheduler } from '../../../src/connection/reconnect.js';
import { FakeClock } from '../../../src/core/clock.js';

describe('resolveOptions', () => {
  it('parses service URLs', () => {
    expect(resolveOptions({ domain: 'd', service: 'xmpp://h:5333' }).endpoint).toEqual({ kind: 'tcp', host: 'h', port: 5333, directTls: false });
    expect(resolveOptions({ domain: 'd', service: 'xmpps://h' }).endpoint).toEqual({ kind: 'tcp', host: 'h', port: 5223, directTls: true });
    expect(resolveOptions({ domain: 'd', service: 'xmpp://[::1]:1' }).endpoint).toEqual({ kind: 'tcp', host: '::1', port: 1, directTls: false });
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

describe('ReconnectScheduler', () => {
  it('follows backoffDelay on the clock, with jitter, capped, reset after success', () => {
    const clock = new FakeClock();
    const randoms = [0, 1, 0.5, 1, 1];
    const s = new ReconnectScheduler(clock, { baseMs: 100, maxMs: 500 }, () => randoms.shift() ?? 1);
    const delays = [0, 1, 2, 3, 4].map(() => s.schedule(() => {}));
    expect(delays).toEqual([50, 200, 300, 500, 500]);
    expect(clock.pending).toBe(1); // rescheduling replaces the pending attempt
    s.reset();
    expect(s.schedule(() => {})).toBe(100);
    let ran = 0;
    s.schedule(() => ran++);
    clock.advance(200);
    expect(ran).toBe(1);
    expect(s.scheduled).toBe(false);
    s.schedule(() => ran++);
    s.cancel();
    expect(clock.pending).toBe(0);
  });
});
