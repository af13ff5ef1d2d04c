import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

// A fresh Node process (the require cache is per process): which of the two packages are loaded
// after each step of a script that parses JIDs.
const script = `
const { createRequire } = await import('node:module');
const cache = createRequire(${JSON.stringify(join(here, 'x.js'))}).cache;
const loaded = () => ['tr46', 'bidi-js'].filter((p) => Object.keys(cache).some((k) => k.includes('/node_modules/' + p + '/')));
const { parseJid } = await import(${JSON.stringify(pathToFileURL(join(here, 'jid.ts')).href)});
const steps = [];
parseJid('room@conference.example/Zoë');
parseJid('ольга@example.org/r');
steps.push(loaded());
parseJid('李雷@example.org');
steps.push(loaded());
parseJid('user@münchen.example');
steps.push(loaded());
parseJid('שלום@example.org');
steps.push(loaded());
console.log(JSON.stringify(steps));
`;

describe('unicode-packages (Node)', () => {
  it('loads tr46 at the first non-ASCII domain and bidi-js at the first right-to-left localpart, not before', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([[], [], ['tr46'], ['tr46', 'bidi-js']]);
  });
});

describe('unicode-packages (browser build)', () => {
  it('gives the same answers through the browser stand-in, in a context without Node', async () => {
    const entry = [
      `import { enforceDomain } from ${JSON.stringify(join(here, 'precis', 'domain.js'))};`,
      `import { bidiClass } from ${JSON.stringify(join(here, 'precis', 'bidi.js'))};`,
      `globalThis.result = [enforceDomain('M\u00fcnchen.Example'), enforceDomain('xn--mnchen-3ya.example'), bidiClass(0x5d0), bidiClass(0x627)];`,
    ].join('\n');
    const out = await build({
      absWorkingDir: join(here, '..', '..'),
      stdin: { contents: entry, resolveDir: here, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    expect(code).not.toContain('node:module');
    const context: { result?: unknown } = {};
    runInNewContext(code, context);
    expect(context.result).toEqual(['münchen.example', 'münchen.example', 'R', 'AL']);
  });
});
