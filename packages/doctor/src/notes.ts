// The report's notes: how the wait went, whose clock is off, and everything
// received that no probe could claim (nothing is dropped in silence).
import type { LogVerdicts } from './analyze-logs.js';
import type { SpanAssignment } from './probe-spans.js';
import type { ClockSkew, WaitSummary } from './types.js';

const seconds = (ms: number) => `${(ms / 1e3).toFixed(1)} s`;
const perService = (counts: Map<string, number>) => [...counts].map(([service, n]) => `${service}: ${n}`).join(', ');
const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** One line on the wait: how long, why that long, and who stayed silent. */
export function waitNote(wait: WaitSummary): string {
  const longest = wait.longestDelaySeenMs > wait.exportDelayMs ? `; a service took ${seconds(wait.longestDelaySeenMs)}` : '';
  const rule = `at least the export delay, ${seconds(wait.exportDelayMs)}${longest}`;
  const waited = `waited ${seconds(wait.waitedMs)} for spans after the last probe (${rule})`;
  return wait.complete
    ? `${waited}, until every span the others announce had arrived`
    : `${waited}, and stopped with these still silent: ${wait.silent.join('; ')}`;
}

/** The same wait in a few words, for breaks about a span that never came. */
export const waitedWords = (wait: WaitSummary) => `the doctor waited ${seconds(wait.waitedMs)}`;

export function skewNote({ service, offsetMs, basis }: ClockSkew): string {
  const direction = offsetMs > 0 ? 'ahead of' : 'behind';
  return (
    `${service}'s clock is ${seconds(Math.abs(offsetMs))} ${direction} the doctor's (measured from ${basis}); ` +
    'its spans and log lines were judged on the corrected time'
  );
}

/** What arrived but belongs to no probe. */
export function unclaimedNotes(spans: SpanAssignment['unclaimed'], logs: LogVerdicts | undefined): string[] {
  const notes: string[] = [];
  if (spans.size > 0) {
    notes.push(
      `${total(spans)} span(s) of traces that ran outside every probe's window, or whose root never arrived, were not judged ` +
        `(${perService(spans)}): other traffic, or a clock off by more than could be measured`,
    );
  }
  if (logs && logs.unclaimed.size > 0) {
    notes.push(
      `${total(logs.unclaimed)} log line(s) written during the run but outside every probe's window, naming no probe's trace, ` +
        `were not judged (${perService(logs.unclaimed)})`,
    );
  }
  if (logs && logs.earlier > 0) notes.push(`${logs.earlier} log line(s) written before the first probe were not judged`);
  return notes;
}
