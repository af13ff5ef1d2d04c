import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// jid.ts and the PRECIS module run in browsers too: they may import only browser-safe packages.
const here = dirname(fileURLToPath(import.meta.url));
const sources = [
  join(here, '..', 'jid.ts'),
  ...readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(here, f)),
];

describe('browser safety of jid.ts and precis/', () => {
  it.each(sources.map((s) => [s.slice(s.indexOf('src/')), s]))(
    '%s imports only relative modules, tr46 and bidi-js, and uses no Node globals',
    (_name, file) => {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      expect(imports.filter((spec) => !(spec.startsWith('./') || spec.startsWith('../') || spec === 'tr46' || spec === 'bidi-js'))).toEqual(
        [],
      );
      expect(text).not.toMatch(/\brequire\(|\bBuffer\b|\bprocess\.|['"]node:/);
    },
  );
});
