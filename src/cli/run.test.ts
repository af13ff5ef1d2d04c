import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { USAGE } from './args.js';
import { EXIT_OK, EXIT_USAGE, runCli } from './run.js';

function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const done = runCli(
    argv,
    { env, stdin: Readable.from([]) },
    { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal },
  );
  return done.then((code) => ({ code, out, err }));
}

describe('runCli', () => {
  it('prints the usage on stdout for --help', async () => {
    expect(await run(['--help'])).toEqual({ code: EXIT_OK, out: [USAGE], err: [] });
  });

  it('exits 2 with the problem and a pointer to --help on stderr for bad input', async () => {
    expect(await run(['tail'])).toEqual({
      code: EXIT_USAGE,
      out: [],
      err: ['xmuc: xmuc tail takes <room> (got 0 arguments; quote a text with spaces)', 'Run "xmuc --help" for usage.'],
    });
    expect((await run(['send', 'r@c.localhost', 'x', '--password', 'p'])).code).toBe(EXIT_USAGE);
  });

  it('exits 2 for an unreadable --password-file before touching the network', async () => {
    const result = await run([
      'disco',
      'c.localhost',
      '--jid',
      'a@localhost',
      '--password-file',
      '/nonexistent/xmuc-pw',
      '--service',
      'xmpp://127.0.0.1:9',
    ]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.err[0]).toMatch(/^xmuc: Cannot read --password-file \/nonexistent\/xmuc-pw: ENOENT/);
  });
});
