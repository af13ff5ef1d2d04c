import { describe, expect, it } from 'vitest';
import { buildGraph, describeCycles, findCycles, findSpecifiers, layerViolations, resolveSpecifier } from './import-graph.js';

const graphOf = (files: Record<string, string>, alsoKnown: string[] = []) => buildGraph(new Map(Object.entries(files)), alsoKnown);

describe('findSpecifiers', () => {
  it('finds static, type-only, re-export, require, dynamic and import-type specifiers, and nothing in comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "export * from './g.js';",
      "export type { H } from './h.js';",
      "export { type I } from './i.js';",
      "import j = require('./j.js');",
      "import './side-effect.js';",
      "const k = await import('./k.js');",
      "type L = import('./l.js').L;",
      "// import { m } from './m.js';",
      'const n = "import(\'./n.js\')";',
      "import ltx from 'ltx';",
    ].join('\n');
    expect(findSpecifiers('x.ts', text)).toEqual([
      { specifier: './a.js', typeOnly: false, dynamic: false },
      { specifier: './b.js', typeOnly: true, dynamic: false },
      { specifier: './c.js', typeOnly: true, dynamic: false },
      { specifier: './e.js', typeOnly: false, dynamic: false },
      { specifier: './g.js', typeOnly: false, dynamic: false },
      { specifier: './h.js', typeOnly: true, dynamic: false },
      { specifier: './i.js', typeOnly: true, dynamic: false },
      { specifier: './j.js', typeOnly: false, dynamic: false },
      { specifier: './side-effect.js', typeOnly: false, dynamic: false },
      { specifier: './k.js', typeOnly: false, dynamic: true },
      { specifier: './l.js', typeOnly: true, dynamic: true },
      { specifier: 'ltx', typeOnly: false, dynamic: false },
    ]);
  });
});

describe('resolveSpecifier', () => {
  const files = new Set(['src/a.ts', 'src/dir/index.ts', 'src/dir/b.ts', 'test/x.ts']);
  it.each([
    ['src/dir/b.ts', '../a.js', 'src/a.ts'],
    ['src/dir/b.ts', '../a', 'src/a.ts'],
    ['src/a.ts', './dir/index.js', 'src/dir/index.ts'],
    ['src/a.ts', './dir', 'src/dir/index.ts'],
    ['src/a.ts', './dir/', 'src/dir/index.ts'],
    ['src/dir/b.ts', './index.js', 'src/dir/index.ts'],
    ['src/dir/b.ts', '../../test/x.js', 'test/x.ts'],
    ['src/a.ts', './missing.js', undefined],
    ['src/a.ts', 'ltx', undefined],
    ['src/a.ts', 'node:net', undefined],
  ])('%s imports %s -> %s', (from, specifier, expected) => {
    expect(resolveSpecifier(from, specifier, files)).toBe(expected);
  });
});

describe('findCycles', () => {
  it('finds a two-file cycle made only of a type import and a dynamic import', () => {
    const { graph } = graphOf({
      'src/t.ts': "import type { Tcp } from './tcp.js';\nexport const open = () => import('./tcp.js');",
      'src/tcp.ts': "import { escape } from './t.js';",
      'src/other.ts': "import { open } from './t.js';",
    });
    const cycles = findCycles(graph);
    expect(cycles.map((c) => c.files)).toEqual([['src/t.ts', 'src/tcp.ts']]);
    expect(cycles[0]!.loop).toEqual(['src/t.ts', 'src/tcp.ts', 'src/t.ts']);
    expect(describeCycles(cycles)).toBe(
      [
        'cycle: src/t.ts -> src/tcp.ts -> src/t.ts',
        '    src/t.ts -> src/tcp.ts (type)',
        '    src/t.ts -> src/tcp.ts (dynamic)',
        '    src/tcp.ts -> src/t.ts',
      ].join('\n'),
    );
  });

  it('reports each cycle once, with every file of a longer loop, and two separate cycles separately', () => {
    const { graph } = graphOf({
      'm/a.ts': "import './b.js';",
      'm/b.ts': "import './c.js';",
      'm/c.ts': "import './d.js';\nimport './a.js';",
      'm/d.ts': "import './b.js';",
      'n/x.ts': "import './y.js';",
      'n/y.ts': "export * from './x.js';",
      'n/z.ts': "import './x.js';",
    });
    const cycles = findCycles(graph);
    expect(cycles.map((c) => c.files)).toEqual([
      ['m/a.ts', 'm/b.ts', 'm/c.ts', 'm/d.ts'],
      ['n/x.ts', 'n/y.ts'],
    ]);
    expect(cycles[0]!.loop).toEqual(['m/a.ts', 'm/b.ts', 'm/c.ts', 'm/a.ts']);
  });

  it('finds a file that imports itself', () => {
    const { graph } = graphOf({ 'self.ts': "export type { S } from './self.js';" });
    expect(findCycles(graph).map((c) => c.loop)).toEqual([['self.ts', 'self.ts']]);
  });

  it('finds no cycle in a type-only diamond or a chain through an index', () => {
    const { graph } = graphOf({
      'top.ts': "import type { L } from './left.js';\nimport type { R } from './right.js';",
      'left.ts': "import type { D } from './bottom.js';",
      'right.ts': "import type { D } from './bottom.js';\nimport { x } from './lib/index.js';",
      'bottom.ts': 'export type D = 1;',
      'lib/index.ts': "export * from './x.js';",
      'lib/x.ts': "import { D } from '../bottom.js';",
    });
    expect(findCycles(graph)).toEqual([]);
  });
});

describe('layerViolations', () => {
  it('reports edges that leave what a layer may import, including into test/', () => {
    const { graph, unresolved } = graphOf(
      {
        'src/core/a.ts': "import type { C } from '../connection/c.js';\nimport { b } from './b.js';",
        'src/core/b.ts': "import { f } from '../../test/support/f.js';",
        'src/connection/c.ts': "import { b } from '../core/b.js';\nimport { gone } from './gone.js';",
      },
      ['test/support/f.ts'],
    );
    const violations = layerViolations(graph, [
      { name: 'core', files: (p) => p.startsWith('src/core/'), mayImport: (p) => p.startsWith('src/core/') },
      { name: 'no test', files: (p) => p.startsWith('src/'), mayImport: (p) => !p.startsWith('test/') },
    ]);
    expect(violations.map((v) => [v.rule, v.from, v.to])).toEqual([
      ['core', 'src/core/a.ts', 'src/connection/c.ts'],
      ['core', 'src/core/b.ts', 'test/support/f.ts'],
      ['no test', 'src/core/b.ts', 'test/support/f.ts'],
    ]);
    expect(unresolved).toEqual([{ from: 'src/connection/c.ts', specifier: './gone.js' }]);
  });
});
