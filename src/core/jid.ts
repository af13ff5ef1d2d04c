import { InvalidArgumentError } from './errors.js';
import { ownString } from './own-string.js';
import { clearDomainCache, enforceDomain } from './precis/domain.js';
import { LruCache } from './precis/lru-cache.js';
import { enforceNickname, enforceUsernameCaseMapped, nicknameComparisonForm } from './precis/profiles.js';

/*
 * XMPP addresses (RFC 7622) with PRECIS normalisation:
 * - localpart: UsernameCaseMapped (RFC 8265 §3.3), minus the characters RFC 7622 §3.3.1
 *   forbids (" & ' / : < > @);
 * - domainpart: IDNA / UTS #46 (see precis/domain.ts), lowercase U-labels, IP literals;
 * - resourcepart: Nickname enforcement (RFC 8266), as aioxmpp does, rather than RFC 7622's
 *   OpaqueString: spaces are mapped/trimmed/collapsed and NFKC applied, case is kept; equality
 *   of resources uses the nickname comparison (case-insensitive).
 * Every part is 1..1023 octets of UTF-8 after normalisation.
 *
 * Memory: a JID's parts are owned strings (never views on a stanza's source, see
 * own-string.ts), domains are shared between JIDs (a small intern table), and the string form
 * is built on first use.
 */

