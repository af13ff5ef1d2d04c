import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findImportCycles } from '../../test/support/import-cycles.js';

const src = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

describe('import cycles', () => {
  it('finds type-only and dynamic cycles (the checker itself)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xmuc-cycles-'));
    try {
      mkdirSync(path.join(dir, 'sub'));
      writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './sub/b.js';\nexport type A = B;\n");
      writeFileSync(path.join(dir, 'sub', 'b.ts'), "export type B = number;\nexport const load = () => import('../a.js');\n");
      writeFileSync(path.join(dir, 'c.ts'), "export { load } from './sub/b.js';\n");
      expect(findImportCycles(dir)).toEqual([['a.ts', path.join('sub', 'b.ts'), 'a.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['connection', 'testing', 'core'])('src/%s has none', (folder) => {
    expect(findImportCycles(path.join(src, folder))).toEqual([]);
  });
});
