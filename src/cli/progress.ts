/**
 * A progress indicator for long listings and joins of big rooms: a spinner and a count on
 * the terminal's stderr line (`CliIO.status`, see {@link StatusSink}), redrawn at most every 100 ms; nothing at all
 * when stderr is not a terminal.
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;

/** A running indicator. */
export interface Progress {
  /** Record progress: `done` items so far, of `total` when known. */
  update(done: number, total?: number): void;
  /** Clear the line and stop redrawing (idempotent). */
  done(): void;
}

/** Where an indicator draws: `CliIO.status` (absent when stderr is not a terminal). */
export interface StatusSink {
  status?: ((text: string) => void) | undefined;
}

/** Start an indicator labelled `label` (`listing conference.example.org …`). */
export function progress(io: StatusSink, label: string): Progress {
  const status = io.status;
  if (status === undefined) return { update: () => undefined, done: () => undefined };
  let frame = 0;
  let count = '';
  const draw = () => status(`${FRAMES[frame++ % FRAMES.length]} ${label}${count}`);
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  let finished = false;
  return {
    update(done, total) {
      count = total === undefined ? ` ${done}` : ` ${done}/${total}`;
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      status('');
    },
  };
}
