import { toASCII, toUnicode } from 'tr46';
import { InvalidArgumentError } from '../errors.js';
import { LruCache } from './lru-cache.js';

/**
 * Preparation and enforcement of XMPP domainparts (RFC 7622 §3.2): IDNA through UTS #46
 * (`tr46`, pure JS), stored in lowercase U-label form; IPv4 literals and bracketed IPv6
 * literals are accepted as they are (IPv6 lowercased).
 */

const RE_TRAILING_DOT = /[.\u3002\uff0e\uff61]$/u;
const RE_IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const RE_LDH = /^[a-z0-9._-]+$/;
const RE_HEX16 = /^[0-9a-f]{1,4}$/;
/** Plain ASCII host names, for which UTS #46 is just lower-casing plus the length checks. */
const RE_ASCII_HOST = /^[a-zA-Z0-9_-]{1,63}(?:\.[a-zA-Z0-9_-]{1,63})*$/;

/** Non-ASCII or A-label domain -> enforced form or error message (tr46 costs ~25 µs). */
const idnCache = new LruCache<{ ok: string } | { error: string }>(256);

/** Empty the IDNA result cache. */
export function clearDomainCache(): void {
  idnCache.clear();
}

function fail(input: string, reason: string): never {
  const s = input.length > 64 ? `${input.slice(0, 64)}…` : input;
  throw new InvalidArgumentError(`Invalid JID domainpart ${JSON.stringify(s)}: ${reason}`);
}

function isIpv4(s: string): boolean {
  const m = RE_IPV4.exec(s);
  return m?.slice(1).every((o) => Number(o) <= 255 && (o.length === 1 || o[0] !== '0')) === true;
}

/** True for the text of an IPv6 address (RFC 4291 §2.2), without brackets or zone. */
export function isIpv6(s: string): boolean {
  let text = s.toLowerCase();
  let groupsNeeded = 8;
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.includes('.', lastColon)) {
    if (!isIpv4(text.slice(lastColon + 1))) return false;
    text = `${text.slice(0, lastColon + 1)}0`; // the IPv4 tail stands for two groups
    groupsNeeded = 7;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => g.every((x) => RE_HEX16.test(x)))) return false;
  const count = groups.reduce((n, g) => n + g.length, 0);
  return halves.length === 2 ? count < groupsNeeded : count === groupsNeeded;
}

/**
 * Enforce an XMPP domainpart: strip one trailing dot, accept an IPv4 literal or a bracketed
 * IPv6 literal, otherwise apply UTS #46 (non-transitional, CheckBidi, CheckJoiners, DNS length
 * limits: labels 1..63 octets, name at most 253 octets in A-label form), then keep the U-label
 * form. ASCII is limited to letters, digits, `-`, `_` and `.` (underscore tolerated as in
 * common XMPP deployments). Throws {@link InvalidArgumentError}.
 */
export function enforceDomain(input: string): string {
  if (input.length === 0) fail(input, 'empty');
  if (input.length > 1023) fail(input, 'too long');
  const d = RE_TRAILING_DOT.test(input) ? input.slice(0, -1) : input;
  if (d.length === 0) fail(input, 'empty');
  if (d.startsWith('[')) {
    if (!d.endsWith(']') || !isIpv6(d.slice(1, -1))) fail(input, 'not a valid IPv6 literal');
    return d.toLowerCase();
  }
  if (isIpv4(d)) return d;
  if (d.length <= 253 && RE_ASCII_HOST.test(d) && !/(?:^|\.)xn--/i.test(d)) return d.toLowerCase();
  const cached = idnCache.get(input);
  if (cached) {
    if ('ok' in cached) return cached.ok;
    throw new InvalidArgumentError(cached.error);
  }
  try {
    const ok = enforceIdn(input, d);
    idnCache.set(input, { ok });
    return ok;
  } catch (err) {
    if (err instanceof InvalidArgumentError) idnCache.set(input, { error: err.message });
    throw err;
  }
}

function enforceIdn(input: string, d: string): string {
  if (/\p{Cs}/u.test(d)) fail(input, 'unpaired surrogate');
  const ascii = toASCII(d, {
    checkBidi: true,
    checkHyphens: false,
    checkJoiners: true,
    useSTD3ASCIIRules: false,
    transitionalProcessing: false,
    verifyDNSLength: true,
  });
  if (ascii === null) fail(input, 'not a valid internationalised domain name (UTS #46)');
  if (!RE_LDH.test(ascii)) fail(input, 'disallowed character');
  if (!ascii.includes('xn--')) return ascii;
  const { domain, error } = toUnicode(ascii, { checkBidi: true, checkJoiners: true });
  if (error) fail(input, 'not a valid internationalised domain name (UTS #46)');
  return domain;
}
