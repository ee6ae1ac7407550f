// Two spans for one call in one service: instrumentations stacked (a SERVER
// span under a SERVER span of the same service) or registered twice (two
// sibling SERVER spans answering one request or one CLIENT span).
import { listAt } from './list-at.js';
import type { ProbeSpans } from './probe-spans.js';
import type { Break, TreeSpan } from './types.js';

const names = (spans: TreeSpan[]) => spans.map((s) => `'${s.name}'`).join(', ');

/** One break per service that recorded one call twice. */
export function judgeDuplicates({ probe, traced }: ProbeSpans): Break[] {
  const byId = new Map(traced.map((s) => [s.spanId, s]));
  const found = new Map<string, Break>();
  const note = (service: string, spans: TreeSpan[], how: string) => {
    if (found.has(service)) return;
    const kind = spans[0]!.kind;
    const message = `${service} recorded ${spans.length} ${kind} spans for one call (${names(spans)}): ${how}`;
    found.set(service, { kind: 'duplicate-span', service, spanId: spans[spans.length - 1]!.spanId, message });
  };
  for (const span of traced) {
    const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
    if (parent && parent.service === span.service && parent.kind === span.kind && (span.kind === 'CLIENT' || span.kind === 'SERVER')) {
      note(span.service, [parent, span], 'two instrumentations are stacked');
    }
  }
  // One request (the probe's) or one call (a CLIENT span) is answered by one SERVER span per service.
  const answers = new Map<string, TreeSpan[]>();
  for (const span of traced) {
    if (span.kind !== 'SERVER' || span.parentSpanId === undefined) continue;
    const parent = byId.get(span.parentSpanId);
    if (span.parentSpanId !== probe.parentSpanId && parent?.kind !== 'CLIENT') continue;
    const key = `${span.service}/${span.parentSpanId}`;
    listAt(answers, key).push(span);
  }
  for (const spans of answers.values()) {
    if (spans.length > 1) note(spans[0]!.service, spans, 'the same instrumentation is registered twice, or two are side by side');
  }
  return [...found.values()];
}
