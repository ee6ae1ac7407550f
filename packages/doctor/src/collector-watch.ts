// `--collector-metrics`: the collector's self-metrics read once before the
// first probe and once after the wait; the difference is what it did with the
// run's spans. An endpoint that cannot be read at the start ends the run
// before any probe (exit 2); one that stops answering by the end is a finding.
import { runCounts, snapshotOf } from './collector-counts.js';
import { collectorFindings } from './collector-findings.js';
import type { CollectorReport, CollectorSnapshot } from './collector-types.js';
import { ConnectionError } from './probe.js';
import { metricsUrl, readPrometheus } from './prometheus-text.js';

/** The collector's endpoint as read before the probes. */
export interface CollectorWatch {
  /** Reads it again and says what the collector did during the run. Never throws. */
  finish(): Promise<CollectorReport>;
}

/** Reads `url` once. Throws {@link ConnectionError} when it cannot be read or is not a collector's. */
export async function watchCollector(url: string): Promise<CollectorWatch> {
  let endpoint = url;
  let before: CollectorSnapshot;
  try {
    endpoint = metricsUrl(url);
    const samples = await readPrometheus(endpoint);
    if (!samples.some((s) => s.name.startsWith('otelcol_'))) {
      throw new Error("it serves no otelcol_ metric: is it the collector's Prometheus reader (self-telemetry.yaml)?");
    }
    before = snapshotOf(samples);
  } catch (error) {
    throw new ConnectionError(`cannot read the collector's self-metrics at ${endpoint}: ${(error as Error).message}`);
  }
  return {
    async finish(): Promise<CollectorReport> {
      const base = { url: endpoint, instance: before.instance, version: before.version };
      let after: CollectorSnapshot;
      try {
        after = snapshotOf(await readPrometheus(endpoint));
      } catch (error) {
        const reason = (error as Error).message;
        return { ...base, restarted: true, error: reason, findings: collectorFindings(undefined, { error: reason }) };
      }
      const { counts, restarted } = runCounts(before, after);
      const instances = `${before.instance ?? '?'} → ${after.instance ?? '?'}`;
      const findings = collectorFindings(counts, restarted ? { instances } : undefined);
      return { ...base, instance: after.instance, version: after.version, restarted, counts, findings };
    },
  };
}
