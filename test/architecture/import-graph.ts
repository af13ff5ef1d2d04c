import ts from 'typescript';

/** One import edge: `from` imports `to` (both repo-relative paths, `/`-separated). */
export interface ImportEdge {
  from: string;
  to: string;
  /** The specifier as written. */
  specifier: string;
  /** `import type` / `export type` / `import('...')` in a type position: erased at run time. */
  typeOnly: boolean;
  /** A dynamic `import('...')` call. */
  dynamic: boolean;
}

/** A file's import graph: every file of the map, with its outgoing edges. */
export type ImportGraph = Map<string, ImportEdge[]>;

/** One specifier found in a source text. */
export interface FoundSpecifier {
  specifier: string;
  typeOnly: boolean;
  dynamic: boolean;
}

/**
 * Every module specifier in `text`: static imports and re-exports (`import type` and
 * `export type ... from` included), `import x = require('...')`, dynamic `import('...')`
 * calls with a literal argument, and `import('...')` types. Read from the TypeScript AST, so
 * comments and strings that merely look like imports do not count.
 */
export function findSpecifiers(fileName: string, text: string): FoundSpecifier[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: FoundSpecifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || allNamedTypeOnly(clause.namedBindings, clause));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, dynamic: false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, dynamic: false });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly, dynamic: false });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, dynamic: true });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `import { type A, type B } from` (every named binding type-only, no default import). */
function allNamedTypeOnly(bindings: ts.NamedImportBindings | undefined, clause: ts.ImportClause): boolean {
  if (clause.name !== undefined || bindings === undefined || !ts.isNamedImports(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/**
 * The file a relative specifier names, among `files`: `./x.js` -> `x.ts`, `./x` -> `x.ts`,
 * `./dir` or `./dir/` -> `dir/index.ts`. `undefined` for a package specifier (`ltx`,
 * `node:net`) or a relative one that names no file of the map.
 */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = normalise(`${dirname(from)}/${specifier}`);
  const stem = base.replace(/\.(js|ts|mjs|mts)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.mts`, `${base}.ts`, `${stem}/index.ts`, base];
  return candidates.find((c) => files.has(c));
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

/** Collapse `.` and `..` segments; the result has no leading `./`. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/**
 * The import graph of `files` (path -> source text). `alsoKnown` names files that are not
 * scanned but may be imported (so an import of `test/...` from `src/` shows up as an edge).
 * Edges to packages and Node built-ins are left out; a relative specifier that resolves to
 * nothing is reported in `unresolved`.
 */
export function buildGraph(
  files: ReadonlyMap<string, string>,
  alsoKnown: Iterable<string> = [],
): {
  graph: ImportGraph;
  unresolved: { from: string; specifier: string }[];
} {
  const names = new Set([...files.keys(), ...alsoKnown]);
  const graph: ImportGraph = new Map();
  const unresolved: { from: string; specifier: string }[] = [];
  for (const [from, text] of files) {
    const edges: ImportEdge[] = [];
    for (const found of findSpecifiers(from, text)) {
      const to = resolveSpecifier(from, found.specifier, names);
      if (to !== undefined) edges.push({ from, to, ...found });
      else if (found.specifier.startsWith('.')) unresolved.push({ from, specifier: found.specifier });
    }
    graph.set(from, edges);
  }
  return { graph, unresolved };
}

/** One import cycle: a strongly connected group of files, one example loop through it, and its edges. */
export interface Cycle {
  /** The files of the group, sorted. */
  files: string[];
  /** One loop through the group, first file repeated at the end: `a -> b -> a`. */
  loop: string[];
  /** Every edge between files of the group. */
  edges: ImportEdge[];
}

/**
 * Every import cycle of `graph`, as its strongly connected components (Tarjan) of more than one
 * file, plus any file that imports itself. Every elementary cycle lies inside exactly one of
 * them, so an empty result means the graph has no cycle at all. Type-only and dynamic edges
 * count: they blur the layers just the same.
 */
export function findCycles(graph: ImportGraph): Cycle[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const targets = (file: string): string[] => [...new Set((graph.get(file) ?? []).map((e) => e.to))];

  // Iterative Tarjan: the tree is big enough that recursion depth is not a concern, but no
  // reason to depend on it.
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { file: string; todo: string[] }[] = [];
    const enter = (file: string): void => {
      index.set(file, next);
      low.set(file, next);
      next += 1;
      stack.push(file);
      onStack.add(file);
      work.push({ file, todo: targets(file).sort().reverse() });
    };
    enter(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const to = top.todo.pop();
      if (to !== undefined) {
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(top.file, Math.min(low.get(top.file)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(top.file)!));
      if (low.get(top.file) === index.get(top.file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== top.file);
        components.push(component.sort());
      }
    }
  }

  const cycles: Cycle[] = [];
  for (const files of components) {
    const inside = new Set(files);
    const edges = files.flatMap((f) => (graph.get(f) ?? []).filter((e) => inside.has(e.to)));
    if (files.length === 1 && edges.length === 0) continue;
    cycles.push({ files, loop: loopThrough(files[0]!, inside, graph), edges });
  }
  return cycles.sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

/** The shortest loop from `start` back to itself, staying inside `inside` (breadth-first). */
function loopThrough(start: string, inside: ReadonlySet<string>, graph: ImportGraph): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const { to } of graph.get(file) ?? []) {
      if (!inside.has(to)) continue;
      if (to === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, file);
        queue.push(to);
      }
    }
  }
  return [start];
}

/** Render cycles for a failure message, one block per cycle. */
export function describeCycles(cycles: readonly Cycle[]): string {
  return cycles
    .map((c) => {
      const edges = c.edges.map((e) => `    ${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}${e.dynamic ? ' (dynamic)' : ''}`);
      return [`cycle: ${c.loop.join(' -> ')}`, ...edges].join('\n');
    })
    .join('\n');
}

/** A layering rule: files matching `files` may import (inside the graph) only files matching `mayImport`. */
export interface LayerRule {
  name: string;
  files: (path: string) => boolean;
  mayImport: (path: string) => boolean;
}

/** Every edge of `graph` that breaks one of `rules`, with the rule's name. */
export function layerViolations(graph: ImportGraph, rules: readonly LayerRule[]): (ImportEdge & { rule: string })[] {
  const out: (ImportEdge & { rule: string })[] = [];
  for (const edges of graph.values()) {
    for (const edge of edges) {
      for (const rule of rules) {
        if (rule.files(edge.from) && !rule.mayImport(edge.to)) out.push({ ...edge, rule: rule.name });
      }
    }
  }
  return out;
}
