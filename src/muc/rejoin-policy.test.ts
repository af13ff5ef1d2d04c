import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import {
  AbortError,
  DisconnectedError,
  InvalidArgumentError,
  StanzaError,
  type StanzaErrorCondition,
  type StanzaErrorType,
  TimeoutError,
} from '../core/errors.js';
import { recordingLogger } from '../core/logger.js';
import { recordEvents } from '../../test/support/record-events.js';
import { LeaveMode } from './constants.js';
import { MucJoinError } from './join-error.js';
import { REJOIN_POLICY_DEFAULTS, RejoinRetrier, type RejoinPolicyOptions, shouldRetry } from './rejoin-policy.js';

const stanzaError = (condition: StanzaErrorCondition, type: StanzaErrorType = 'cancel') => new StanzaError({ type, condition });
const joinError = (condition: StanzaErrorCondition, type: StanzaErrorType = 'cancel') => new MucJoinError(stanzaError(condition, type));
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('shouldRetry', () => {
  it.each([
    [LeaveMode.ERROR, true],
    [LeaveMode.DISCONNECTED, true],
    [LeaveMode.SYSTEM_SHUTDOWN, true],
    [LeaveMode.BANNED, false],
    [LeaveMode.KICKED, false],
    [LeaveMode.DESTROYED, false],
    [LeaveMode.AFFILIATION_CHANGE, false],
    [LeaveMode.MODERATION_CHANGE, false],
    [LeaveMode.NORMAL, false],
  ])('removal %s -> %s', (mode, expected) => {
    expect(shouldRetry(mode)).toBe(expected);
  });

  it.each([
    ['resource-constraint', 'wait', true],
    ['service-unavailable', 'cancel', true],
    ['internal-server-error', 'wait', true],
    ['remote-server-not-found', 'cancel', true],
    ['remote-server-timeout', 'wait', true],
    ['policy-violation', 'wait', true], // any other wait-type error
    ['conflict', 'cancel', false], // nick conflict
    ['conflict', 'wait', false],
    ['forbidden', 'auth', false], // banned
    ['forbidden', 'wait', false],
    ['not-authorized', 'auth', false], // password
    ['registration-required', 'auth', false], // members-only
    ['item-not-found', 'cancel', false],
    ['not-acceptable', 'cancel', false],
    ['jid-malformed', 'modify', false],
  ] as const)('join error %s (%s) -> %s, as MucJoinError and as StanzaError', (condition, type, expected) => {
    expect(shouldRetry(joinError(condition, type))).toBe(expected);
    expect(shouldRetry(stanzaError(condition, type))).toBe(expected);
  });

  it('retries timeouts and lost sessions, never an abort or an unknown error', () => {
    expect(shouldRetry(new TimeoutError())).toBe(true);
    expect(shouldRetry(new DisconnectedError())).toBe(true);
    expect(shouldRetry(new AbortError())).toBe(false);
    expect(shouldRetry(new Error('boom'))).toBe(false);
  });
});

interface Attempt {
  signal: AbortSignal;
  resolve(): void;
  reject(e: Error): void;
}

function setup(options: RejoinPolicyOptions = {}) {
  const clock = new FakeClock();
  const logger = recordingLogger();
  const attempts: Attempt[] = [];
  const retrier = new RejoinRetrier(
    {
      clock,
      logger,
      rejoin: (signal) =>
        new Promise<void>((resolve, reject) => {
          attempts.push({ signal, resolve, reject });
        }),
    },
    { random: () => 1, ...options },
  );
  const events = recordEvents(retrier, ['retrying', 'failed', 'rejoined']);
  return { clock, logger, attempts, retrier, events };
}

