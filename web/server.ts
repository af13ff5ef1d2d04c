/**
 * The web chat's tiny HTTP server: bundles web/app.ts with esbuild (browser platform, the
 * package's own `browser` field, nothing else) once at start and serves it with index.html,
 * style.css and a config.json that tells the page where the XMPP server is. Loopback only.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the page needs to know about the XMPP server (served as /config.json). */
export interface WebConfig {
  /** RFC 7395 WebSocket URL, e.g. `ws://127.0.0.1:5280/xmpp-websocket`. */
  wsUrl: string;
  /** Domain of the accounts. */
  domain: string;
  /** Domain with SASL ANONYMOUS, if the server has one. */
  anonDomain?: string | undefined;
  /** The MUC service, for the default room. */
  mucDomain: string;
  /** Accounts to offer on the login form (a local test server's). */
  users?: { name: string; password: string }[] | undefined;
}

/** A running web server. */
export interface WebServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** Bytes of the bundled app (minified). */
  bundleBytes: number;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Bundle the page's script (minified). */
export async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, 'app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

/** Bundle the app and serve the page on 127.0.0.1 (`port` 0: a free one). */
export async function startWebServer(config: WebConfig, port = 0): Promise<WebServer> {
  const app = await bundleApp();
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(HERE, 'index.html'), 'utf8') },
    '/style.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(HERE, 'style.css'), 'utf8') },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: app },
    '/config.json': { type: 'application/json', body: JSON.stringify(config) },
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = files[path === '/index.html' ? '/' : path];
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    bundleBytes: Buffer.byteLength(app),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
