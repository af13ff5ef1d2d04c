/**
 * The two Unicode packages the JID code needs for some inputs only, loaded on first use: `tr46`
 * (UTS #46, for non-ASCII domains) and `bidi-js` (Bidi_Class, for right-to-left localparts and
 * SASLprep). Importing both costs a Node process about 37 ms and 1.5 MiB of heap, which most
 * processes never need. The JID code is synchronous, so Node loads them through `require` (both
 * are CommonJS); the browser build maps this module to `unicode-packages.browser.ts`, which
 * imports them up front (a bundle holds them anyway).
 * @internal
 */
import type { Bidi } from 'bidi-js';
import { createRequire } from 'node:module';
import type * as Tr46 from 'tr46';

const load = createRequire(import.meta.url);
let tr46: typeof Tr46 | undefined;
let bidiFactory: (() => Bidi) | undefined;

/** The `tr46` module. @internal */
export function tr46Module(): typeof Tr46 {
  tr46 ??= load('tr46') as typeof Tr46;
  return tr46;
}

/** `bidi-js`'s factory. @internal */
export function bidiFactoryOf(): () => Bidi {
  bidiFactory ??= load('bidi-js') as () => Bidi;
  return bidiFactory;
}
