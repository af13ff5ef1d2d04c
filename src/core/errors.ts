import type { Element } from 'ltx';
import { NS } from './namespaces.js';

/** The error types of RFC 6120 §8.3.2. */
export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** The defined stanza error conditions of RFC 6120 §8.3.3. */
export type StanzaErrorCondition =
  | 'bad-request'
  | 'conflict'
  | 'feature-not-implemented'
  | 'forbidden'
  | 'gone'
  | 'internal-server-error'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-acceptable'
  | 'not-allowed'
  | 'not-authorized'
  | 'policy-violation'
  | 'recipient-unavailable'
  | 'redirect'
  | 'registration-required'
  | 'remote-server-not-found'
  | 'remote-server-timeout'
  | 'resource-constraint'
  | 'service-unavailable'
  | 'subscription-required'
  | 'undefined-condition'
  | 'unexpected-request';

/** Every condition of {@link StanzaErrorCondition}, for validation. */
export const STANZA_ERROR_CONDITIONS: ReadonlySet<StanzaErrorCondition> = new Set<StanzaErrorCondition>([
  'bad-request',
  'conflict',
  'feature-not-implemented',
  'forbidden',
  'gone',
  'internal-server-error',
  'item-not-found',
  'jid-malformed',
  'not-acceptable',
  'not-allowed',
  'not-authorized',
  'policy-violation',
  'recipient-unavailable',
  'redirect',
  'registration-required',
  'remote-server-not-found',
  'remote-server-timeout',
  'resource-constraint',
  'service-unavailable',
  'subscription-required',
  'undefined-condition',
  'unexpected-request',
]);

const ERROR_TYPES: ReadonlySet<string> = new Set(['auth', 'cancel', 'continue', 'modify', 'wait']);

/** Stable machine-readable codes of xmuc's errors. */
export type XmucErrorCode =
  | 'ERR_STANZA'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_DISCONNECTED'
  | 'ERR_NOT_JOINED'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_PAYLOAD'
  | 'ERR_MUC_JOIN'
  | 'ERR_STREAM'
  | 'ERR_AUTH';

const BRAND = Symbol.for('xmuc.error');

/**
 * Base class of every error xmuc creates. `instanceof XmucError` works even when two copies
 * of the package are loaded (the check uses a global symbol brand, as undici does).
 */
export abstract class XmucError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: XmucErrorCode;
  /** @internal */
  readonly [BRAND] = true;

  /**
   * `instanceof` check: on `XmucError` itself it tests the cross-copy brand; on subclasses it is
   * the ordinary prototype-chain check.
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` tests against (XmucError or a subclass).
    if (this === XmucError) {
      return typeof instance === 'object' && instance !== null && (instance as Record<symbol, unknown>)[BRAND] === true;
    }
    // biome-ignore lint/complexity/noThisInStatic: as above, the subclass under test.
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }
}

/** Options for the constructor of {@link StanzaError}. */
export interface StanzaErrorInit {
  /** The `type` attribute of `<error/>`. */
  type: StanzaErrorType;
  /** The defined condition element (namespace `urn:ietf:params:xml:ns:xmpp-stanzas`). */
  condition: StanzaErrorCondition;
  /** The human-readable `<text/>`, if any; it also becomes part of the error message. */
  text?: string | undefined;
  /** The `by` attribute of `<error/>`: the entity that generated the error. */
  by?: string | undefined;
  /** An application-specific condition element, if present. */
  applicationCondition?: Element | undefined;
  /** The whole stanza that carried the error. */
  stanza?: Element | undefined;
}

/**
 * An XMPP stanza error (RFC 6120 §8.3), found in an `<error/>` child by namespace.
 *
 * @example
 * ```ts
 * try { await room.setNick('taken'); }
 * catch (e) { if (e instanceof StanzaError && e.condition === 'conflict') { ... } }
 * ```
 */
