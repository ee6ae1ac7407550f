// A self-contained HTML page (no script, no external resource): per probe a
// waterfall of its spans, the hops and the breaks.
import { escapeHtml as escape } from './html-escape.js';
import { collectorHtml } from './report-collector.js';
import { breakPlace } from './report-text.js';
import { walkTrace } from './trace-tree.js';
import type { Break, Hop, ProbeResult, Report } from './types.js';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:20px} h2{font-size:16px;margin-top:2em} code{font-size:12px}
.ok{color:#137333} .bad{color:#b3261e}
.waterfall{border:1px solid #ddd;padding:4px 8px;max-width:1100px}
.row{display:flex;align-items:center;height:22px}
.label{width:360px;flex:none;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:12px}
.track{position:relative;flex:1;height:14px;background:#f4f4f4}
.bar{position:absolute;top:0;height:14px;min-width:2px;background:#4a7bd0}
.bar.CLIENT{background:#8a5cc2} .bar.ERROR{background:#b3261e} .consequence,.note{color:#666}
ul.breaks li{margin:4px 0}
`;

/** One probe's waterfall: a row per span, bar offset and width proportional to start and duration. */
function waterfall(probe: ProbeResult): string {
  const rows = walkTrace(probe.spans);
  const timed = probe.spans.filter((s) => s.startMs !== undefined);
  const start = Math.min(...timed.map((s) => s.startMs!));
  const end = Math.max(...timed.map((s) => s.startMs! + (s.durationMs ?? 0)));
  const total = Math.max(end - start, 0.001);
  const body = rows
    .map(({ span, depth }) => {
      const left = span.startMs === undefined ? 0 : ((span.startMs - start) / total) * 100;
      const width = ((span.durationMs ?? 0) / total) * 100;
      const tenant = span.tenant ? ` tenant=${escape(span.tenant)}` : '';
      const label = `${'&nbsp;'.repeat(depth * 3)}[${escape(span.service)}] ${escape(span.name)} <small>${span.kind}${tenant}</small>`;
      const title = `${span.service} ${span.name} ${(span.durationMs ?? 0).toFixed(2)} ms`;
      const bar =
        `<div class="bar ${span.kind} ${span.status}" data-span-id="${span.spanId}" ` +
        `data-duration-ms="${(span.durationMs ?? 0).toFixed(3)}" ` +
        `title="${escape(title)}" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%"></div>`;
      return `<div class="row"><div class="label">${label}</div><div class="track">${bar}</div></div>`;
    })
    .join('\n');
  return `<div class="waterfall" data-probe="${probe.index}" data-total-ms="${total.toFixed(3)}">${body || '<em>no spans</em>'}</div>`;
}

const breakItem = (b: Break, cls: string) =>
  `<li class="${cls}" data-kind="${b.kind}"><code>${b.kind}</code> <b>${escape(breakPlace(b))}</b>` +
  `${b.causedBy ? ` (caused by ${b.causedBy.kind}@${escape(b.causedBy.service)})` : ''}: ${escape(b.message)}</li>`;

function probeSection(probe: ProbeResult): string {
  const ok = probe.breaks.length === 0;
  const bad = `<p class="bad">✗ ${probe.breaks.length} break(s)</p>`;
  const verdict = ok ? '<p class="ok">✓ the trace continues through every hop</p>' : bad;
  const hop = (h: Hop) => `<li class="${h.ok ? 'ok' : 'bad'}">${h.ok ? '✓' : '✗'} ${escape(h.from)} → ${escape(h.to)}</li>`;
  const hops = probe.hops.map(hop).join('');
  const breaks = [...probe.breaks.map((b) => breakItem(b, 'bad')), ...probe.consequences.map((b) => breakItem(b, 'consequence'))].join('');
  return `<section class="probe" id="probe-${probe.index}">
<h2>Probe ${probe.index} <code>00-${probe.traceId}-${probe.parentSpanId}-01</code></h2>
${verdict}
${waterfall(probe)}
<ul class="hops">${hops}</ul>
<ul class="breaks">${breaks}</ul>
</section>`;
}

/** The whole report as one HTML document. */
export function renderHtmlReport(report: Report): string {
  const title = report.ok ? 'every probe passes' : 'breaks found';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tracehop doctor: ${title}</title><style>${STYLE}</style></head>
<body>
<h1>tracehop doctor: <span class="${report.ok ? 'ok' : 'bad'}">${title}</span></h1>
<p>${report.probes.length} probe(s) to <code>${escape(report.url)}</code>; ${report.receiver.spans} span(s) received.</p>
${report.notes.map((n) => `<p class="note">note: ${escape(n)}</p>`).join('\n')}
${report.probes.map(probeSection).join('\n')}
${collectorHtml(report.collector)}
</body></html>
`;
}
