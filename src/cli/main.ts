#!/usr/bin/env node
/**
 * Entry point of the `xmuc` command: wires process stdio, signals and exit status to
 * {@link runCli}. SIGINT/SIGTERM abort the running command, which then leaves its rooms and
 * closes the connection (each step bounded); a second signal exits at once.
 *
 * @module
 */
import { EXIT_INTERRUPTED, runCli } from './run.js';
import { SHUTDOWN_STEP_MS } from './session.js';

const controller = new AbortController();
const onSignal = (name: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
  controller.abort(new Error(`received ${name}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed stdout (`xmuc tail room | head`) ends the command like Ctrl-C.
process.stdout.on('error', () => controller.abort(new Error('stdout closed')));

const code = await runCli(
  process.argv.slice(2),
  { env: process.env, stdin: process.stdin, stdout: process.stdout },
  {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    signal: controller.signal,
    status: process.stderr.isTTY ? (text) => void process.stderr.write(text === '' ? '\r\x1b[K' : `\r\x1b[K${text}`) : undefined,
  },
);
process.exitCode = code;
process.stdin.destroy();
// Everything was closed; should a handle still linger, do not hang.
setTimeout(() => process.exit(code), SHUTDOWN_STEP_MS).unref();
