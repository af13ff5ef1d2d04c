/// <reference types="vite/client" />
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Element, parse } from 'ltx';
import { describe, expect, it } from 'vitest';
import { detach } from '../../src/xml/codec.js';
import { type GoldenCase, SOURCE_COMMENT } from '../support/golden.js';
import { canonical, stripWhitespace } from '../support/xml.js';

const modules = import.meta.glob<{ cases: GoldenCase<unknown>[] }>('../fixtures/*/cases.ts', { eager: true });

function findMatching(root: Element, c: GoldenCase<unknown>): Element | undefined {
  if (c.select) return c.select(root);
  if (c.codec.matches(root)) return root;
  for (const child of root.getChildElements()) {
    const hit = findMatching(child, c);
    if (hit) return hit;
  }
  return undefined;
}

describe('golden fixtures', () => {
  it('accepts only fixtures whose first line names their source', () => {
    expect('<!-- XEP-0004 Example 2 -->').toMatch(SOURCE_COMMENT);
    expect('<!-- captured: Prosody 0.12.3 -->').toMatch(SOURCE_COMMENT);
    expect('<!-- Example 2 -->').not.toMatch(SOURCE_COMMENT);
    expect('<iq type="get"/>').not.toMatch(SOURCE_COMMENT);
  });

  it('finds fixture folders', () => {
    expect(Object.keys(modules).length).toBeGreaterThan(0);
  });

  for (const [key, mod] of Object.entries(modules).sort(([a], [b]) => a.localeCompare(b))) {
    const dir = dirname(fileURLToPath(new URL(key, import.meta.url)));
    const folder = dir.split(/[\\/]/).pop()!;
    describe(folder, () => {
      it('exports a non-empty cases array', () => {
        expect(Array.isArray(mod.cases) && mod.cases.length > 0).toBe(true);
      });
      for (const c of mod.cases ?? []) {
        it(`${c.file}${c.roundTrip ? ' (round trip)' : ''}`, () => {
          const source = readFileSync(join(dir, c.file), 'utf8');
          const newline = source.indexOf('\n');
          const firstLine = newline === -1 ? source : source.slice(0, newline);
          expect(firstLine, `${c.file} must start with a source comment`).toMatch(SOURCE_COMMENT);
          const root = stripWhitespace(parse(source.slice(newline + 1).trim()) as Element);
          const el = findMatching(root, c);
          expect(el, `no <${c.codec.name} xmlns='${c.codec.ns}'/> in ${c.file}`).toBeDefined();
          const decoded = c.codec.decode(el!);
          expect(decoded).toStrictEqual(c.expected);
          if (c.roundTrip) {
            expect(canonical(c.codec.encode(decoded))).toBe(canonical(detach(el!)));
          }
        });
      }
    });
  }
});
