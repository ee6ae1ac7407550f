// The terminal report: per probe, the trace as a tree, a verdict per hop and
// every break with the service to fix.
import { renderTrace } from './trace-tree.js';
import type { Report } from './types.js';

/** The report as lines of text. */
export function renderTextReport(report: Report): string[] {
  const lines: string[] = [];
  const total = report.probes.reduce((n, p) => n + p.breaks.length, 0);
  lines.push(`tracehop doctor: ${report.probes.length} probe(s) to ${report.url}, ${report.receiver.spans} span(s) received`);
  for (const probe of report.probes) {
    lines.push('');
    const status = probe.httpStatus === undefined ? 'no response' : `HTTP ${probe.httpStatus}`;
    const effective = probe.effectiveTraceId && probe.effectiveTraceId !== probe.traceId ? `  (recorded as ${probe.effectiveTraceId})` : '';
    lines.push(`━━ probe ${probe.index}  traceparent 00-${probe.traceId}-${probe.parentSpanId}-01  ${status}${effective}`);
    for (const line of renderTrace(probe.spans)) lines.push(`   ${line}`);
    if (probe.spans.length === 0) lines.push('   (no spans)');
    lines.push('   hops:');
    // One line per distinct hop: a resolver calling the same backend twice is one hop.
    const hops = new Map<string, number>();
    for (const hop of probe.hops) {
      const key = `${hop.ok ? '✓' : '✗'} ${hop.from} → ${hop.to}`;
      hops.set(key, (hops.get(key) ?? 0) + 1);
    }
    for (const [hop, calls] of hops) lines.push(`     ${hop}${calls > 1 ? ` (${calls} calls)` : ''}`);
    if (probe.logLines > 0) lines.push(`   log lines of this request: ${probe.logLines}`);
    if (probe.breaks.length === 0) lines.push('   verdict: ✓ the trace continues through every hop');
    else {
      lines.push(`   verdict: ✗ ${probe.breaks.length} break(s)`);
      for (const b of probe.breaks) lines.push(`     ✗ ${b.kind} [${b.service}${b.peer ? ` ← ${b.peer}` : ''}] ${b.message}`);
    }
  }
  lines.push('');
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(report.ok ? `✓ every probe continued through every hop (exit 0)` : `✗ ${total} break(s) in ${report.probes.filter((p) => p.breaks.length > 0).length} probe(s) (exit 1)`);
  return lines;
}
