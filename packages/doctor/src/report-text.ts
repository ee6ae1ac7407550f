// The terminal report: per probe, the trace as a tree, a verdict per hop and
// every break with the service to fix, its consequences under it.
import { COLLECTOR_LOSSES } from './collector-findings.js';
import { collectorTextLines } from './report-collector.js';
import { renderTrace } from './trace-tree.js';
import type { Break, ProbeResult, Report } from './types.js';

/** `[service ← peer]`, or `[caller → callee]` for a break the spans place on the hop, not on one end. */
export const breakPlace = (b: Break) => (b.suspects ? `[${b.suspects.join(' → ')}]` : `[${b.service}${b.peer ? ` ← ${b.peer}` : ''}]`);

/** One line per distinct hop: a resolver calling the same backend twice is one hop. */
function hopLines(probe: ProbeResult): string[] {
  const hops = new Map<string, number>();
  for (const hop of probe.hops) {
    const key = `${hop.ok ? '✓' : '✗'} ${hop.from} → ${hop.to}`;
    hops.set(key, (hops.get(key) ?? 0) + 1);
  }
  return [...hops].map(([hop, calls]) => `     ${hop}${calls > 1 ? ` (${calls} calls)` : ''}`);
}

const causes = (b: Break) => (c: Break) => c.causedBy?.kind === b.kind && c.causedBy.service === b.service;

function verdictLines({ breaks, consequences }: ProbeResult): string[] {
  if (breaks.length === 0) return ['   verdict: ✓ the trace continues through every hop'];
  const lines = [`   verdict: ✗ ${breaks.length} break(s)${consequences.length > 0 ? `, ${consequences.length} consequence(s)` : ''}`];
  for (const b of breaks) {
    lines.push(`     ✗ ${b.kind} ${breakPlace(b)} ${b.message}`);
    for (const c of consequences.filter(causes(b))) lines.push(`       ↳ caused by it: ${c.kind} ${breakPlace(c)} ${c.message}`);
  }
  return lines;
}

/** The report as lines of text. */
export function renderTextReport(report: Report): string[] {
  const lines: string[] = [];
  const total = report.probes.reduce((n, p) => n + p.breaks.length, 0);
  const consequences = report.probes.reduce((n, p) => n + p.consequences.length, 0);
  const spans = `${report.receiver.spans} span(s) received`;
  lines.push(`tracehop doctor: ${report.probes.length} probe(s) to ${report.url}, ${spans}`);
  for (const probe of report.probes) {
    lines.push('');
    const status = probe.httpStatus === undefined ? 'no response' : `HTTP ${probe.httpStatus}`;
    const recorded = probe.effectiveTraceId && probe.effectiveTraceId !== probe.traceId;
    const effective = recorded ? `  (recorded as ${probe.effectiveTraceId})` : '';
    lines.push(`━━ probe ${probe.index}  traceparent 00-${probe.traceId}-${probe.parentSpanId}-01  ${status}${effective}`);
    for (const line of renderTrace(probe.spans)) lines.push(`   ${line}`);
    if (probe.spans.length === 0) lines.push('   (no spans)');
    lines.push('   hops:', ...hopLines(probe));
    if (probe.logLines > 0) lines.push(`   log lines of this request: ${probe.logLines}`);
    lines.push(...verdictLines(probe));
  }
  lines.push('');
  const collector = collectorTextLines(report.collector);
  if (collector.length > 0) lines.push(...collector, '');
  for (const note of report.notes) lines.push(`note: ${note}`);
  const failed = report.probes.filter((p) => p.breaks.length > 0).length;
  const marked = consequences > 0 ? `, ${consequences} consequence(s) marked "caused by"` : '';
  // Every probe may pass while the collector lost other spans: the run fails on that alone.
  const lost = report.collector?.findings.some((f) => COLLECTOR_LOSSES.includes(f.kind)) ? 'the collector lost spans during the run' : '';
  const breaks = total > 0 ? `${total} break(s) in ${failed} probe(s)${marked}` : '';
  const verdict = `✗ ${[breaks, lost].filter(Boolean).join('; ')} (exit 1)`;
  lines.push(report.ok ? '✓ every probe continued through every hop (exit 0)' : verdict);
  return lines;
}
