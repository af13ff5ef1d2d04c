/**
 * Quick local benchmark: xmuc's StreamParser vs xmpp.js's parser (`@xmpp/xml`, ltx tokenizer)
 * on the captured Prosody/ejabberd stanzas (test/fixtures/streams). Not a test.
 * Run: `npx tsx bench/parser.bench.ts` (ideally pinned: `taskset -c 0 npx tsx ...`).
 *
 * Warm: in-process, paired, after warm-up runs. Cold: the first pass of a fresh process
 * (`BENCH_PARSER_COLD=ours|ltx` runs this file as that child), which is what a process that has
 * just started pays: its CPU includes the JIT's compilation on background threads.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { StreamParser } from '../src/connection/native/parser/stream-parser.js';

interface XmppJsParser {
  on(event: string, fn: (...args: unknown[]) => void): void;
  write(data: string): void;
}

/** `BENCH_SMOKE=1` (`npm run bench -- --smoke`): one short round, only to show it still runs. */
const SMOKE = process.env.BENCH_SMOKE === '1';
const STANZA_COUNT = SMOKE ? 2_000 : 20_000;
const CHUNK = 64 * 1024;
const ROUNDS = SMOKE ? 1 : 7;
const WARMUPS = SMOKE ? 1 : 5;

function stanzasOf(name: string): string[] {
  const raw = readFileSync(new URL(`../test/fixtures/streams/${name}.xml`, import.meta.url), 'utf8');
  const lines = raw.split('\n').slice(1);
  const body = lines.slice(2, lines.indexOf('</stream:stream>')).join('\n');
  return body.split(/\n(?=<(?:iq|message|presence)\b)/);
}

const pool = [...stanzasOf('prosody-muc'), ...stanzasOf('ejabberd-muc')];
const header =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='b1' version='1.0'>";

/** The stream as 64 KiB byte chunks; `nonAscii` adds multi-byte text to every `<body>` (the TextDecoder path). */
function chunked(nonAscii: boolean): { chunks: Buffer[]; avgBytes: number } {
  const parts = [header];
  for (let i = 0; i < STANZA_COUNT; i++) {
    const st = pool[i % pool.length] as string;
    parts.push(nonAscii ? st.replace(/<body>/g, '<body>Grüße, 世界 😀 ') : st);
  }
  const bytes = Buffer.from(parts.join(''), 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(Buffer.from(bytes.subarray(i, i + CHUNK)));
  return { chunks: out, avgBytes: (bytes.length - header.length) / STANZA_COUNT };
}

let chunks: Buffer[] = [];

function runOurs(copyStrings = true): number {
  let n = 0;
  const p = new StreamParser({
    copyStrings,
    onElement: (el) => {
      if (el.attrs.id !== undefined) n++;
      else n++;
    },
    onError: (e) => {
      throw e;
    },
  });
  for (const c of chunks) p.write(c);
  return n;
}

// @ts-expect-error @xmpp/xml ships no type declarations
const { Parser: XmppParser } = (await import('@xmpp/xml')) as { Parser: new () => XmppJsParser };

function runXmppJs(): number {
  let n = 0;
  const p = new XmppParser();
  p.on('element', (el) => {
    if ((el as { attrs: Record<string, string> }).attrs.id !== undefined) n++;
    else n++;
  });
  // As @xmpp/connection does: each chunk decoded on its own.
  for (const c of chunks) p.write(c.toString('utf8'));
  return n;
}

function cpuMicros(fn: () => number): number {
  const start = process.cpuUsage();
  const n = fn();
  const used = process.cpuUsage(start);
  if (n !== STANZA_COUNT) throw new Error(`expected ${STANZA_COUNT} stanzas, got ${n}`);
  return (used.user + used.system) / STANZA_COUNT;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Child mode: one cold pass of one parser, printed as `COLD <µs/stanza>`. */
const COLD = process.env.BENCH_PARSER_COLD;

/** Median µs/stanza of the first pass of `rounds` fresh processes per parser, interleaved. */
function coldRuns(rounds: number): { ours: number; theirs: number; ratio: number } {
  const run = (which: 'ours' | 'ltx'): number => {
    const r = spawnSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname], {
      env: { ...process.env, BENCH_PARSER_COLD: which },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const m = /COLD ([0-9.]+)/.exec(r.stdout ?? '');
    if (!m) throw new Error(`cold ${which} run failed: ${r.stderr}`);
    return Number(m[1]);
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const o = run('ours');
    const t = run('ltx');
    ours.push(o);
    theirs.push(t);
    ratios.push(o / t);
  }
  return { ours: median(ours), theirs: median(theirs), ratio: median(ratios) };
}

if (COLD !== undefined) {
  chunks = chunked(false).chunks;
  process.stdout.write(`COLD ${cpuMicros(COLD === 'ltx' ? runXmppJs : runOurs)}\n`);
  process.exit(0);
}

for (const nonAscii of [false, true]) {
  const data = chunked(nonAscii);
  chunks = data.chunks;
  for (let i = 0; i < WARMUPS; i++) {
    runOurs();
    runOurs(false);
    runXmppJs();
  }
  const ours: number[] = [];
  const oursNoCopy: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const o = cpuMicros(runOurs);
    oursNoCopy.push(cpuMicros(() => runOurs(false)));
    const t = cpuMicros(runXmppJs);
    ours.push(o);
    theirs.push(t);
    ratios.push(o / t);
  }
  const o = median(ours);
  const oc = median(oursNoCopy);
  const t = median(theirs);
  console.log(
    `${nonAscii ? 'non-ASCII bodies' : 'as captured (ASCII)'}: ${STANZA_COUNT} stanzas (avg ${data.avgBytes.toFixed(0)} B), ` +
      `${chunks.length} chunks of 64 KiB, median of ${ROUNDS} paired runs after ${WARMUPS} warm-up runs`,
  );
  console.log(`  xmuc StreamParser : ${o.toFixed(2)} µs/stanza`);
  console.log(`  copyStrings:false : ${oc.toFixed(2)} µs/stanza (${(oc / t).toFixed(2)}x ltx)`);
  console.log(`  @xmpp/xml (ltx)   : ${t.toFixed(2)} µs/stanza`);
  console.log(`  ratio xmuc/ltx    : ${(o / t).toFixed(2)} (median of paired ratios ${median(ratios).toFixed(2)})`);
}

{
  const rounds = SMOKE ? 1 : 5;
  const c = coldRuns(rounds);
  console.log(`cold (first pass of a fresh process, ASCII, median of ${rounds} interleaved processes each):`);
  console.log(`  cold xmuc StreamParser : ${c.ours.toFixed(2)} µs/stanza`);
  console.log(`  cold @xmpp/xml (ltx)   : ${c.theirs.toFixed(2)} µs/stanza`);
  console.log(`  ratio cold xmuc/ltx    : ${c.ratio.toFixed(2)} (median of paired ratios)`);
}
