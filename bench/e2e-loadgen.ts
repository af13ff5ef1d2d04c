/**
 * Load generator of the end-to-end benchmark: puts many occupants into rooms of a real
 * server cheaply, from one process. Each occupant is a raw TCP socket (plaintext c2s,
 * SASL ANONYMOUS on the server's anonymous host, resource binding, a MUC join presence with
 * entity caps and, on every 5th, show/status); no XML parser: a few string searches drive
 * the handshake, and once an occupant is in, what the server sends it is only counted.
 *
 * Commands, one JSON object per stdin line; one JSON answer per stdout line:
 * - `{"cmd":"fill","room":R,"n":N,"history":H,"config":{var:value}}`: occupant 0 creates R,
 *   submits the room configuration (`config` fields) and sends H messages (the history a
 *   joining client gets); then occupants 1..N-1 join, `CONCURRENCY` handshakes at a time.
 *   (Each join costs the server a presence to every occupant already there: keep N modest,
 *   `e2e-seed.ts` adds the rest of a large room.)
 *   Answers `{"ok":"fill","room":R,"n":N,"ms":...}`.
 * - `{"cmd":"flood","room":R,"n":N,"timeoutMs":T}`: occupant 0 of R sends N groupchat messages
 *   shaped like Prosody's live ones; answers `{"ok":"flood",...}` once its own echo of the last
 *   arrived (the server has then routed all of them), or an error after T ms (default 120 s).
 * Bounded: at most `MAX_SOCKETS` sockets; exits by itself when stdin ends (the parent is
 * gone), on SIGTERM, or after `LOADGEN_MAX_MS` (default 15 min). Every wait has a deadline.
 *
 * Usage: `node --import tsx bench/e2e-loadgen.ts HOST PORT DOMAIN`.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { nickOf } from './muc-stream.js';

const [HOST = '127.0.0.1', PORT = '5222', DOMAIN = 'anon.localhost'] = process.argv.slice(2);
const MAX_SOCKETS = 5_000;
const CONCURRENCY = 24;
const STEP_TIMEOUT_MS = 30_000;
const MAX_MS = Number(process.env.LOADGEN_MAX_MS ?? 15 * 60_000);
const CAPS = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' ver='JbfqiPA7VV0sRSMeyBP8qWkhJzc='/>";
const HEADER = `<?xml version='1.0'?><stream:stream to='${DOMAIN}' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`;

const sockets = new Set<Socket>();
/** Occupant 0 of each filled room, kept for `flood`. */
const owners = new Map<string, Occupant>();

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/** One raw occupant connection. */
class Occupant {
  readonly socket: Socket;
  /** Text kept while waiting for a marker; dropped once the occupant only counts bytes. */
  #text = '';
  #waiter: { markers: string[]; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  #watching = false;
  bytes = 0;

