/**
 * The browser stand-in for `unicode-packages.ts` (package.json's `browser` field): the same
 * accessors over static imports, so that bundles never see `node:module`.
 * @internal
 */
import bidiImport from 'bidi-js';
import type { Bidi } from 'bidi-js';
import * as tr46 from 'tr46';

/** The `tr46` module. @internal */
export function tr46Module(): typeof tr46 {
  return tr46;
}

/** `bidi-js`'s factory. @internal */
export function bidiFactoryOf(): () => Bidi {
  // bidi-js is CommonJS; depending on the bundler the default import is the factory itself or
  // a namespace object holding it.
  const factory = bidiImport as unknown as { default?: () => Bidi } | (() => Bidi);
  return typeof factory === 'function' ? factory : factory.default!;
}
