// Shared by the self-monitoring fault tests: evaluate a policy from
// collector/alerts on what a faulty collector exported and on what a healthy
// twin exported over a run of the same length, and check that the policy's
// threshold is what separates them.
import { expect } from 'vitest';
import { evaluatePolicy, withThreshold, type PolicyResult } from '../src/alert-evaluate.js';
import { readAlertPolicies } from '../src/alert-policy.js';
import type { SelfMonitoredCollector } from '../src/self-monitored.js';

export const policies = readAlertPolicies();

/** What a verdict needs of a run: its points, time scale and start (one collector, or several writing to one project). */
export type RunPoints = Pick<SelfMonitoredCollector, 'points' | 'timeScale' | 'startedAtMs'>;

/** Several collectors writing to the same project, as Cloud Monitoring would see them together. */
export function together(...runs: SelfMonitoredCollector[]): RunPoints {
  return { points: () => runs.flatMap((run) => run.points()), timeScale: runs[0]!.timeScale, startedAtMs: Math.min(...runs.map((run) => run.startedAtMs)) };
}
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run's evaluation window: from its start, `lengthMs` long. */
export function evaluateRun(file: string, run: RunPoints, lengthMs: number): PolicyResult {
  const policy = policies.get(file);
  if (!policy) throw new Error(`no policy ${file}`);
  return evaluatePolicy(policy, run.points(), { timeScale: run.timeScale, fromMs: run.startedAtMs, toMs: run.startedAtMs + lengthMs });
}

/** What a test prints about a verdict: when each condition fired (s into the run) and its peak. */
export function describeVerdict(result: PolicyResult, run: RunPoints): string {
  return result.conditions
    .map((c) => `${c.displayName}: ${c.firedAtMs === undefined ? 'quiet' : `fired at ${((c.firedAtMs - run.startedAtMs) / 1000).toFixed(1)} s`}, peak ${c.peak ?? 'no data'}`)
    .join('; ');
}

/**
 * The policy fires on the faulty run, stays quiet on the healthy run of the
 * same length, and stays quiet on the faulty run once every threshold is set
 * at the largest value the fault produced (so the threshold, not something
 * else, is what fires it). Returns the faulty verdict.
 */
export function expectFiresOnlyOnFault(file: string, faulty: RunPoints, healthy: RunPoints, lengthMs: number): PolicyResult {
  const onFault = evaluateRun(file, faulty, lengthMs);
  const onHealthy = evaluateRun(file, healthy, lengthMs);
  console.info(`[${file}] fault: ${describeVerdict(onFault, faulty)} | healthy: ${describeVerdict(onHealthy, healthy)}`);
  expect(onFault.fired, `${file} on the fault`).toBe(true);
  expect(onHealthy.fired, `${file} on the healthy run`).toBe(false);
  const peak = Math.max(...onFault.conditions.map((c) => c.peak ?? -Infinity));
  const raised = evaluatePolicy(withThreshold(policies.get(file)!, peak), faulty.points(), {
    timeScale: faulty.timeScale,
    fromMs: faulty.startedAtMs,
    toMs: faulty.startedAtMs + lengthMs,
    allowScaledCounts: true,
  });
  expect(raised.fired, `${file} with its threshold at what the fault produced (${peak})`).toBe(false);
  return onFault;
}
