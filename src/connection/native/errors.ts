import { XmucError } from '../../core/errors.js';

/**
 * Authentication failed: the server refused the credentials (SASL `<failure/>`), no
 * acceptable mechanism was offered, or the server's proof (SCRAM `v=`) did not verify.
 * Never retried by the reconnect loop.
 */
export class AuthError extends XmucError {
  /** The error class name, always `'AuthError'`. */
  override readonly name = 'AuthError' as const;
  readonly code = 'ERR_AUTH' as const;
  /** The SASL failure condition (`not-authorized`, `invalid-mechanism`...), or `undefined` for local failures. */
  readonly condition: string | undefined;
  constructor(message: string, condition?: string, options?: ErrorOptions) {
    super(message, options);
    this.condition = condition;
  }
}

/**
 * The XML stream failed: a `<stream:error/>` from the server (its `condition` and `text`),
 * malformed or forbidden XML from the server (`not-well-formed`, `restricted-xml`,
 * `policy-violation` for an oversized stanza...), a required feature that is missing
 * (`condition` `undefined-condition`), or an unexpected close.
 */
export class StreamError extends XmucError {
  /** The error class name, always `'StreamError'`. */
  override readonly name = 'StreamError' as const;
  readonly code = 'ERR_STREAM' as const;
  /** The stream error condition (RFC 6120 §4.9.3). */
  readonly condition: string;
  /** The `<text/>` of a received stream error. */
  readonly text: string | undefined;
  /** True when the condition came from the server, false when xmuc detected the problem. */
  readonly remote: boolean;
  constructor(condition: string, options: { text?: string | undefined; remote?: boolean; message?: string; cause?: unknown } = {}) {
    super(options.message ?? (options.text ? `Stream error ${condition}: ${options.text}` : `Stream error ${condition}`), {
      cause: options.cause,
    });
    this.condition = condition;
    this.text = options.text;
    this.remote = options.remote ?? false;
  }
}
