// What the collector's counts over the run mean for the probes: spans it
// refused, failed to export or dropped before a decision are lost at the
// collector, so a probe missing spans in the same run is not blamed on the
// service that sent them; traces its policies did not keep, or still held
// undecided, explain a probe of which nothing arrived.
import type { CollectorCounts, CollectorReport } from './collector-types.js';
import type { Break, BreakKind, ProbeResult } from './types.js';

/** The service name collector findings are attributed to. */
export const COLLECTOR = 'collector';

/** Breaks that say a span never arrived: what a collector that lost spans explains. */
const MISSING: BreakKind[] = ['no-spans', 'client-without-server', 'orphan-server', 'orphan-span'];

/** What each finding explains, in the order a span meets them (refused at the door first). */
const EXPLAINS: Partial<Record<BreakKind, BreakKind[]>> = {
  'collector-refused': MISSING,
  'collector-dropped': MISSING,
  'collector-export-failed': MISSING,
  'collector-restarted': MISSING,
  // A trace is held whole until its decision: not kept, or not decided yet, nothing of it arrives.
  'collector-not-sampled': ['no-spans'],
  'collector-undecided': ['no-spans'],
};

/** The findings that are a fault of the collector (they make the run fail even when every probe passes). */
export const COLLECTOR_LOSSES: BreakKind[] = ['collector-refused', 'collector-dropped', 'collector-export-failed', 'collector-restarted'];

const finding = (kind: BreakKind, message: string): Break => ({ kind, service: COLLECTOR, message });

function refused(c: CollectorCounts): Break | undefined {
  if (c.refused + c.failed <= 0) return undefined;
  const limiter = c.memoryLimiterRefused > 0 ? `; its memory_limiter refused ${c.memoryLimiterRefused} (memory over its soft limit)` : '';
  const failed = c.failed > 0 ? `, and took in ${c.failed} it could not pass on` : '';
  return finding(
    'collector-refused',
    `the collector refused ${c.refused} span(s) the services exported during the run${failed}${limiter}: ` +
      "the services' exporters retry a refusal, then drop the spans, so they were lost at the collector, not by the services",
  );
}

function exportFailed(c: CollectorCounts): Break | undefined {
  const failing = Object.entries(c.exporters).filter(([, e]) => e.sendFailed + e.enqueueFailed > 0);
  if (failing.length === 0) return undefined;
  const each = failing.map(([name, e]) => {
    const queue = e.queueCapacity === undefined ? '' : `, its queue at ${e.queueSize ?? 0} of ${e.queueCapacity} batches`;
    const full = e.enqueueFailed > 0 ? ` and could not queue ${e.enqueueFailed} (queue full${queue})` : '';
    return `${name} gave up on ${e.sendFailed} span(s)${full}`;
  });
  return finding(
    'collector-export-failed',
    `the collector's exporters dropped spans during the run: ${each.join('; ')} ` +
      '(retries exhausted, refused for good by the destination, or no room in the queue)',
  );
}

/** How a collector that restarted was found out: its instance changed, or it could not be read after the run. */
export type Restart = { instances?: string; error?: string } | undefined;

/** The findings of one run's counts. */
export function collectorFindings(counts: CollectorCounts | undefined, restarted: Restart): Break[] {
  const found: Array<Break | undefined> = [];
  if (restarted) {
    const how = restarted.error
      ? `could not be read after the run (${restarted.error}): it stopped or restarted`
      : `restarted during the run (instance ${restarted.instances})`;
    found.push(finding('collector-restarted', `the collector ${how}; the spans it held (undecided traces, queued batches) were lost`));
  }
  if (counts) {
    found.push(refused(counts));
    const t = counts.tailSampling;
    if (t && t.droppedTooEarly > 0) {
      const message =
        `the collector's tail sampling dropped ${t.droppedTooEarly} trace(s) from memory before their decision ` +
        '(more undecided traces than its num_traces): every span of them was lost';
      found.push(finding('collector-dropped', message));
    }
    found.push(exportFailed(counts));
    if (t && t.notKept > 0) {
      const message =
        `the collector's tail sampling decided not to keep ${t.notKept} trace(s) during the run: a probe's trace that no policy ` +
        'keeps (an error, a slow request, an allow-listed tenant…) never reaches the doctor';
      found.push(finding('collector-not-sampled', message));
    }
    if (t && t.undecided > 0) {
      const message =
        `the collector still held ${t.undecided} trace(s) waiting for their decision when the doctor stopped waiting: ` +
        "raise --export-delay-ms and --wait-ms above the services' batch delay plus the collector's decision_wait";
      found.push(finding('collector-undecided', message));
    }
  }
  return found.filter((f): f is Break => f !== undefined);
}

/**
 * The findings that can explain spans missing at the doctor, which `received` spans reached. An exporter
 * the doctor got at least as many spans as it handled (sent or lost) did not lose the doctor's: that is
 * another destination (Google) failing while the doctor's exporter delivered.
 */
export function explainingFindings(collector: CollectorReport, received: number): Break[] {
  const exporters = Object.values(collector.counts?.exporters ?? {});
  const doctorsMayFail = exporters.some((e) => e.sendFailed + e.enqueueFailed > 0 && e.sent + e.sendFailed + e.enqueueFailed > received);
  return collector.findings.filter((f) => f.kind !== 'collector-export-failed' || doctorsMayFail);
}

/**
 * The probe with each break about a span that never arrived made a consequence of the first finding that
 * explains it (of {@link explainingFindings}), and that finding among its breaks: the collector is what to fix.
 */
export function blameCollector(probe: ProbeResult, findings: Break[]): ProbeResult {
  const causeOf = (b: Break) => findings.find((f) => EXPLAINS[f.kind]?.includes(b.kind));
  const explained = probe.breaks.filter((b) => causeOf(b));
  if (explained.length === 0) return probe;
  const causes = [...new Set(explained.map((b) => causeOf(b)!))];
  const note = "; what this probe is missing is most likely among them, not the fault of the service that sent it";
  return {
    ...probe,
    breaks: [...causes.map((f) => ({ ...f, message: `${f.message}${note}` })), ...probe.breaks.filter((b) => !causeOf(b))],
    consequences: [...explained.map((b) => ({ ...b, causedBy: { kind: causeOf(b)!.kind, service: COLLECTOR } })), ...probe.consequences],
  };
}
