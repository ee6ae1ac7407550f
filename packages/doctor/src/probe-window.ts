// The time each probe owns, on the doctor's clock: its request plus the clock
// slack (spans), or plus a little more after the response (log lines). The
// doctor pauses between probes, so windows never overlap.
import { CLOCK_SLACK_MS, LOG_AFTER_MS } from './defaults.js';
import type { ProbeSent } from './types.js';

export interface ProbeWindow {
  fromMs: number;
  toMs: number;
}

/** Where the probe's spans (and the new traces started for it) must run. */
export const spanWindow = (probe: ProbeSent): ProbeWindow => ({
  fromMs: probe.startedMs - CLOCK_SLACK_MS,
  toMs: probe.endedMs + CLOCK_SLACK_MS,
});

/** Where the probe's log lines are written. */
export const logWindow = (probe: ProbeSent): ProbeWindow => ({
  fromMs: probe.startedMs - CLOCK_SLACK_MS,
  toMs: probe.endedMs + LOG_AFTER_MS,
});

/** The probe whose `window` holds `timeMs`, if any. */
export function probeAt(probes: ProbeSent[], timeMs: number, window: (probe: ProbeSent) => ProbeWindow): ProbeSent | undefined {
  return probes.find((probe) => {
    const { fromMs, toMs } = window(probe);
    return timeMs >= fromMs && timeMs <= toMs;
  });
}
