/**
 * `npm run web`: a throwaway local Prosody (with its WebSocket endpoint and an anonymous
 * domain) and the web chat page on http://127.0.0.1:8080/ (`XMUC_WEB_PORT` to change; a free
 * port when taken). Ctrl-C stops both and removes the server's temporary directory.
 */
import { startServer, stopServer, type ServerInfo } from '../scripts/xmpp-server/servers.js';
import { startWebServer, type WebServer } from './server.js';

const DEFAULT_PORT = 8080;

let xmpp: ServerInfo | undefined;
let web: WebServer | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    await web?.close();
    if (xmpp) await stopServer(xmpp).catch((e: unknown) => process.stderr.write(`could not stop Prosody: ${String(e)}\n`));
  })();
  return stopping;
}

async function listen(config: Parameters<typeof startWebServer>[0]): Promise<WebServer> {
  const wanted = Number(process.env.XMUC_WEB_PORT ?? DEFAULT_PORT);
  try {
    return await startWebServer(config, wanted);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
    process.stdout.write(`port ${wanted} is taken; using a free one\n`);
    return startWebServer(config, 0);
  }
}

async function main(): Promise<void> {
  const interrupt = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C reaches both tsx and this process, and tsx relays it: ignore the echo.
    if (interrupt.signal.aborted && Date.now() - firstSignalAt < 2000) return;
    if (interrupt.signal.aborted) process.exit(130);
    firstSignalAt = Date.now();
    process.stdout.write(`\n${signal}: stopping…\n`);
    interrupt.abort();
    void stop().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  process.stdout.write('starting a throwaway Prosody…\n');
  xmpp = await startServer('prosody', { signal: interrupt.signal });
  web = await listen({
    wsUrl: xmpp.wsUrl,
    domain: xmpp.domain,
    anonDomain: xmpp.anonDomain,
    mucDomain: xmpp.mucDomain,
    users: xmpp.users.filter((u) => u.name !== 'admin'),
  });
  process.stdout.write(
    [
      `Prosody pid ${xmpp.pid}: WebSocket ${xmpp.wsUrl}, MUC ${xmpp.mucDomain}`,
      `accounts: ${xmpp.users.map((u) => `${u.name}/${u.password}`).join(' ')} (or anonymous on ${xmpp.anonDomain})`,
      `app.js: ${(web.bundleBytes / 1024).toFixed(0)} KiB minified`,
      '',
      `  open ${web.url}`,
      '',
      'Ctrl-C stops the page and the server.',
      '',
    ].join('\n'),
  );
}

main().catch(async (e: unknown) => {
  process.stderr.write(`npm run web failed: ${e instanceof Error ? e.message : String(e)}\n`);
  await stop();
  process.exitCode = 1;
});