describe('RejoinRetrier', () => {
  it('a 333 removal: rejoin after the first backoff delay; success ends the retries', async () => {
    const { clock, attempts, retrier, events } = setup();
    expect(retrier.handle(LeaveMode.ERROR)).toBe(true);
    expect(retrier.active).toBe(true);
    expect(events).toEqual([['retrying', { attempt: 1, delayMs: 1000, reason: LeaveMode.ERROR }]]);
    clock.advance(999);
    expect(attempts).toHaveLength(0);
    clock.advance(1);
    expect(attempts).toHaveLength(1);
    attempts[0]!.resolve();
    await flush();
    expect(events.names()).toEqual(['retrying', 'rejoined']);
    expect(events[1]).toEqual(['rejoined', { attempts: 1 }]);
    expect(retrier.active).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('a removal soon after a rejoin continues the series; after stableAfterMs it starts over', async () => {
    const { clock, attempts, retrier, events } = setup({ maxAttempts: 2, stableAfterMs: 60_000 });
    retrier.handle(LeaveMode.ERROR);
    clock.advance(1000);
    attempts[0]!.resolve();
    await flush();
    clock.advance(59_999);
    expect(retrier.handle(LeaveMode.ERROR)).toBe(true);
    expect(events.at(-1)).toEqual(['retrying', { attempt: 2, delayMs: 2000, reason: LeaveMode.ERROR }]);
    clock.advance(2000);
    attempts[1]!.resolve();
    await flush();
    expect(events.at(-1)).toEqual(['rejoined', { attempts: 2 }]);
    // Dropped again at once: the two attempts are used up.
    expect(retrier.handle(LeaveMode.ERROR)).toBe(false);
    expect(retrier.active).toBe(false);
    expect(clock.pending).toBe(0);
    // The series ended there: a later trigger starts a new one.
    expect(retrier.handle(LeaveMode.ERROR)).toBe(true);
    expect(events.at(-1)).toEqual(['retrying', { attempt: 1, delayMs: 1000, reason: LeaveMode.ERROR }]);
    retrier.cancel();
    // A removal after a stable period is a new series too.
    const fresh = setup({ stableAfterMs: 60_000 });
    fresh.retrier.handle(LeaveMode.ERROR);
    fresh.clock.advance(1000);
    fresh.attempts[0]!.resolve();
    await flush();
    fresh.clock.advance(60_000);
    fresh.retrier.handle(LeaveMode.ERROR);
    expect(fresh.events.at(-1)).toEqual(['retrying', { attempt: 1, delayMs: 1000, reason: LeaveMode.ERROR }]);
    fresh.retrier.cancel();
  });

  it('failed attempts are reported and retried with exponential backoff until one succeeds', async () => {
    const { clock, attempts, retrier, events } = setup();
    retrier.handle(new TimeoutError('join timed out'));
    clock.advance(1000);
    const first = new TimeoutError('again');
    attempts[0]!.reject(first);
    await flush();
    clock.advance(2000);
    const second = joinError('service-unavailable');
    attempts[1]!.reject(second);
    await flush();
    clock.advance(3999);
    expect(attempts).toHaveLength(2);
    clock.advance(1);
    attempts[2]!.resolve();
    await flush();
    expect(events.map(([name, p]) => [name, { ...p, reason: undefined, error: undefined }])).toEqual([
      ['retrying', { attempt: 1, delayMs: 1000 }],
      ['failed', { attempt: 1, willRetry: true }],
      ['retrying', { attempt: 2, delayMs: 2000 }],
      ['failed', { attempt: 2, willRetry: true }],
      ['retrying', { attempt: 3, delayMs: 4000 }],
      ['rejoined', { attempts: 3 }],
    ]);
    expect(events[1]![1]).toMatchObject({ error: first });
    expect(events[2]![1]).toMatchObject({ reason: first });
    expect(events[3]![1]).toMatchObject({ error: second });
    expect(clock.pending).toBe(0);
  });

  it('jitter: delays lie between half the ceiling and the ceiling, capped at maxDelayMs', () => {
    const low = setup({ random: () => 0, baseDelayMs: 100, maxDelayMs: 300 });
    low.retrier.handle(LeaveMode.ERROR);
    expect(low.events[0]).toEqual(['retrying', { attempt: 1, delayMs: 50, reason: LeaveMode.ERROR }]);
    const capped = setup({ random: () => 0.5, baseDelayMs: 1000, maxDelayMs: 300 });
    capped.retrier.handle(LeaveMode.ERROR);
    expect(capped.events[0]![1]).toMatchObject({ delayMs: 225 });
  });

  it('gives up after maxAttempts: the last failure says willRetry false', async () => {
    const { clock, attempts, retrier, events, logger } = setup({ maxAttempts: 2 });
    retrier.handle(LeaveMode.ERROR);
    clock.advance(1000);
    attempts[0]!.reject(new DisconnectedError());
    await flush();
    clock.advance(2000);
    attempts[1]!.reject(new DisconnectedError());
    await flush();
    expect(events.names()).toEqual(['retrying', 'failed', 'retrying', 'failed']);
    expect(events[3]![1]).toMatchObject({ attempt: 2, willRetry: false });
    expect(retrier.active).toBe(false);
    expect(clock.pending).toBe(0);
    expect(logger.records.filter((r) => r.message === 'rejoin failed')).toHaveLength(2);
  });

  it('a failure that must not be retried (banned while rejoining) ends the retries at once', async () => {
    const { clock, attempts, retrier, events } = setup();
    retrier.handle(LeaveMode.ERROR);
    clock.advance(1000);
    attempts[0]!.reject(joinError('forbidden', 'auth'));
    await flush();
    expect(events.names()).toEqual(['retrying', 'failed']);
    expect(events[1]![1]).toMatchObject({ attempt: 1, willRetry: false });
    expect(retrier.active).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it.each([LeaveMode.BANNED, LeaveMode.KICKED, LeaveMode.DESTROYED, LeaveMode.AFFILIATION_CHANGE, LeaveMode.MODERATION_CHANGE])(
    'a %s removal is never retried',
    (mode) => {
      const { clock, retrier, events } = setup();
      expect(retrier.handle(mode)).toBe(false);
      expect(events).toEqual([]);
      expect(clock.pending).toBe(0);
    },
  );

  it('a nick conflict is not retried', () => {
    const { retrier, events } = setup();
    expect(retrier.handle(joinError('conflict'))).toBe(false);
    expect(events).toEqual([]);
  });

  it('while retrying: a retryable trigger changes nothing, one that is not cancels', async () => {
    const { clock, attempts, retrier, events } = setup();
    retrier.handle(LeaveMode.ERROR);
    expect(retrier.handle(new TimeoutError())).toBe(true);
    expect(events.names()).toEqual(['retrying']);
    clock.advance(1000);
    expect(retrier.handle(LeaveMode.BANNED)).toBe(false);
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(retrier.active).toBe(false);
    attempts[0]!.reject(new AbortError());
    await flush();
    expect(events.names()).toEqual(['retrying']);
    expect(clock.pending).toBe(0);
  });

  it('cancel() during the delay: no attempt, no timer, no event', () => {
    const { clock, attempts, retrier, events } = setup();
    retrier.handle(LeaveMode.ERROR);
    retrier.cancel();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(attempts).toHaveLength(0);
    expect(events.names()).toEqual(['retrying']);
  });

  it('cancel() during an attempt aborts it and ignores its outcome', async () => {
    const { clock, attempts, retrier, events } = setup();
    retrier.handle(LeaveMode.ERROR);
    clock.advance(1000);
    retrier.cancel();
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(attempts[0]!.signal.reason).toBeInstanceOf(AbortError);
    attempts[0]!.resolve();
    await flush();
    expect(events.names()).toEqual(['retrying']);
    expect(clock.pending).toBe(0);
    // A new trigger starts from attempt 1 again.
    retrier.handle(LeaveMode.ERROR);
    expect(events[1]).toEqual(['retrying', { attempt: 1, delayMs: 1000, reason: LeaveMode.ERROR }]);
    retrier.cancel();
  });

  it('a failed listener that cancels stops the retries', async () => {
    const { clock, attempts, retrier, events } = setup();
    retrier.on('failed', () => retrier.cancel());
    retrier.handle(LeaveMode.ERROR);
    clock.advance(1000);
    attempts[0]!.reject(new TimeoutError());
    await flush();
    expect(events.names()).toEqual(['retrying', 'failed']);
    expect(clock.pending).toBe(0);
  });

  it('a rejoin that throws synchronously counts as a failed attempt', async () => {
    const clock = new FakeClock();
    const retrier = new RejoinRetrier(
      {
        clock,
        logger: recordingLogger(),
        rejoin: () => {
          throw new DisconnectedError('not connected');
        },
      },
      { maxAttempts: 1, random: () => 1 },
    );
    const events = recordEvents(retrier, ['retrying', 'failed', 'rejoined']);
    retrier.handle(LeaveMode.ERROR);
    clock.advance(1000);
    await flush();
    expect(events.names()).toEqual(['retrying', 'failed']);
    expect(events[1]![1]).toMatchObject({ attempt: 1, willRetry: false });
    expect((events[1]![1] as { error: Error }).error).toBeInstanceOf(DisconnectedError);
  });

  it('limits: defaults, zero attempts, Infinity, bad values', () => {
    expect(REJOIN_POLICY_DEFAULTS).toEqual({ maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 300_000, stableAfterMs: 60_000 });
    const none = setup({ maxAttempts: 0 });
    expect(none.retrier.handle(LeaveMode.ERROR)).toBe(false);
    expect(none.clock.pending).toBe(0);
    const forever = setup({ maxAttempts: Infinity });
    expect(forever.retrier.handle(LeaveMode.ERROR)).toBe(true);
    forever.retrier.cancel();
    const host = { clock: new FakeClock(), logger: recordingLogger(), rejoin: () => Promise.resolve() };
    expect(() => new RejoinRetrier(host, { maxAttempts: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new RejoinRetrier(host, { maxAttempts: -1 })).toThrow(InvalidArgumentError);
    expect(() => new RejoinRetrier(host, { baseDelayMs: -1 })).toThrow(InvalidArgumentError);
  });
});
