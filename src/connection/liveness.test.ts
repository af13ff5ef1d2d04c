import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { Liveness } from './liveness.js';

function watch(exact: boolean) {
  const clock = new FakeClock(0);
  const log: string[] = [];
  const liveness = new Liveness(
    clock,
    10_000,
    5000,
    () => log.push(`probe@${clock.now()}`),
    () => log.push(`dead@${clock.now()}`),
    { exact },
  );
  return { clock, log, liveness };
}

describe('Liveness', () => {
  it('probes after an idle interval and declares the stream dead when nothing follows', () => {
    for (const exact of [false, true]) {
      const { clock, log, liveness } = watch(exact);
      liveness.start();
      clock.advance(15_000);
      expect(log).toEqual(['probe@10000', 'dead@15000']);
      expect(clock.pending).toBe(0);
    }
  });

  it('an answer to the probe keeps the stream; stop() clears the timer', () => {
    for (const exact of [false, true]) {
      const { clock, log, liveness } = watch(exact);
      liveness.start();
      clock.advance(10_000);
      clock.advance(1000);
      liveness.touch();
      clock.advance(4000);
      expect(log).toEqual(['probe@10000']);
      liveness.stop();
      expect(clock.pending).toBe(0);
      clock.advance(60_000);
      expect(log).toEqual(['probe@10000']);
    }
  });

  it('by default traffic postpones the probe to the end of the next whole interval', () => {
    const { clock, log, liveness } = watch(false);
    liveness.start();
    clock.advance(6000);
    liveness.touch();
    clock.advance(13_999);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['probe@20000']);
  });

  it('exact: the probe goes out exactly one interval after the last traffic', () => {
    const { clock, log, liveness } = watch(true);
    liveness.start();
    clock.advance(6000);
    liveness.touch();
    clock.advance(9999);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['probe@16000']);
    clock.advance(2000);
    liveness.touch(); // the answer, at 18000
    clock.advance(3000); // the deadline (21000) passes: alive
    clock.advance(6999);
    expect(log).toEqual(['probe@16000']);
    clock.advance(1);
    expect(log).toEqual(['probe@16000', 'probe@28000']);
  });
});
