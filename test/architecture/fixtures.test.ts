import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOURCE_COMMENT } from '../support/golden.js';

/** Captured fixtures live in one place with their source: test/fixtures/README.md. */

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const files = readdirSync(fixtures, { recursive: true, encoding: 'utf8' }).map((p) => p.split('\\').join('/'));
const folders = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('test/fixtures', () => {
  it('has a README naming the sources, and one per folder', () => {
    expect(folders).toEqual(expect.arrayContaining(['streams', 'xep0004', 'xep0030', 'xep0045', 'xep0313']));
    const missing = ['README.md', ...folders.map((f) => `${f}/README.md`)].filter((f) => !files.includes(f));
    expect(missing).toEqual([]);
  });

  it('starts every XML file with a comment naming its source', () => {
    const xml = files.filter((f) => f.endsWith('.xml'));
    expect(xml.length).toBeGreaterThan(100);
    const unsourced = xml.filter((f) => !SOURCE_COMMENT.test(readFileSync(`${fixtures}${f}`, 'utf8').split('\n', 1)[0]!));
    expect(unsourced).toEqual([]);
  });

  it('holds only XML, its loaders, capture scripts, raw transcripts and READMEs', () => {
    const other = files.filter(
      (f) => !/\.(xml|md)$/.test(f) && !/(^|\/)(cases|load|capture)\.ts$/.test(f) && !/-transcript\.txt$/.test(f) && !folders.includes(f),
    );
    expect(other).toEqual([]);
  });
});
