import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A line the peer printed: a reply to a command (numeric `id`) or an event (a message event's `id` is the stanza id). */
export type PeerLine = Record<string, unknown> & { event?: string; id?: number | string; ok?: boolean; error?: string };

/** Options of {@link startPeer}. */
export interface PeerOptions {
  /** Which Debian Python library drives the peer. */
  lib: 'aioxmpp' | 'slixmpp';
  /** Server to connect to. */
  host: string;
  port: number;
  /** Full or bare JID and password of the account. */
  jid: string;
  password: string;
  /** Bound for connecting (default 20 s). */
  timeoutMs?: number;
}

const PEER_SCRIPT = fileURLToPath(new URL('../peers/peer.py', import.meta.url));

/**
 * A real peer client (python3-aioxmpp or python3-slixmpp) in its own process, driven by
 * JSON lines. Every wait is bounded; `close()` always kills the process.
 */
export class Peer {
  readonly lib: PeerOptions['lib'];
  readonly events: PeerLine[] = [];
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #replies = new Map<number, (line: PeerLine) => void>();
  readonly #waiters = new Set<{ pred: (l: PeerLine) => boolean; resolve: (l: PeerLine) => void }>();
  #nextId = 1;
  #buffer = '';
  #stderr = '';
  #exited = false;

  constructor(lib: PeerOptions['lib']) {
    this.lib = lib;
    this.#proc = spawn('/usr/bin/python3', [PEER_SCRIPT, '--lib', lib], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stdout.setEncoding('utf8');
    this.#proc.stdout.on('data', (d: string) => this.#onData(d));
    this.#proc.stderr.setEncoding('utf8');
    this.#proc.stderr.on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-8000);
    });
    this.#proc.on('exit', () => {
      this.#exited = true;
      for (const r of this.#replies.values()) r({ ok: false, error: `peer exited; stderr: ${this.#stderr}` });
      this.#replies.clear();
    });
  }

  #onData(d: string): void {
    this.#buffer += d;
    for (let nl = this.#buffer.indexOf('\n'); nl !== -1; nl = this.#buffer.indexOf('\n')) {
      const raw = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      let line: PeerLine;
      try {
        line = JSON.parse(raw) as PeerLine;
      } catch {
        continue; // library noise on stdout
      }
      if (line.event === undefined && typeof line.id === 'number') {
        const r = this.#replies.get(line.id);
        this.#replies.delete(line.id);
        r?.(line);
        continue;
      }
      this.events.push(line);
      for (const w of [...this.#waiters]) {
        if (w.pred(line)) {
          this.#waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  }

  /** Run a command and wait (bounded) for its reply; rejects when the peer reports an error. */
  call(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<PeerLine> {
    if (this.#exited) return Promise.reject(new Error(`peer has exited; stderr: ${this.#stderr}`));
    const id = this.#nextId++;
    return new Promise<PeerLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id);
        reject(new Error(`peer ${this.lib}: '${cmd}' got no reply in ${timeoutMs} ms; stderr: ${this.#stderr}`));
      }, timeoutMs);
      this.#replies.set(id, (line) => {
        clearTimeout(timer);
        if (line.ok) resolve(line);
        else reject(new Error(`peer ${this.lib}: '${cmd}' failed: ${line.error}\n${String(line.trace ?? '')}`));
      });
      this.#proc.stdin.write(`${JSON.stringify({ ...args, id, cmd })}\n`);
    });
  }

  /** Wait (bounded) for an event matching `pred`, including one already received. */
  waitEvent(pred: (line: PeerLine) => boolean, timeoutMs = 15_000): Promise<PeerLine> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<PeerLine>((resolve, reject) => {
      const w = {
        pred,
        resolve: (l: PeerLine) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`peer ${this.lib}: no matching event in ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-10))}`));
      }, timeoutMs);
      this.#waiters.add(w);
    });
  }

  /** Quit politely (bounded), then kill the process whatever happened. */
  async close(): Promise<void> {
    if (!this.#exited) {
      try {
        await this.call('quit', {}, 5000);
      } catch {
        /* killed below */
      }
    }
    if (!this.#exited) this.#proc.kill('SIGKILL');
    if (!this.#exited) await new Promise<void>((r) => this.#proc.once('exit', () => r()));
  }
}

/** Start a peer, wait until it is ready and connect it. */
export async function startPeer(options: PeerOptions): Promise<Peer> {
  const peer = new Peer(options.lib);
  try {
    await peer.waitEvent((l) => l.event === 'ready', 15_000);
    await peer.call(
      'connect',
      { host: options.host, port: options.port, jid: options.jid, password: options.password },
      options.timeoutMs ?? 20_000,
    );
    return peer;
  } catch (e) {
    await peer.close();
    throw e;
  }
}