  constructor() {
    if (sockets.size >= MAX_SOCKETS) throw new Error(`loadgen: more than ${MAX_SOCKETS} sockets`);
    this.socket = connect({ host: HOST, port: Number(PORT) });
    sockets.add(this.socket);
    this.socket.setNoDelay(true);
    this.socket.on('error', (e) => this.#fail(e));
    this.socket.on('close', () => {
      sockets.delete(this.socket);
      this.#fail(new Error('socket closed'));
    });
    this.socket.on('data', (d: Buffer) => {
      this.bytes += d.length;
      if (!this.#waiter && !this.#watching) return;
      this.#text += d.toString('latin1'); // markers are ASCII; no need to decode UTF-8 properly
      this.#check();
    });
  }

  #fail(e: Error): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = undefined;
    clearTimeout(w.timer);
    w.reject(e);
  }

  #check(): void {
    const w = this.#waiter;
    if (!w) {
      if (this.#text.length > 4096) this.#text = this.#text.slice(-256);
      return;
    }
    for (const m of w.markers) {
      const i = this.#text.indexOf(m);
      if (i === -1) continue;
      this.#text = this.#text.slice(i + m.length);
      this.#waiter = undefined;
      clearTimeout(w.timer);
      w.resolve();
      return;
    }
    if (this.#text.length > 1 << 16) this.#text = this.#text.slice(-1024);
  }

  /** Send `data`, then wait until the input contains one of `markers` (read from where the last wait stopped). */
  send(data: string, markers: string[] = [], timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
    this.socket.write(data);
    if (markers.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`loadgen: no ${markers.join(' | ')} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = { markers, resolve, reject, timer };
      this.#check();
    });
  }

  /** Keep the input text (for waits that span many stanzas) or only count bytes. */
  watch(on: boolean): void {
    this.#watching = on;
    if (!on) this.#text = '';
  }

  /** Handshake (ANONYMOUS, bind) and join `room` as `nick`. */
  async join(room: string, nick: string, i: number): Promise<void> {
    await this.send(HEADER, ['</stream:features>']);
    await this.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>", ['<success']);
    await this.send(HEADER, ['</stream:features>']);
    await this.send("<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>", ["id='bind1'", 'id="bind1"']);
    const show = i % 5 === 1 ? `<show>away</show><status>back in ${i % 60} minutes</status>` : '';
    await this.send(
      `<presence to='${room}/${xmlEscape(nick)}'>${show}${CAPS}<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`,
      ["code='110'", 'code="110"'],
    );
  }
}

async function fill(room: string, n: number, history: number, config: Record<string, string>): Promise<number> {
  const t0 = Date.now();
  const owner = new Occupant();
  owner.watch(true);
  await owner.join(room, nickOf(0), 0);
  const fields = Object.entries({ FORM_TYPE: 'http://jabber.org/protocol/muc#roomconfig', ...config })
    .map(([k, v]) => `<field var='${k}'><value>${xmlEscape(v)}</value></field>`)
    .join('');
  await owner.send(
    `<iq type='set' to='${room}' id='cfg1'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>${fields}</x></query></iq>`,
    ["id='cfg1'", 'id="cfg1"'],
  );
  for (let i = 0; i < history; i++) {
    const last = i === history - 1;
    await owner.send(
      `<message to='${room}' type='groupchat' id='hist${i}'><body>history line ${i}: Grüße — 你好 😀</body></message>`,
      last ? [`id='hist${i}'`] : [],
    );
  }
  owner.watch(false);
  owners.set(room, owner);
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const o = new Occupant();
      await o.join(room, nickOf(i), i);
      o.watch(false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, Math.max(0, n - 1)) }, worker));
  return Date.now() - t0;
}

let floods = 0;

async function flood(room: string, n: number, timeoutMs: number): Promise<number> {
  const owner = owners.get(room);
  if (!owner) throw new Error(`loadgen: no owner in ${room}`);
  const k = ++floods;
  const t0 = Date.now();
  const lastId = `fl${k}-${n - 1}`;
  owner.watch(true);
  const echoed = owner.send('', [`id='${lastId}'`, `id="${lastId}"`], timeoutMs);
  const BATCH = 100;
  for (let i = 0; i < n; i += BATCH) {
    let s = '';
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      s +=
        `<message to='${room}' type='groupchat' id='fl${k}-${j}'><body>Grüße aus Köln — 你好，世界 😀 ✓ message ${j} of flood ${k}</body>` +
        `<origin-id xmlns='urn:xmpp:sid:0' id='org${k}-${j}'/></message>`;
    }
    if (!owner.socket.write(s)) await new Promise<void>((r) => owner.socket.once('drain', r));
  }
  await echoed;
  owner.watch(false);
  return Date.now() - t0;
}

function answer(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

function shutdown(code: number): never {
  for (const s of sockets) s.destroy();
  process.exit(code);
}

setTimeout(() => {
  process.stderr.write(`loadgen: ${MAX_MS} ms limit reached, exiting\n`);
  shutdown(3);
}, MAX_MS).unref();
process.on('SIGTERM', () => shutdown(0));

const lines = createInterface({ input: process.stdin });
lines.on('close', () => shutdown(0));
lines.on('line', (line) => {
  void (async () => {
    let cmd: { cmd: string; room: string; n: number; history?: number; config?: Record<string, string>; timeoutMs?: number };
    try {
      cmd = JSON.parse(line);
    } catch {
      answer({ error: `bad command ${line}` });
      return;
    }
    try {
      if (cmd.cmd === 'fill') {
        const ms = await fill(cmd.room, cmd.n, cmd.history ?? 0, cmd.config ?? {});
        answer({ ok: 'fill', room: cmd.room, n: cmd.n, ms, sockets: sockets.size });
      } else if (cmd.cmd === 'flood') {
        const ms = await flood(cmd.room, cmd.n, cmd.timeoutMs ?? 120_000);
        answer({ ok: 'flood', room: cmd.room, n: cmd.n, ms });
      } else answer({ error: `unknown command ${cmd.cmd}` });
    } catch (e) {
      answer({ error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
answer({ ok: 'ready' });
