#!/usr/bin/python3
"""Where a benchmark pass's CPU goes, by thread and by kind of work, from a Linux `perf` recording.

Usage (see docs/benchmarks.md, "Profiling"):
    BENCH_PERF_WINDOW=1 perf record -k mono -F 4000 -o /tmp/perf.data -- \
        node --expose-gc --import tsx bench/muc-worker.ts join 2000 1 2>/tmp/window.txt
    python3 bench/perf-classes.py /tmp/perf.data "$(awk '/^WINDOW 1 /{print $4","$5}' /tmp/window.txt)"

A third argument, a process id, keeps only that process's samples (a recording of a whole
`e2e.bench.ts` run holds every client; `BENCH_PERF_WINDOW=FILE` makes each client append its
`WINDOW label pid start end` line to FILE).

Prints the share of samples in the window per (thread, class): `main` is the JavaScript thread,
`worker` every other thread (V8's compiler and GC workers, libuv, a module loader). The classes
go by the native symbol: TurboFan's optimising compiler, V8's parser and bytecode generator
(lazy compilation), the garbage collector, JavaScript and V8 builtins, libc and the kernel, and
the rest of V8's runtime.
"""
import collections
import re
import subprocess
import sys

CLASSES = [
    ('optimising compile', r'compiler::|Pipeline|Turbo|OptimizedCompilationJob|Typer|Schedul|InstructionSelector|RegisterAllocat|Zone::|JSInlin|JSCallReducer|LoadElimination'),
    ('parse + bytecode', r'Parser|Scanner|Bytecode|interpreter::|AstValue|Scope::|Compiler::|Preparse|Rewriter|FuncNameInferrer'),
    ('gc', r'Mark|Scaveng|Sweep|Evacuat|Remembered|SlotSet|Heap::|MinorGC|Collector|Worklist|BodyDescriptor|Visitor|Compactor|MemoryChunk|FreeList'),
    ('javascript + builtins', r'^Builtins_|\.(ts|js)|^\[unknown\]|^LazyCompile|^JS:|^\*|^\s*$'),
    ('libc + kernel', r'\[k\]|malloc|free|memmove|memcpy|memchr|pthread|futex|^_'),
]


def classify(sym: str) -> str:
    for name, pattern in CLASSES:
        if re.search(pattern, sym):
            return name
    return 'v8 runtime, other'


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    data, window = sys.argv[1], sys.argv[2]
    command = ['perf', 'script', '-i', data, '--time', window, '-F', 'pid,tid,ip,sym']
    if len(sys.argv) == 4:
        command += ['--pid', sys.argv[3]]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    counts: collections.Counter = collections.Counter()
    for line in out.splitlines():
        m = re.match(r'\s*(\d+)/(\d+)\s+[0-9a-f]+\s+(.*)', line)
        if m is None:
            continue
        pid, tid, sym = m.groups()
        counts[('main' if pid == tid else 'worker', classify(sym))] += 1
    total = sum(counts.values())
    if total == 0:
        sys.exit('no samples in that window')
    for (thread, cls), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f'{thread:7} {cls:22} {n:6} {100 * n / total:5.1f} %')
    print(f'{"":7} {"samples":22} {total:6}')


if __name__ == '__main__':
    main()