const MAX_PART_BYTES = 1023;
/** Raw parts longer than this (UTF-16 units) are rejected before any Unicode work. */
const MAX_RAW_PART = 4096;
const RE_LOCAL_FORBIDDEN = /["&'/:<>@]/;
/** Non-empty printable ASCII without spaces. */
const RE_PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

const encoder = new TextEncoder();

function utf8Length(s: string): number {
  // Fast path: a string of at most 341 UTF-16 units is at most 1023 octets.
  return s.length <= 341 ? 0 : encoder.encode(s).length;
}

function checkLength(part: string, normalised: string, what: string): void {
  if (utf8Length(normalised) > MAX_PART_BYTES) {
    throw new InvalidArgumentError(`${what} is longer than ${MAX_PART_BYTES} octets (${JSON.stringify(part.slice(0, 32))}…)`);
  }
}

function rawGuard(part: string, what: string): void {
  if (part.length > MAX_RAW_PART) throw new InvalidArgumentError(`${what} is too long (${part.length} characters)`);
}

function prepareLocal(local: string): string {
  if (local === '') throw new InvalidArgumentError('JID localpart is empty');
  rawGuard(local, 'JID localpart');
  const out = enforceUsernameCaseMapped(local);
  const bad = RE_LOCAL_FORBIDDEN.exec(out);
  if (bad) throw new InvalidArgumentError(`JID localpart ${JSON.stringify(local.slice(0, 64))} contains ${JSON.stringify(bad[0])}`);
  checkLength(local, out, 'JID localpart');
  return ownString(out);
}

/** Domainpart as received -> its prepared form, one string shared by the JIDs of that domain. */
const domains = new LruCache<string>(256);

function prepareDomain(domain: string): string {
  const known = domains.get(domain);
  if (known !== undefined) return known;
  if (domain === '') throw new InvalidArgumentError('JID domainpart is empty');
  const out = enforceDomain(domain);
  checkLength(domain, out, 'JID domainpart');
  const own = domains.get(out) ?? ownString(out);
  domains.set(domain, own);
  return own;
}

/** Printable ASCII and spaces: the resources RFC 8266 enforcement handles without Unicode work. */
const RE_ASCII_WITH_SPACE = /^[\x20-\x7e]*$/;
/** Non-ASCII resource -> its enforced form, or U+0000 + the error message (no valid resource holds U+0000). */
const resourceCache = new LruCache<string>(1000);

function prepareResource(resource: string): string {
  if (resource === '') throw new InvalidArgumentError('JID resourcepart is empty');
  rawGuard(resource, 'JID resourcepart');
  if (RE_ASCII_WITH_SPACE.test(resource)) {
    // A few string checks: cheaper than a cache lookup.
    const out = enforceNickname(resource);
    checkLength(resource, out, 'JID resourcepart');
    return ownString(out);
  }
  const cached = resourceCache.get(resource);
  if (cached !== undefined) {
    if (cached.charCodeAt(0) === 0) throw new InvalidArgumentError(cached.slice(1));
    return cached;
  }
  let out: string;
  try {
    out = enforceNickname(resource);
    checkLength(resource, out, 'JID resourcepart');
  } catch (err) {
    if (err instanceof InvalidArgumentError) resourceCache.set(resource, `\u0000${err.message}`);
    throw err;
  }
  out = ownString(out);
  resourceCache.set(resource, out);
  return out;
}

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
  /** The string form, built on first use. */
  #string: string | undefined;
  #key: string | undefined;
  #bare: JID | undefined;

  private constructor(local: string | undefined, domain: string, resource: string | undefined) {
    this.local = local;
    this.domain = domain;
    this.resource = resource;
  }

  /** Build a JID from parts, normalising each. Throws {@link InvalidArgumentError} when malformed. */
  static of(local: string | undefined, domain: string, resource?: string): JID {
    return new JID(
      local === undefined ? undefined : prepareLocal(local),
      prepareDomain(domain),
      resource === undefined ? undefined : prepareResource(resource),
    );
  }

  /**
   * Parse a JID string (RFC 7622 §3.1: the resourcepart follows the first `/`, the localpart
   * precedes the first `@` before it). Results are memoised in a bounded cache (1000 distinct
   * strings), so PRECIS runs once per distinct string. Throws {@link InvalidArgumentError} when
   * malformed.
   */
  static parse(input: string): JID {
    return parseJid(input);
  }

  /** Parse, returning `undefined` instead of throwing (memoised like {@link JID.parse}). */
  static tryParse(input: string | undefined | null): JID | undefined {
    if (typeof input !== 'string') return undefined;
    const result = lookup(input);
    return typeof result === 'string' ? undefined : result;
  }

  /** True when the JID has no resourcepart. */
  get isBare(): boolean {
    return this.resource === undefined;
  }

  /**
   * The comparison key: equal for two JIDs exactly when {@link JID.equals} holds
   * (`local@domain/` + the nickname comparison form of the resource). Use it to key maps.
   */
  get key(): string {
    if (this.#key === undefined) {
      this.#key = this.resource === undefined ? this.bareString() : `${this.bareString()}/${nicknameKey(this.resource)}`;
    }
    return this.#key;
  }

  private bareString(): string {
    return this.local === undefined ? this.domain : `${this.local}@${this.domain}`;
  }

  /** The bare JID (without resource). */
  bare(): JID {
    if (this.resource === undefined) return this;
    this.#bare ??= new JID(this.local, this.domain, undefined);
    return this.#bare;
  }

  /** This JID with another resourcepart (normalised). */
  withResource(resource: string): JID {
    return new JID(this.local, this.domain, prepareResource(resource));
  }

  /** The string form `local@domain/resource`, from the normalised parts. */
  toString(): string {
    if (this.#string === undefined) {
      const bare = this.#bare === undefined ? this.bareString() : this.#bare.toString();
      this.#string = this.resource === undefined ? bare : `${bare}/${this.resource}`;
    }
    return this.#string;
  }

  /** The string form, for `JSON.stringify`. */
  toJSON(): string {
    return this.toString();
  }

  /**
   * Equality after normalisation: localpart and domainpart exactly, resourcepart by the
   * RFC 8266 nickname comparison (case-insensitive). Accepts a string (parsed; a malformed
   * string is never equal).
   */
  equals(other: JID | string | undefined): boolean {
    const o = typeof other === 'string' ? JID.tryParse(other) : other;
    if (!o) return false;
    if (o === this) return true;
    if (o.local !== this.local || o.domain !== this.domain) return false;
    if (o.resource === this.resource) return true;
    return o.resource !== undefined && this.resource !== undefined && o.key === this.key;
  }
}

/** Parse without the cache (RFC 7622 §3.1 splitting, then each part's profile). */
function parseUncached(input: string): JID {
  const slash = input.indexOf('/');
  const barePart = slash === -1 ? input : input.slice(0, slash);
  const at = barePart.indexOf('@');
  const local = at === -1 ? undefined : barePart.slice(0, at);
  const domain = at === -1 ? barePart : barePart.slice(at + 1);
  if (domain.includes('@')) {
    throw new InvalidArgumentError(`Malformed JID ${JSON.stringify(input.slice(0, 64))}: more than one '@' before the resource`);
  }
  return JID.of(local, domain, slash === -1 ? undefined : input.slice(slash + 1));
}

