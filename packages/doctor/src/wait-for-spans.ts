// How long the doctor waits for spans. A service on a batch exporter sends a
// probe's spans up to its schedule delay after they end (the SDKs' default is
// 5 s), and one that has sent nothing cannot be told apart from one that is
// not there. So the wait is at least the export delay after the last probe
// (longer when a service was seen taking longer) plus the settle time for the
// export itself, then until the spans settle and every span the arrived ones
// announce is there, or the wait is over.
import { measureClocks } from './clock-skew.js';
import { DEFAULTS, POLL_MS } from './defaults.js';
import { missingFromLogs, missingSpans } from './expectations.js';
import type { LogLine } from './log-lines.js';
import type { LogSource } from './log-source.js';
import { assignSpans, longestDelay } from './probe-spans.js';
import type { SpanStore } from './span-store.js';
import type { ProbeSent, WaitSummary } from './types.js';

/** Options for {@link waitForSpans}. */
export interface WaitOptions {
  /** The longest any service may take to export a span after it ended. @default 5000 */
  exportDelayMs?: number;
  /** Longest wait after the last probe for spans the arrived ones announce. @default 15000 */
  waitMs?: number;
  /** Settle: no new span for this long before the verdict. @default 1000 */
  settleMs?: number;
  /** Called every poll with a progress line. */
  onProgress?: ((line: string) => void) | undefined;
}

/** Log files are read again this often while waiting (their lines announce traces still to come). */
const LOG_POLL_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1e3).toFixed(1)} s`;

/** Waits until every probe's spans are complete or the wait is over (`logs`, if given, announce traces too); says how it ended. */
export async function waitForSpans(store: SpanStore, probes: ProbeSent[], options: WaitOptions, logs?: LogSource): Promise<WaitSummary> {
  const exportDelayMs = options.exportDelayMs ?? DEFAULTS.exportDelayMs;
  const waitMs = options.waitMs ?? DEFAULTS.waitMs;
  const settleMs = options.settleMs ?? DEFAULTS.settleMs;
  const lastEnd = Math.max(...probes.map((p) => p.endedMs));
  let lines: LogLine[] = [];
  let linesReadMs = 0;
  for (;;) {
    if (logs && Date.now() - linesReadMs >= LOG_POLL_MS) [lines, linesReadMs] = [await logs.poll(), Date.now()];
    const spans = store.all();
    const { offsets } = measureClocks(probes, spans);
    const assignment = assignSpans(probes, spans, offsets);
    const rootless = assignment.rootless.map((s) => ({
      silent: `the root of ${s.service}'s trace ${s.traceId} ('${s.name}' has parent ${s.parentSpanId})`,
    }));
    const missing = [...assignment.probes.map((p) => missingSpans(p, offsets)), missingFromLogs(probes, lines, spans, offsets), rootless];
    const longestDelaySeenMs = Math.max(0, longestDelay(assignment));
    const now = Date.now();
    const waitedMs = now - lastEnd;
    const exportDeadline = Math.max(exportDelayMs, longestDelaySeenMs) + settleMs;
    const settled = now - Math.max(store.lastArrivalMs, lastEnd) >= settleMs;
    const complete = missing.every((m) => m.length === 0);
    const silent = [...new Set(missing.flat().map((m) => m.silent))];
    const completed = missing.slice(0, probes.length).filter((m) => m.length === 0).length;
    const pending = complete ? 'spans to settle' : silent.join('; ');
    const waitingFor = waitedMs < exportDeadline ? `the export delay and settle time (${seconds(exportDeadline)})` : pending;
    options.onProgress?.(
      `waiting for spans: ${store.received} received, ${completed}/${probes.length} probes complete, ` +
        `${seconds(waitedMs)} of at most ${seconds(waitMs)}; waiting for ${waitingFor}`,
    );
    if ((complete && settled && waitedMs >= exportDeadline) || waitedMs >= waitMs) {
      return { waitedMs, exportDelayMs, longestDelaySeenMs, complete, silent };
    }
    await sleep(POLL_MS);
  }
}
