/**
 * Finds import cycles among the TypeScript modules of a folder. Every relative module
 * reference counts: `import`, `import type`, `export ... from` and dynamic `import()`, since a
 * type-only or lazy cycle still blurs which layer depends on which.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The `.ts` files under `dir`, tests excluded. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The files a module references, resolved to `.ts` paths (`x.js` -> `x.ts`, a folder -> its `index.ts`). */
export function moduleReferences(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const refs: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const target = path.resolve(path.dirname(file), m[1]!);
    const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')];
    const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (found !== undefined) refs.push(found);
  }
  return refs;
}

/**
 * Every cycle among the modules under `root` (references that leave `root` are ignored), each
 * as the list of files on it relative to `root`, first file repeated at the end. Empty: none.
 */
export function findImportCycles(root: string): string[][] {
  const files = sources(root);
  const inside = new Set(files);
  const graph = new Map(files.map((f) => [f, moduleReferences(f).filter((r) => inside.has(r))]));
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'active');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'active') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(root, f)));
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}
