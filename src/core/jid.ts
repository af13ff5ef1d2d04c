import { InvalidArgumentError } from './errors.js';

/*
 * PLACEHOLDER IMPLEMENTATION (lead): the public API below is the contract other modules use.
 * The JID/PRECIS helper replaces the internals with real RFC 8265/8266/IDNA normalisation,
 * keeping every exported name and signature.
 */

/**
 * An XMPP address (RFC 7622), with parts normalised at construction: the localpart by
 * PRECIS UsernameCaseMapped (RFC 8265), the domain by IDNA, the resourcepart by PRECIS
 * Nickname enforcement (RFC 8266, as aioxmpp does). Immutable.
 */
export class JID {
  /** The localpart, or `undefined`. */
  readonly local: string | undefined;
  /** The domainpart. */
  readonly domain: string;
  /** The resourcepart (for an occupant JID: the nick), or `undefined`. */
  readonly resource: string | undefined;

  private constructor(local: string | undefined, domain: string, resource: string | undefined) {
    this.local = local;
    this.domain = domain;
    this.resource = resource;
  }

  /** Build a JID from parts, normalising each. Throws {@link InvalidArgumentError} when malformed. */
  static of(local: string | undefined, domain: string, resource?: string): JID {
    if (!domain) throw new InvalidArgumentError('JID domainpart is empty');
    return new JID(local?.toLowerCase(), domain.toLowerCase(), resource);
  }

  /** Parse a JID string. Throws {@link InvalidArgumentError} when malformed. */
  static parse(input: string): JID {
    const slash = input.indexOf('/');
    const barePart = slash === -1 ? input : input.slice(0, slash);
    const resource = slash === -1 ? undefined : input.slice(slash + 1);
    const at = barePart.indexOf('@');
    const local = at === -1 ? undefined : barePart.slice(0, at);
    const domain = at === -1 ? barePart : barePart.slice(at + 1);
    if (local === '' || resource === '') throw new InvalidArgumentError(`Malformed JID: ${JSON.stringify(input)}`);
    return JID.of(local, domain, resource);
  }

  /** Parse, returning `undefined` instead of throwing. */
  static tryParse(input: string | undefined | null): JID | undefined {
    if (typeof input !== 'string') return undefined;
    try {
      return JID.parse(input);
    } catch {
      return undefined;
    }
  }

  /** True when the JID has no resourcepart. */
  get isBare(): boolean {
    return this.resource === undefined;
  }

  /** The bare JID (without resource). */
  bare(): JID {
    return this.resource === undefined ? this : new JID(this.local, this.domain, undefined);
  }

  /** This JID with another resourcepart (normalised). */
  withResource(resource: string): JID {
    return JID.of(this.local, this.domain, resource);
  }

  /** The string form `local@domain/resource`. */
  toString(): string {
    const bare = this.local === undefined ? this.domain : `${this.local}@${this.domain}`;
    return this.resource === undefined ? bare : `${bare}/${this.resource}`;
  }

  /**
   * Equality after normalisation: localpart and domainpart exactly, resourcepart by the
   * RFC 8266 nickname comparison (case-insensitive). Accepts a string (parsed; a malformed
   * string is never equal).
   */
  equals(other: JID | string | undefined): boolean {
    const o = typeof other === 'string' ? JID.tryParse(other) : other;
    if (!o) return false;
    return o.local === this.local && o.domain === this.domain && nicknameKey(o.resource) === nicknameKey(this.resource);
  }
}

/** Parse a JID, memoised in a bounded cache (for hot paths that see the same strings often). */
export function parseJid(input: string): JID {
  return JID.parse(input);
}

/**
 * Normalise a MUC nickname for use on the wire (RFC 8266 enforcement). Throws
 * {@link InvalidArgumentError} when the nickname is empty or contains disallowed characters.
 */
export function prepareNickname(nick: string): string {
  const n = nick.trim();
  if (!n) throw new InvalidArgumentError('Nickname is empty');
  return n;
}

/** The comparison key of a nickname (RFC 8266 comparison: enforcement + case mapping). */
export function nicknameKey(nick: string | undefined): string | undefined {
  return nick?.toLowerCase();
}
