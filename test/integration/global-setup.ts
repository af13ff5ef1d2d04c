/**
 * Vitest globalSetup of the `integration` project: starts one Prosody and one ejabberd (in
 * parallel) for the whole run, provides their {@link ServerInfo}s as `xmppServers`, and stops both
 * in teardown (also when tests fail, and on process exit as a last resort). Never skips: a server
 * that cannot start fails the run with its log.
 */
import type { TestProject } from 'vitest/node';
import { readFileSync } from 'node:fs';
import { isProcessAlive, startServer, stopServer, type ServerInfo } from '../../scripts/xmpp-server/servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The servers started by test/integration/global-setup.ts: `[prosody, ejabberd]`. */
    xmppServers: ServerInfo[];
  }
}

/** Last-resort synchronous kill (process exit without teardown): only our recorded PIDs. */
function killOnExit(infos: ServerInfo[]): () => void {
  return () => {
    for (const info of infos) {
      try {
        if (isProcessAlive(info.pid) && readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').includes(info.dir)) {
          process.kill(info.pid, 'SIGTERM');
        }
      } catch {
        // already gone
      }
    }
  };
}

/** Start both servers and provide them; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const results = await Promise.allSettled([startServer('prosody'), startServer('ejabberd')]);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    await Promise.allSettled(started.map((s) => stopServer(s)));
    const text = failures.map((e) => (e instanceof Error ? e.message : String(e))).join('\n\n');
    throw new Error(`integration global setup: could not start the XMPP servers:\n${text}`);
  }
  const onExit = killOnExit(started);
  process.once('exit', onExit);
  const summary = started.map((s) => `${s.kind} pid ${s.pid} c2s ${s.c2sPort} http ${s.httpPort}`).join('; ');
  console.log(`[global-setup] servers up in ${Date.now() - t0} ms: ${summary}`);
  project.provide('xmppServers', started);

  return async () => {
    const t1 = Date.now();
    const stopped = await Promise.allSettled(started.map((s) => stopServer(s)));
    process.removeListener('exit', onExit);
    const errs = stopped.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    console.log(`[global-setup] servers stopped in ${Date.now() - t1} ms`);
    if (errs.length > 0) {
      throw new Error(`integration teardown: ${errs.map((e) => (e instanceof Error ? e.message : String(e))).join('\n')}`);
    }
  };
}
