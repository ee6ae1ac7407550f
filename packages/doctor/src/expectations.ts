// What the spans that arrived announce: the probe announces its entry span, a
// span with a parent announces that parent, a CLIENT span announces a SERVER
// span under it (or a new trace its callee started). Whatever is announced and
// absent is what the doctor still waits for, and, after the wait, a break.
// Log lines announce too: a line written during a probe that names a trace
// no span of which has arrived says its service has spans still to send.
import type { LogLine } from './log-lines.js';
import type { ProbeSpans } from './probe-spans.js';
import { logWindow, probeAt } from './probe-window.js';
import { runsInside, rangeOf, type ClockOffsets } from './span-time.js';
import type { ProbeSent, TreeSpan } from './types.js';

/** One announced span that has not arrived. */
export interface MissingSpan {
  what: 'entry' | 'parent' | 'callee' | 'logged trace';
  /** The span that announced it (none for a probe's entry). */
  announcedBy?: TreeSpan | undefined;
  /** Who should have sent it, for the report. */
  silent: string;
}

/** Where a CLIENT span was going: `server.address:server.port`, else the RPC service, else its name. */
export function calleeOf(span: TreeSpan): string {
  const a = span.attributes ?? {};
  const host = a['server.address'] ?? a['net.peer.name'];
  const port = a['server.port'] ?? a['net.peer.port'];
  if (host !== undefined) return port === undefined ? String(host) : `${String(host)}:${String(port)}`;
  const rpc = a['rpc.service'] ?? a['rpc.method'];
  return rpc === undefined ? `callee of '${span.name}'` : String(rpc);
}

/** Database and messaging clients are CLIENT spans whose callee never records a SERVER span. */
function expectsServer(span: TreeSpan): boolean {
  const a = span.attributes ?? {};
  return a['db.system'] === undefined && a['db.system.name'] === undefined && a['messaging.system'] === undefined;
}

/**
 * The CLIENT spans of `spans` that call another service: not one of two stacked
 * instrumentations (its CLIENT child in the same service records the call).
 */
export function outgoingCalls(spans: TreeSpan[]): TreeSpan[] {
  const stacked = new Set(spans.filter((s) => s.kind === 'CLIENT').map((s) => `${s.service}/${s.parentSpanId}`));
  return spans.filter((s) => s.kind === 'CLIENT' && expectsServer(s) && !stacked.has(`${s.service}/${s.spanId}`));
}

/** The spans that answer `call`: its SERVER children, and any child another service recorded (of whatever kind). */
export const answersTo = (call: TreeSpan, spans: TreeSpan[]) =>
  spans.filter((s) => s.parentSpanId === call.spanId && (s.kind === 'SERVER' || s.service !== call.service));

/** The new root (another service's SERVER span) that ran inside `call`, if any. */
export function rootInside(offsets: ClockOffsets, call: TreeSpan, roots: TreeSpan[]): TreeSpan | undefined {
  return roots.find((r) => r.kind === 'SERVER' && r.service !== call.service && runsInside(offsets, r, rangeOf(offsets, call)));
}

/** Every span the probe's arrived spans announce that is not there (yet). */
export function missingSpans(probeSpans: ProbeSpans, offsets: ClockOffsets): MissingSpan[] {
  const { probe, own, newRoots, traced } = probeSpans;
  const missing: MissingSpan[] = [];
  if (!own.some((s) => s.parentSpanId === probe.parentSpanId) && newRoots.length === 0) {
    missing.push({ what: 'entry', silent: 'the entry service (no span of the probe has arrived from it)' });
  }
  const ids = new Set(traced.map((s) => s.spanId));
  for (const s of traced) {
    if (!s.parentSpanId || ids.has(s.parentSpanId) || s.parentSpanId === probe.parentSpanId) continue;
    missing.push({ what: 'parent', announcedBy: s, silent: `the caller of ${s.service}'s '${s.name}' (its span ${s.parentSpanId})` });
  }
  for (const call of outgoingCalls(traced)) {
    if (answersTo(call, traced).length > 0 || rootInside(offsets, call, newRoots)) continue;
    missing.push({ what: 'callee', announcedBy: call, silent: `${calleeOf(call)} (called by ${call.service}'s '${call.name}')` });
  }
  return missing;
}

const HEX32 = /^[0-9a-f]{32}$/;

/** Traces that log lines written during a probe name, of which no span has arrived (yet). */
export function missingFromLogs(probes: ProbeSent[], lines: LogLine[], spans: TreeSpan[], offsets: ClockOffsets): MissingSpan[] {
  const known = new Set(spans.map((s) => s.traceId));
  const waiting = new Map<string, string>();
  for (const line of lines) {
    if (line.timeMs === undefined || !probeAt(probes, line.timeMs - (offsets.get(line.service) ?? 0), logWindow)) continue;
    for (const id of line.traceIds) if (HEX32.test(id) && !known.has(id)) waiting.set(id, line.service);
  }
  const silent = (id: string, service: string) => `${service} (its log lines name trace ${id}; no span of it arrived)`;
  return [...waiting].map(([id, service]) => ({ what: 'logged trace', silent: silent(id, service) }));
}
