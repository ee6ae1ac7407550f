// The capacity harness (src/capacity.ts, run by hand with src/capacity-main.ts;
// the README quotes its runs) does what it says, at a low rate and for a short
// time: the collector runs pinned to one CPU, the offered spans reach it, and
// every figure a step reports comes from what the collector exported about
// itself (decision ticks, traces in memory, heap) or from /proc (CPU, RSS).
// Not a speed test: nothing here depends on how fast this machine is.
import { expect, test } from 'vitest';
import { measureCapacityStep } from '../src/capacity.js';

test('one capacity step: pinned to one CPU, the spans offered accepted, the figures filled from the collector itself', async () => {
  const step = await measureCapacityStep({ spansPerSecond: 300, durationMs: 12_000, decisionWait: '2s' });
  console.info(`[capacity smoke] ${JSON.stringify({ ...step, offered: undefined })}`);
  expect(step.collectorCpus).toBe('0');
  expect(step.offered.spansAccepted).toBe(step.offered.spansOffered);
  expect(step.offered.spansOffered).toBeGreaterThan(0);
  expect(step.refusedPercent).toBe(0);
  expect(step.ticks).toBeGreaterThan(0);
  // 300 spans/s in traces of 3 within a 2 s decision_wait: about 200 traces undecided at a time.
  expect(step.maxTracesOnMemory).toBeGreaterThan(50);
  expect(step.maxTracesOnMemory).toBeLessThan(1_000);
  expect(step.maxHeapMiB).toBeGreaterThan(0);
  expect(step.maxRssMiB).toBeGreaterThan(step.maxHeapMiB);
  expect(step.cpuPercent).toBeGreaterThan(0);
  expect(step.droppedTooEarly).toBe(0);
}, 60_000);