export class StanzaError extends XmucError {
  /** The error class name, always `'StanzaError'`. */
  override readonly name = 'StanzaError' as const;
  readonly code = 'ERR_STANZA' as const;
  /** The error type: what the sender may do next. */
  readonly type: StanzaErrorType;
  /** The defined condition. Unknown conditions are reported as `undefined-condition`. */
  readonly condition: StanzaErrorCondition;
  /** The human-readable `<text/>`, if any. */
  readonly text: string | undefined;
  /** The `by` attribute: the entity that generated the error. */
  readonly by: string | undefined;
  /** An application-specific condition element, if present. */
  readonly applicationCondition: Element | undefined;
  /** The whole stanza that carried the error. */
  readonly stanza: Element | undefined;

  constructor(init: StanzaErrorInit) {
    super(init.text ? `${init.condition}: ${init.text}` : init.condition);
    this.type = init.type;
    this.condition = init.condition;
    this.text = init.text;
    this.by = init.by;
    this.applicationCondition = init.applicationCondition;
    this.stanza = init.stanza;
  }

  /**
   * Build a StanzaError from a stanza of type `error`. Never throws: a missing or malformed
   * `<error/>` yields `undefined-condition` of type `cancel`.
   */
  static fromStanza(stanza: Element): StanzaError {
    const error = stanza.getChild('error');
    let condition: StanzaErrorCondition = 'undefined-condition';
    let text: string | undefined;
    let applicationCondition: Element | undefined;
    if (error) {
      for (const child of error.getChildElements()) {
        const ns = child.getNS();
        if (ns === NS.STANZAS) {
          if (child.getName() === 'text') text = child.getText();
          else if (STANZA_ERROR_CONDITIONS.has(child.getName() as StanzaErrorCondition)) {
            condition = child.getName() as StanzaErrorCondition;
          }
        } else if (applicationCondition === undefined) {
          applicationCondition = child;
        }
      }
    }
    const rawType = error?.attrs.type as string | undefined;
    const type = (rawType && ERROR_TYPES.has(rawType) ? rawType : 'cancel') as StanzaErrorType;
    return new StanzaError({ type, condition, text, by: error?.attrs.by as string | undefined, applicationCondition, stanza });
  }
}

/** An operation did not complete in time. */
export class TimeoutError extends XmucError {
  /** The error class name, always `'TimeoutError'`. */
  override readonly name = 'TimeoutError' as const;
  readonly code = 'ERR_TIMEOUT' as const;
  constructor(message = 'The operation timed out', options?: ErrorOptions) {
    super(message, options);
  }
}

/** An operation was cancelled through its `AbortSignal`. */
export class AbortError extends XmucError {
  /** The error class name, always `'AbortError'`. */
  override readonly name = 'AbortError' as const;
  readonly code = 'ERR_ABORTED' as const;
  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The stream went away (or a new session replaced it) before the operation completed. */
export class DisconnectedError extends XmucError {
  /** The error class name, always `'DisconnectedError'`. */
  override readonly name = 'DisconnectedError' as const;
  readonly code = 'ERR_DISCONNECTED' as const;
  constructor(message = 'The connection was lost', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The operation needs a joined room, and the room is not joined. */
export class NotJoinedError extends XmucError {
  /** The error class name, always `'NotJoinedError'`. */
  override readonly name = 'NotJoinedError' as const;
  readonly code = 'ERR_NOT_JOINED' as const;
  constructor(message = 'The room is not joined', options?: ErrorOptions) {
    super(message, options);
  }
}

/** An argument given by the caller is malformed (a bad JID, a negative timeout...). */
export class InvalidArgumentError extends XmucError {
  /** The error class name, always `'InvalidArgumentError'`. */
  override readonly name = 'InvalidArgumentError' as const;
  readonly code = 'ERR_INVALID_ARGUMENT' as const;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A required part of a payload is missing or malformed. */
export class PayloadError extends XmucError {
  /** The error class name, always `'PayloadError'`. */
  override readonly name = 'PayloadError' as const;
  readonly code = 'ERR_PAYLOAD' as const;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Turn anything thrown into an `Error`, so that promises reject only with `Error`s. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : `Non-error thrown: ${String(value)}`);
}
