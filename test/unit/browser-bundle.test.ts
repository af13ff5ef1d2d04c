/**
 * xmuc bundles unchanged for browsers: esbuild (`platform: 'browser'`, no plugins that help,
 * no polyfills) bundles src/index.ts; the test fails on any Node built-in module reached, on
 * free references to Node globals (`Buffer`, `process`, ...) in the output, and on a package
 * in the bundle that is not a runtime dependency of xmuc (it would be missing in a user's
 * project). It records the size (minified, minified + gzip, per package) in
 * build/bundle-size.json; docs/browser.md quotes it.
 */
import { build, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Globals that exist in Node but not in browsers: no reference at all may remain. */
const NODE_GLOBALS = ['Buffer', 'process', 'global', '__dirname', '__filename'];
/** Node-only timers: allowed only behind a `typeof` check. */
const GUARDED_GLOBALS = ['setImmediate', 'clearImmediate'];
const MARK = '__xmuc_node_global_';
/** Budget for the whole library, minified + gzip (docs/browser.md). */
const GZIP_BUDGET = 140_000;

/** The packages a user's install of xmuc brings: `dependencies`, transitively, from the lockfile. */
function runtimePackages(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  const seen = new Set<string>();
  const todo = Object.keys(pkg.dependencies);
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...Object.keys(lock.packages[`node_modules/${name}`]?.dependencies ?? {}));
  }
  return seen;
}

function packageOf(input: string): string | undefined {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

describe('browser bundle', () => {
  it('bundles src/index.ts for browsers without Node built-ins or Node globals, within the size budget', async () => {
    const builtins: string[] = [];
    const guard: Plugin = {
      name: 'node-builtins',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          const bare = args.path.replace(/^node:/, '');
          // A bare `events` resolved from node_modules is a declared polyfill; `node:x` never is.
          if (args.path.startsWith('node:') && builtinModules.includes(bare)) {
            builtins.push(`${args.path} (from ${args.importer.slice(ROOT.length + 1)})`);
            return { path: args.path, external: true };
          }
          return undefined;
        });
      },
    };
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ['src/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [guard],
      define: Object.fromEntries([...NODE_GLOBALS, ...GUARDED_GLOBALS].map((g) => [g, `${MARK}${g}`])),
    });
    expect(result.errors).toEqual([]);
    expect(builtins).toEqual([]);

    const code = result.outputFiles[0]!.text;
    const globals = [...new Set(code.match(new RegExp(`${MARK}\\w+`, 'g')) ?? [])].map((m) => m.slice(MARK.length));
    expect(globals.filter((g) => !(GUARDED_GLOBALS.includes(g) && code.includes(`typeof ${MARK}${g}`)))).toEqual([]);
    // Every require() was bundled (esbuild leaves a throwing shim for those it could not).
    expect(code.includes('Dynamic require of'), 'a require() esbuild could not bundle').toBe(false);
    // The TCP transport was replaced by its browser stand-in.
    expect(code.includes('TCP is not available in browsers'), 'the TCP stand-in').toBe(true);
    expect(code.includes('1.2.840.113549'), 'the Node TCP transport (its certificate OIDs)').toBe(false);

    const allowed = runtimePackages();
    const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs);
    const foreign = [...new Set(inputs.map(([path]) => packageOf(path)).filter((p): p is string => p !== undefined && !allowed.has(p)))];
    expect(foreign).toEqual([]);

    const byPart: Record<string, number> = {};
    for (const [path, { bytesInOutput }] of inputs) {
      const part = packageOf(path) ?? (path.split('/').slice(0, 2).join('/') || path);
      byPart[part] = (byPart[part] ?? 0) + bytesInOutput;
    }
    const minified = Buffer.byteLength(code);
    const gzip = gzipSync(code, { level: 9 }).length;
    const report = { minified, gzip, byPart: Object.fromEntries(Object.entries(byPart).sort((a, b) => b[1] - a[1])) };
    mkdirSync(join(ROOT, 'build'), { recursive: true });
    writeFileSync(join(ROOT, 'build', 'bundle-size.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`browser bundle: ${minified} bytes minified, ${gzip} bytes minified + gzip`);
    expect(gzip).toBeLessThan(GZIP_BUDGET);
  });
});
