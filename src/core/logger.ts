/** A minimal structured logger. xmuc is silent unless the application passes one. */
export interface Logger {
  /** Log detail useful only when debugging (stanza traffic, state transitions). */
  debug(message: string, context?: Record<string, unknown>): void;
  /** Log a notable normal event (connected, joined). */
  info(message: string, context?: Record<string, unknown>): void;
  /** Log a recoverable problem (dropped bad input, a retry). */
  warn(message: string, context?: Record<string, unknown>): void;
  /** Log a failure (a listener threw, an operation failed). */
  error(message: string, context?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** A logger that writes to the console, for demos and debugging. */
export function consoleLogger(prefix = 'xmuc'): Logger {
  const fmt = (level: string, message: string) => `[${prefix}] ${level} ${message}`;
  return {
    debug: (m, c) => console.debug(fmt('debug', m), c ?? ''),
    info: (m, c) => console.info(fmt('info', m), c ?? ''),
    warn: (m, c) => console.warn(fmt('warn', m), c ?? ''),
    error: (m, c) => console.error(fmt('error', m), c ?? ''),
  };
}

/** A logger that records every call, for tests. */
export interface RecordingLogger extends Logger {
  /** Every record in the order logged. */
  readonly records: {
    /** The method that was called. */
    level: 'debug' | 'info' | 'warn' | 'error';
    /** The message as logged. */
    message: string;
    /** The context object, when one was passed. */
    context?: Record<string, unknown>;
  }[];
}

/** Create a {@link RecordingLogger}. */
export function recordingLogger(): RecordingLogger {
  const records: RecordingLogger['records'] = [];
  const rec = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, context?: Record<string, unknown>) => {
    records.push(context === undefined ? { level, message } : { level, message, context });
  };
  return { records, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}
