import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, describeCycles, findCycles, type LayerRule, layerViolations } from './import-graph.js';

/**
 * The import structure of `src/` (DESIGN.md, "Layers"): no import cycle of any kind (type-only
 * and dynamic imports included); each layer imports only itself and the layers above it (`core/`
 * nothing else of the library); nothing in `src/` imports `test/` or a test file; library code
 * never imports the test kit (`testing/`); the CLI uses only the public entries. Test files are
 * not checked: they may import fixtures and test support.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

function listTs(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { recursive: true, encoding: 'utf8' })
    .map((p) => `${dir}/${p.split('\\').join('/')}`)
    .filter((p) => p.endsWith('.ts'))
    .sort();
}

const isTest = (p: string) => p.endsWith('.test.ts');
const sources = new Map(
  listTs('src')
    .filter((p) => !isTest(p))
    .map((p) => [p, readFileSync(`${root}${p}`, 'utf8')] as const),
);
const { graph, unresolved } = buildGraph(sources, [...listTs('test'), ...listTs('src').filter(isTest)]);

/** The package's entry points (`xmuc`, `xmuc/xml`, `xmuc/testing`): they gather from any layer. */
const publicEntries = new Set(['src/index.ts', 'src/xml/index.ts', 'src/testing/index.ts']);

const inFolder =
  (...folders: string[]) =>
  (p: string) =>
    folders.some((f) => p.startsWith(`src/${f}/`));

/** DESIGN.md's layers, top down: each folder may import its own layer and the layers above it. */
const layers: string[][] = [['core'], ['xml'], ['connection', 'testing'], ['forms', 'disco', 'ping', 'tracking', 'im'], ['muc']];

const rules: LayerRule[] = [
  { name: 'src/ never imports test/', files: (p) => p.startsWith('src/'), mayImport: (p) => p.startsWith('src/') },
  { name: 'src/ never imports a test file', files: (p) => p.startsWith('src/'), mayImport: (p) => !p.endsWith('.test.ts') },
  ...layers.map(
    (layer, i): LayerRule => ({
      name: `${layer.join('/, ')}/ import only ${layers
        .slice(0, i + 1)
        .flat()
        .join('/, ')}/`,
      files: (p) => inFolder(...layer)(p) && !publicEntries.has(p),
      mayImport: inFolder(...layers.slice(0, i + 1).flat()),
    }),
  ),
  {
    name: 'library code never imports testing/',
    files: (p) => !inFolder('testing')(p),
    mayImport: (p) => !inFolder('testing')(p),
  },
  {
    name: 'only cli/ imports a public entry',
    files: (p) => !inFolder('cli')(p),
    mayImport: (p) => !publicEntries.has(p),
  },
];

/**
 * `src/cli/` uses only the public entries and its own files, except for these imports (it needs
 * names the public API does not offer; each one is a candidate for the public API or for a
 * CLI-local copy). The test fails when one is added; remove an entry when it goes away.
 */
const cliExceptions = new Set(['src/cli/session.ts -> src/core/abort.ts']);
const cliRule: LayerRule = {
  name: 'cli/ imports only the public entries and cli/',
  files: inFolder('cli'),
  mayImport: (p) => publicEntries.has(p) || inFolder('cli')(p),
};

describe('src/ import structure', () => {
  it('has files to check', () => {
    expect(sources.size).toBeGreaterThan(50);
    expect(graph.get('src/index.ts')?.length).toBeGreaterThan(5);
  });

  it('resolves every relative import', () => {
    expect(unresolved).toEqual([]);
  });

  it('has no import cycle (type-only and dynamic imports count)', () => {
    expect(describeCycles(findCycles(graph))).toBe('');
  });

  it('keeps its layers', () => {
    const found = layerViolations(graph, rules).map((v) => `${v.rule}: ${v.from} -> ${v.to}`);
    expect(found).toEqual([]);
  });

  it('cli/ uses only the public entries (and the listed exceptions)', () => {
    const found = layerViolations(graph, [cliRule]).map((v) => `${v.from} -> ${v.to}`);
    expect(found.filter((v) => !cliExceptions.has(v))).toEqual([]);
    expect(
      [...cliExceptions].filter((v) => !found.includes(v)),
      'exceptions that no longer occur',
    ).toEqual([]);
  });
});
