/**
 * The demo's bookkeeping: a transcript printer (time-stamped lines) and a step runner where
 * every step has a deadline and ends up in the final ✔/✘ list.
 */
import { AbortError, TimeoutError } from '../src/core/errors.js';

const t0 = Date.now();
const useColor = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

function paint(code: string, s: string): string {
  return useColor ? `\x1b[${code}m${s}\x1b[0m` : s;
}

/** Print one transcript line, prefixed with the time since the demo started. */
export function say(who: string, text: string): void {
  const at = ((Date.now() - t0) / 1000).toFixed(2).padStart(6);
  process.stdout.write(`${paint('2', `[+${at}s]`)} ${paint('36', who.padEnd(8))} ${text}\n`);
}

/** A step of the scene and its outcome. */
interface StepRecord {
  name: string;
  ok: boolean | undefined;
  ms: number;
  error?: string;
}

/** Reject with `TimeoutError` when `promise` has not settled within `ms`, or `AbortError` on `signal`. */
export function within<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError(`${what}: interrupted`));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError(`${what}: interrupted`));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TimeoutError(`${what}: nothing within ${ms} ms`));
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Runs the scene's steps in order; the first failure stops the scene. */
export class Steps {
  readonly #records: StepRecord[] = [];
  readonly #signal: AbortSignal | undefined;
  readonly #paceMs: number;

  /**
   * Declare the steps up front so the final list also shows those never reached; `signal`
   * interrupts the running step; `paceMs` (`--slow`) pauses before each step, for watching.
   */
  constructor(names: readonly string[], signal?: AbortSignal, paceMs = 0) {
    this.#signal = signal;
    this.#paceMs = paceMs;
    for (const name of names) this.#records.push({ name, ok: undefined, ms: 0 });
  }

  /** Run step `name` (declared in the constructor) with a deadline. Throws on failure. */
  async run<T>(name: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
    const rec = this.#records.find((r) => r.name === name && r.ok === undefined);
    if (!rec) throw new Error(`demo bug: undeclared step ${name}`);
    if (this.#paceMs > 0)
      await within(new Promise<void>((r) => setTimeout(r, this.#paceMs)), this.#paceMs + 1000, 'pause', this.#signal).catch(
        () => undefined,
      );
    say('step', paint('1', name));
    const start = Date.now();
    try {
      if (this.#signal?.aborted) throw new AbortError(`${name}: interrupted`);
      const value = await within(fn(), timeoutMs, name, this.#signal);
      rec.ok = true;
      rec.ms = Date.now() - start;
      return value;
    } catch (e) {
      rec.ok = false;
      rec.ms = Date.now() - start;
      rec.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw e;
    }
  }

  /** Whether every declared step succeeded. */
  get allOk(): boolean {
    return this.#records.every((r) => r.ok === true);
  }

  /** Print the ✔/✘ list (a step never reached is shown with ✘ and "not reached"). */
  print(): void {
    process.stdout.write('\nSteps:\n');
    for (const r of this.#records) {
      const mark = r.ok === true ? paint('32', '✔') : paint('31', '✘');
      const detail =
        r.ok === true ? paint('2', `(${r.ms} ms)`) : r.ok === false ? paint('31', r.error ?? 'failed') : paint('2', 'not reached');
      process.stdout.write(`  ${mark} ${r.name} ${detail}\n`);
    }
  }
}