/** Capacity of the {@link parseJid} cache (distinct input strings). */
export const JID_CACHE_SIZE = 1000;

/** Input string -> parsed JID, or the error message when malformed. */
const cache = new LruCache<JID | string>(JID_CACHE_SIZE);
/** Non-ASCII nickname -> comparison key (an ASCII one is cheaper to key than to look up). */
const nickKeyCache = new LruCache<string>(JID_CACHE_SIZE);

/** Parse through the cache: the JID, or the error message when malformed. */
function lookup(input: string): JID | string {
  const hit = cache.get(input);
  if (hit !== undefined) return hit;
  // Not cached: a hostile giant string must not evict useful entries.
  if (input.length > 3 * MAX_RAW_PART) return `Malformed JID: too long (${input.length} characters)`;
  let result: JID | string;
  try {
    result = parseUncached(input);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    result = err.message;
  }
  cache.set(input, result);
  return result;
}

/**
 * Parse a JID, memoised in a bounded, approximately-LRU cache of at most
 * {@link JID_CACHE_SIZE} distinct strings, so that PRECIS runs once per
 * distinct string on hot paths (a hit costs one `Map.get`). Returns
 * the same object for the same string while it stays cached. Throws
 * {@link InvalidArgumentError} when malformed (malformed strings are cached too).
 */
export function parseJid(input: string): JID {
  const result = lookup(input);
  if (typeof result === 'string') throw new InvalidArgumentError(result);
  return result;
}

/**
 * {@link JID.tryParse} for a string seen about once (the real JID of an occupant presence):
 * printable ASCII, which needs no Unicode work, is parsed directly instead of churning the
 * {@link parseJid} cache; anything else goes through the cache. An equal JID (not necessarily
 * the cached object), or `undefined` when malformed.
 * @internal
 */
export function tryParseOnce(input: string): JID | undefined {
  if (input.length > MAX_RAW_PART || !RE_PRINTABLE_ASCII.test(input)) return JID.tryParse(input);
  try {
    return parseUncached(input);
  } catch (err) {
    if (err instanceof InvalidArgumentError) return undefined;
    throw err;
  }
}

/** Empty the {@link parseJid} cache (for tests and memory pressure). */
export function clearJidCache(): void {
  cache.clear();
  nickKeyCache.clear();
  resourceCache.clear();
  domains.clear();
  clearDomainCache();
}

/**
 * Normalise a MUC nickname for use on the wire (RFC 8266 enforcement: non-ASCII spaces to
 * U+0020, outer spaces trimmed, inner runs collapsed, NFKC; case kept). Throws
 * {@link InvalidArgumentError} when the nickname is empty or contains disallowed characters.
 */
export function prepareNickname(nick: string): string {
  rawGuard(nick, 'Nickname');
  const out = enforceNickname(nick);
  checkLength(nick, out, 'Nickname');
  return out;
}

/**
 * The comparison key of a nickname (RFC 8266 comparison: enforcement + case mapping), or
 * `undefined` for `undefined`. Two nicknames are equivalent exactly when their keys are equal.
 * An invalid nickname (e.g. from the network) does not throw: its key is the raw string
 * prefixed with U+0000, which no valid key contains, so it equals only itself.
 */
export function nicknameKey(nick: string | undefined): string | undefined {
  if (nick === undefined) return undefined;
  // Printable ASCII without spaces: enforcement keeps it as it is, the key is its lower case.
  if (RE_PRINTABLE_ASCII.test(nick) && nick.length <= MAX_RAW_PART) {
    const lower = nick.toLowerCase();
    return lower === nick ? nick : lower; // the nick itself when unchanged: a map keyed by it keeps no copy
  }
  const cached = nickKeyCache.get(nick);
  if (cached !== undefined) return cached;
  let key: string;
  try {
    if (nick.length > MAX_RAW_PART) throw new InvalidArgumentError('too long');
    key = nicknameComparisonForm(nick);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    key = ownString(`\u0000${nick}`);
  }
  if (nick.length <= MAX_RAW_PART) nickKeyCache.set(nick, key);
  return key;
}
