import { AbortError, InvalidArgumentError, TimeoutError } from './errors.js';
import { type Clock, systemClock } from './clock.js';

/** Options of an operation that can be cancelled and timed out. */
export interface AbortOptions {
  /** Cancel the operation. */
  signal?: AbortSignal | undefined;
  /** Give up after this many milliseconds. */
  timeoutMs?: number | undefined;
}

/**
 * Settle `promise`, or reject with {@link AbortError} when `signal` aborts or with
 * {@link TimeoutError} after `timeoutMs`, whichever comes first. `onCancel` runs when the
 * wait is abandoned (to clean up what the promise was waiting for). Every listener and
 * timer is removed in every outcome.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  options: AbortOptions & { clock?: Clock | undefined; what?: string | undefined; onCancel?: ((e: Error) => void) | undefined },
): Promise<T> {
  const { signal, timeoutMs, clock = systemClock, what = 'operation', onCancel } = options;
  if (!signal && timeoutMs === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    let settled = false;
    const finish = () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clock.clearTimeout(timer);
    };
    const fail = (e: Error) => {
      if (settled) return;
      finish();
      onCancel?.(e);
      reject(e);
    };
    const onAbort = () => fail(new AbortError(`The ${what} was aborted`, { cause: signal?.reason }));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = clock.setTimeout(() => fail(new TimeoutError(`The ${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    }
    promise.then(
      (v) => {
        if (settled) return;
        finish();
        resolve(v);
      },
      (e: unknown) => {
        if (settled) return;
        finish();
        reject(e);
      },
    );
  });
}

/** Validate a duration given by a caller: finite and non-negative. */
export function checkDuration(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a finite number of milliseconds >= 0, got ${String(value)}`);
  }
}
