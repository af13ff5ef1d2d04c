import type { Element } from 'ltx';

/** Add to a XEP-0198 counter, modulo 2^32. */
export function smAdd(counter: number, n: number): number {
  return (counter + n) >>> 0;
}

/** How far `h` is ahead of `base`, modulo 2^32. */
export function smDistance(base: number, h: number): number {
  return (h - base) >>> 0;
}

/**
 * XEP-0198 stream management state that outlives a transport: counters (modulo 2^32), the
 * queue of unacknowledged outbound stanzas and what is needed to resume.
 * @internal
 */
export class StreamManagementState {
  /** SM is enabled on the current (or hibernating) session. */
  enabled = false;
  /** Resumption id from `<enabled id resume="true"/>`, when resumable. */
  id: string | undefined;
  /** The server's maximum resumption time in seconds, if given. */
  maxSeconds: number | undefined;
  /** Stanzas received and handled on this session (the `h` we report). */
  inbound = 0;
  /** The last `h` the server acknowledged. */
  acked = 0;
  /** Stanzas sent and not yet acknowledged, oldest first. */
  unacked: Element[] = [];

  /** Whether a resumption can be attempted. */
  get resumable(): boolean {
    return this.enabled && this.id !== undefined;
  }

  /** Start counting on a session just enabled. */
  start(id: string | undefined, maxSeconds: number | undefined): void {
    this.enabled = true;
    this.id = id;
    this.maxSeconds = maxSeconds;
    this.inbound = 0;
    this.acked = 0;
    this.unacked = [];
  }

  /** Count one received stanza. */
  countInbound(): void {
    this.inbound = (this.inbound + 1) >>> 0;
  }

  /** Remember a sent stanza until it is acknowledged. */
  track(stanza: Element): void {
    this.unacked.push(stanza);
  }

  /**
   * Apply an acknowledgement `h`: removes and returns the stanzas it covers. `excess` is how many
   * more stanzas the server claims than were sent (a protocol violation when > 0).
   */
  ack(h: number): { acked: Element[]; excess: number } {
    const n = smDistance(this.acked, h);
    if (n === 0) return { acked: [], excess: 0 };
    if (n > this.unacked.length) {
      // Either a stale (smaller) h that wrapped, or the server acked more than we sent.
      const excess = n - this.unacked.length;
      if (excess > 0x7fffffff) return { acked: [], excess: 0 }; // stale h: ignore
      const acked = this.unacked;
      this.unacked = [];
      this.acked = smAdd(this.acked, acked.length);
      return { acked, excess };
    }
    const acked = this.unacked.splice(0, n);
    this.acked = h >>> 0;
    return { acked, excess: 0 };
  }

  /** Take the unacknowledged stanzas out (for resending or reporting). */
  takeUnacked(): Element[] {
    const out = this.unacked;
    this.unacked = [];
    return out;
  }

  /** Forget the session (after a failed resumption or a session end). */
  reset(): void {
    this.enabled = false;
    this.id = undefined;
    this.maxSeconds = undefined;
    this.inbound = 0;
    this.acked = 0;
    this.unacked = [];
  }
}
