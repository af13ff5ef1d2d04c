/**
 * A failed expectation of the test kit. Carries `actual` and `expected` so that test runners
 * (Vitest, Jest, Mocha) show a diff, without the kit depending on any of them.
 */
export class AssertionError extends Error {
  /** Always `'AssertionError'`. */
  override readonly name = 'AssertionError';
  /** What the code under test produced. */
  readonly actual: unknown;
  /** What the test expected. */
  readonly expected: unknown;
  /** Tells test runners to render a diff of `actual` and `expected`. */
  readonly showDiff = true;

  constructor(message: string, actual: unknown, expected: unknown) {
    super(message);
    this.actual = actual;
    this.expected = expected;
  }
}

/** Throw an {@link AssertionError} unless `actual === expected`. */
export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (actual !== expected) throw new AssertionError(message, actual, expected);
}
