/**
 * Shared helpers of the benchmarks in `bench/`: statistics, CPU/heap sampling, and the line
 * protocol by which a `*.bench.ts` file reports rows to `bench/run.ts`. Benchmarks are never
 * part of `npm test`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { relative } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

/** One row of the summary table printed by `bench/run.ts`. */
export interface BenchRow {
  /** The benchmark file's short name (`receive`, `jid`, ...). */
  bench: string;
  /** What was measured (`@xmpp/client cold`, `parseJid cached`, ...). */
  label: string;
  /** The headline figure (usually a median). */
  value: number;
  /** Its unit (`µs/msg`, `ns/op`, ...). */
  unit: string;
  /** Ratio to the benchmark's baseline row, when there is one. */
  ratio?: number | undefined;
  /** Anything else worth printing (spread, memory, sample count). */
  note?: string | undefined;
}

/** Prefix of the stdout lines that carry a {@link BenchRow} as JSON. */
export const ROW_PREFIX = 'BENCH_ROW ';

/** Print a row for `bench/run.ts` (and, readably, for a human running the file directly). */
export function reportRow(row: BenchRow): void {
  process.stdout.write(`${ROW_PREFIX}${JSON.stringify(row)}\n`);
}

/** Parse the {@link BenchRow}s out of a benchmark's stdout. */
export function parseRows(stdout: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(ROW_PREFIX)) rows.push(JSON.parse(line.slice(ROW_PREFIX.length)) as BenchRow);
  }
  return rows;
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Minimum and maximum of a non-empty list, as `min–max` with `digits` decimals. */
export function spread(xs: readonly number[], digits = 2): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

/** Process CPU (user + system) in µs since `start` (a `process.cpuUsage()` sample). */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

/** CPU µs of the JavaScript thread and of all the process's other threads (see {@link threadCpuSince}). */
export interface ThreadCpu {
  main: number;
  others: number;
}

/**
 * CPU time (ns) of each thread of this process, by thread id, from Linux's
 * `/proc/self/task/TID/schedstat` (Node names none of its threads, so the JavaScript thread is
 * told by its id, the process id; the others are V8's workers (optimising compiles, GC), libuv's
 * pool and tsx's module-loader thread). Empty where `/proc` is missing.
 */
export function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * Thread CPU in µs since `start` (a {@link threadCpu} sample): `main` (the JavaScript thread)
 * and `others` (all other threads).
 */
export function threadCpuSince(start: Map<string, number>): ThreadCpu {
  let main = 0;
  let others = 0;
  for (const [tid, ns] of threadCpu()) {
    const us = Math.round((ns - (start.get(tid) ?? 0)) / 1000);
    if (tid === String(process.pid)) main = us;
    else others += us;
  }
  return { main, others };
}

/** The garbage collections of a window, from Node's `gc` performance entries (pauses of the JavaScript thread). */
export interface GcPauses {
  /** Young-generation collections (scavenges). */
  minor: number;
  /** Full collections (mark-compact). */
  major: number;
  /** Incremental-marking pauses (the marking of a full collection, done in steps). */
  incremental: number;
  /** Their summed duration, ms. */
  ms: number;
}

/**
 * Starts counting garbage collections; the returned function stops and resolves with them.
 * Node delivers `gc` entries a turn after the collection, so the stop waits two turns first.
 * How much a window pays in GC depends on the process's history as much as on its own
 * allocations (how large the young generation has grown; whether V8's memory reducer starts a
 * full collection after the process was idle), so benchmarks print it next to their CPU.
 */
export function watchGc(): () => Promise<GcPauses> {
  const out: GcPauses = { minor: 0, major: 0, incremental: 0, ms: 0 };
  let open = true;
  const observer = new PerformanceObserver((list) => {
    if (!open) return;
    for (const e of list.getEntries()) {
      const kind = ((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) out.minor++;
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) out.major++;
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL) out.incremental++;
      out.ms += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return async () => {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    open = false;
    observer.disconnect();
    return out;
  };
}

/**
 * With `BENCH_PERF_WINDOW` set, reports a measured window for `perf script --time` (and
 * bench/perf-classes.py): `WINDOW label pid start end`, CLOCK_MONOTONIC seconds (what
 * `perf record -k mono` stamps), to stderr when the variable is `1`, else appended to the file it
 * names. `start` is a `process.hrtime.bigint()` sample; the end is now.
 */
export function reportPerfWindow(label: string, start: bigint): void {
  const to = process.env.BENCH_PERF_WINDOW;
  if (!to) return;
  const line = `WINDOW ${label} ${process.pid} ${Number(start) / 1e9} ${Number(process.hrtime.bigint()) / 1e9}\n`;
  if (to === '1') process.stderr.write(line);
  else appendFileSync(to, line);
}

/** Run a full GC when the process was started with `--expose-gc`; returns whether it could. */
export function gc(): boolean {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) return false;
  g();
  g();
  return true;
}

/** Options of {@link runNodeChild}. */
export interface ChildOptions {
  /** Extra node flags (before the script). */
  nodeArgs?: string[];
  /** Kill the child (SIGKILL, by pid) after this long. */
  timeoutMs: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Called with each complete stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** Called once with the child right after it was spawned (e.g. to signal it). */
  onSpawn?: (child: ChildProcess) => void;
}

/** The outcome of {@link runNodeChild}. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Run a TypeScript file in a child Node process through tsx (`node --import tsx file args`),
 * bounded by `timeoutMs`.
 */
export function runNodeChild(file: string, args: string[], options: ChildOptions): Promise<ChildResult> {
  return runChild(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', file, ...args], options);
}

/** Run any command as a child process (see {@link runNodeChild}; `nodeArgs` is ignored), bounded by `timeoutMs`. */
export function runChild(command: string, argv: string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(command, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      if (!options.onLine) return;
      pending += d;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        options.onLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** A connected inspector session of this process (for the profilers below). */
async function inspectorSession(): Promise<import('node:inspector/promises').Session> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  return session;
}

/**
 * Start a V8 CPU profile (100 µs sampling) of what follows when `file` (by default
 * `BENCH_CPU_PROFILE`) names a file and `on` is true; returns the stopper, which writes the
 * `.cpuprofile` (nothing otherwise).
 */
export async function startCpuProfile(on: boolean, file = process.env.BENCH_CPU_PROFILE): Promise<() => Promise<void>> {
  if (!on || !file) return async () => {};
  const session = await inspectorSession();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/**
 * When `on` and `file` (env `BENCH_ALLOC_PROFILE`) are set, samples the heap allocations of the
 * window (every 256 bytes on average, including objects that are already garbage when it
 * stops) into a `.heapprofile`; `alloc-summary.ts` prints where the bytes were allocated.
 * Returns the function that stops it and writes the file.
 */
export async function startAllocationProfile(on: boolean, file = process.env.BENCH_ALLOC_PROFILE): Promise<() => Promise<void>> {
  if (!on || !file) return async () => {};
  const session = await inspectorSession();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** A profile's script URL as a path relative to the working directory (`file://` URLs), else as it is. */
export function sourcePath(url: string): string {
  return url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url;
}
