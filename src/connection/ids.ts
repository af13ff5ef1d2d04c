/**
 * Random ids for stanzas, from the platform's CSPRNG (`crypto.getRandomValues`, in Node and
 * browsers), never `Math.random`: an IQ id an attacker can predict is a reply they can
 * prepare. Shared by every connection implementation.
 * @internal
 * @module
 */

/** `n` random bytes from `crypto.getRandomValues`. @internal */
export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/** A random id for stanzas: 16 url-safe base64 characters (96 bits). @internal */
export function randomId(): string {
  return btoa(String.fromCharCode(...randomBytes(12)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}
