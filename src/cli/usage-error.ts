/** The CLI's usage error (its own module so that every parser can throw it). */

/** Bad command-line input: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
