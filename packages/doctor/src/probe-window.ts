// Which probe a span or log line belongs to when it does not carry the probe's
// trace ID: the one that was in flight when it started.
import type { ProbeSent } from './types.js';

/** Clock slack between the probe's own clock and span timestamps (same host, different processes). */
export const SLACK_MS = 100;

/** The time range a probe owns: spans and lines starting in it are its own. Neighbouring probes' windows never overlap. */
export interface ProbeWindow {
  fromMs: number;
  toMs: number;
}

/** Each probe's window: its request time plus slack, clipped where the neighbours' begin. */
export function probeWindows(probes: ProbeSent[], afterMs = SLACK_MS): ProbeWindow[] {
  return probes.map((probe, i) => ({
    fromMs: i === 0 ? probe.startedMs - SLACK_MS : Math.min(probes[i - 1]!.endedMs + afterMs, probe.startedMs),
    toMs: Math.min(probe.endedMs + afterMs, probes[i + 1]?.startedMs ?? Infinity),
  }));
}
