/**
 * Run by node-websocket.test.ts in a child Node process that has a global WHATWG `WebSocket`
 * (Node >= 22, or Node 20 with `--experimental-websocket`): xmuc's native connection over
 * RFC 7395 on that global (counted, so the test knows `ws` was not used), a MUC round trip,
 * a network cut with XEP-0198 resumption, and a clean close. Prints one JSON line.
 *
 * argv[2]: JSON `{ wsUrl, domain, mucDomain, username, password }`.
 */
import { connect, MucClient } from '../../src/index.js';

interface Args {
  wsUrl: string;
  domain: string;
  mucDomain: string;
  username: string;
  password: string;
}

const WAIT = 10_000;
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const steps: string[] = [];

type Ctor = new (url: string, protocols?: string | string[]) => object;
const Native = (globalThis as { WebSocket?: Ctor }).WebSocket;
let constructed = 0;
if (Native) {
  (globalThis as { WebSocket?: Ctor }).WebSocket = class extends Native {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      constructed++;
    }
  };
}

async function main(): Promise<void> {
  if (!Native) throw new Error('no global WebSocket in this Node process');
  const conn = await connect({
    service: args.wsUrl,
    domain: args.domain,
    username: args.username,
    password: args.password,
    allowPlaintext: true,
    reconnect: { baseMs: 50, maxMs: 200 },
    signal: AbortSignal.timeout(WAIT),
  });
  steps.push(`online ${conn.jid?.toString() ?? '?'}`);
  const muc = new MucClient(conn);
  try {
    const roomJid = `node-ws-${Date.now().toString(36)}@${args.mucDomain}`;
    const { room, joined } = muc.join(roomJid, 'nodews', { timeoutMs: WAIT });
    const entered = room.waitFor('enter', { timeoutMs: WAIT });
    await joined;
    if ((await entered).statusCodes.has(201)) await room.createInstant({ timeoutMs: WAIT });
    steps.push('joined');

    const echo = room.waitFor('message', {
      timeoutMs: WAIT,
      filter: ({ message }) => message.body.any() === 'over the global WebSocket ✓',
    });
    await room.sendMessage('over the global WebSocket ✓');
    await echo;
    steps.push('message reflected');

    // A network cut: the session is resumed (XEP-0198), the room stays joined, nothing is lost.
    let established = 0;
    conn.events.on('established', () => established++);
    conn.forceDisconnect();
    const after = room.waitFor('message', { timeoutMs: WAIT, filter: ({ message }) => message.body.any() === 'after the cut' });
    await room.sendMessage('after the cut');
    await after;
    if (established !== 0 || conn.status !== 'online') throw new Error(`not resumed: established ${established}, status ${conn.status}`);
    steps.push('resumed after a cut');

    await room.leave({ timeoutMs: WAIT });
    steps.push('left');
  } finally {
    await muc.close();
    await conn.close();
  }
  steps.push('closed');
}

// xmuc's timers are unref'd (they never keep a process alive), so during the reconnect delay
// after the cut nothing would: a script with nothing else to do exits silently right there
// (with `ws` as with the global WebSocket). Real applications have their own handles; this
// script holds one until it is done.
const keepAlive = setInterval(() => undefined, 1000);

main()
  .finally(() => clearInterval(keepAlive))
  .then(
    () => {
      process.stdout.write(`${JSON.stringify({ ok: true, node: process.version, constructed, steps })}\n`);
    },
    (e: unknown) => {
      process.stdout.write(
        `${JSON.stringify({ ok: false, node: process.version, constructed, steps, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) })}\n`,
      );
      process.exitCode = 1;
    },
  );
