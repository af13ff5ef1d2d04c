/**
 * `npm run demo` as CI runs it: the demo as a child process (it starts and stops its own
 * throwaway server), once per server kind, must print every step and exit 0, bounded.
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { servers } from '../support/servers.js';
import { ROOT } from './cli-harness.js';

/** Bound of one demo run: its own server start (ejabberd ~10 s on a loaded machine) plus the scene. */
const DEMO_MS = 150_000;

function runDemo(kind: string): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/demo.ts', '--server', kind], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), DEMO_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, output });
    });
  });
}

// One run per server kind the integration setup provides (the demo starts its own instance).
for (const kind of servers().map((s) => s.kind)) {
  it(
    `npm run demo -- --server ${kind} exits 0 with every step checked, plain text when not a terminal`,
    async () => {
      const { code, output } = await runDemo(kind);
      expect(code, output).toBe(0);
      expect(output).toContain(`server: ${kind}`);
      expect(output).toMatch(/Every step happened \(\d+\.\d s\)/);
      expect(output).not.toContain('✘');
      expect(output.match(/✔/g)?.length).toBe(16);
      expect(output).not.toContain('\u001b[');
    },
    DEMO_MS + 10_000,
  );
}
