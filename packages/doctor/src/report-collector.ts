// The collector's part of the text and HTML reports: what it counted during
// the run, then each finding (✗ what it lost, · what it held back).
import { COLLECTOR_LOSSES } from './collector-findings.js';
import type { CollectorCounts, CollectorReport } from './collector-types.js';
import { escapeHtml as escape } from './html-escape.js';
import type { Break } from './types.js';

/** The collector as the report names it: its endpoint, version and instance. */
function title(c: CollectorReport): string {
  const about = [c.version && `otelcol ${c.version}`, c.instance && `instance ${c.instance}`].filter(Boolean).join(', ');
  return `collector ${c.url}${about ? ` (${about})` : ''}`;
}

/** One line per part of the collector a span goes through. */
function countLines(c: CollectorCounts): string[] {
  const lines = [`spans received ${c.accepted}, refused ${c.refused}${c.failed > 0 ? `, failed ${c.failed}` : ''}`];
  const t = c.tailSampling;
  if (t) {
    lines.push(
      `tail sampling: ${t.kept} trace(s) kept, ${t.notKept} not kept, ${t.droppedTooEarly} dropped before their decision, ` +
        `${t.lateKept + t.lateDropped} span(s) after their decision (${t.lateDropped} dropped), ${t.undecided} undecided at the end`,
    );
  }
  const exporters = Object.entries(c.exporters).map(([name, e]) => {
    const queue = e.queueCapacity === undefined ? '' : `, queue ${e.queueSize ?? 0}/${e.queueCapacity}`;
    return `${name} sent ${e.sent}, failed ${e.sendFailed}, not queued ${e.enqueueFailed}${queue}`;
  });
  if (exporters.length > 0) lines.push(`exporters: ${exporters.join('; ')}`);
  return lines;
}

const isLoss = (f: Break) => COLLECTOR_LOSSES.includes(f.kind);

/** The collector section of the text report (empty without `--collector-metrics`). */
export function collectorTextLines(c: CollectorReport | undefined): string[] {
  if (!c) return [];
  const lines = [`${title(c)}, during the run:`, ...(c.counts ? countLines(c.counts) : []).map((l) => `   ${l}`)];
  for (const f of c.findings) lines.push(`   ${isLoss(f) ? '✗' : '·'} ${f.kind} ${f.message}`);
  if (!c.findings.some(isLoss)) lines.push('   ✓ nothing refused, failed to export or dropped');
  return lines;
}

/** The collector section of the HTML report (empty without `--collector-metrics`). */
export function collectorHtml(c: CollectorReport | undefined): string {
  if (!c) return '';
  const counts = (c.counts ? countLines(c.counts) : []).map((l) => `<li>${escape(l)}</li>`).join('');
  const finding = (f: Break) =>
    `<li class="${isLoss(f) ? 'bad' : 'note'}" data-kind="${f.kind}"><code>${f.kind}</code>: ${escape(f.message)}</li>`;
  const none = c.findings.some(isLoss) ? '' : '<li class="ok">✓ nothing refused, failed to export or dropped</li>';
  return `<section class="collector">
<h2>${escape(title(c))}, during the run</h2>
<ul class="counts">${counts}</ul>
<ul class="findings">${c.findings.map(finding).join('')}${none}</ul>
</section>`;
}
