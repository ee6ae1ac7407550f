// Verdicts on log lines. A line is judged with the probe whose window holds
// its time (its writer's clock corrected by the measured skew), else with the
// probe whose trace it names. It must name that probe's trace, in the shape the
// log backend links; a line naming another probe's trace, or a trace from
// before the probe, is a logger bound to an earlier request.
import type { TraceLogFormat } from '@tracehop/pino';
import { valuesContain } from './analyze-attributes.js';
import { CLOCK_SLACK_MS } from './defaults.js';
import { namesTrace, wellFormed, type LogLine } from './log-lines.js';
import { logWindow, probeAt } from './probe-window.js';
import type { ClockOffsets } from './span-time.js';
import type { Break, BreakKind, ProbeSent } from './types.js';

/** The traces of one probe's request. */
export interface RequestTraces {
  probe: ProbeSent;
  /** The probe's trace and the one its entry recorded. */
  request: string[];
  /** New traces started for the probe below the entry, each with the break that lost the trace. */
  restarted: Array<{ traceId: string; by: Break }>;
}

export interface LogVerdicts {
  /** Per probe (same order): how many lines were judged with it, and their breaks. */
  probes: Array<{ lines: number; breaks: Break[] }>;
  /** Lines no probe claims, written during the run, per service. */
  unclaimed: Map<string, number>;
  /** Lines written before the first probe (earlier traffic), not judged. */
  earlier: number;
}

const ownTraces = (t: RequestTraces) => [...t.request, ...t.restarted.map((r) => r.traceId)];

const MESSAGES: Partial<Record<BreakKind, string>> = {
  'log-without-trace': 'written during the probe carry no trace fields',
  'log-unlinkable-shape': 'name the trace in a shape the log backend does not link',
  'baggage-leak': "carry the probe's client-set baggage member",
  'tenant-from-client': 'carry the tenant only the client claimed',
};

/** Lines of one kind, service and reason in one probe. */
interface Tally {
  kind: BreakKind;
  service: string;
  what: string;
  causedBy?: Break | undefined;
  count: number;
  example: string;
}

/** Why a line names a trace that is not its request's. */
function foreignReason(line: LogLine, own: RequestTraces, all: RequestTraces[]): { what: string; causedBy?: Break } {
  const restarted = own.restarted.find((r) => namesTrace(line, r.traceId));
  if (restarted) return { what: `name the new trace ${restarted.traceId} started below the entry`, causedBy: restarted.by };
  if (namesTrace(line, own.probe.vendorTraceId)) {
    const vendor = own.probe.vendorTraceId;
    return { what: `name the trace of the probe's client-set sentry-trace header (${vendor}): the vendor header was continued` };
  }
  const other = all.find((t) => t !== own && t.request.some((id) => namesTrace(line, id)));
  const reused = 'a logger bound to an earlier request is reused (e.g. a pino child cached at module scope)';
  if (other) return { what: `name probe ${other.probe.index}'s trace ${other.probe.traceId}: ${reused}` };
  return { what: `name trace ${line.traceIds[0]}, from before the probe: ${reused}` };
}

function toBreak({ kind, service, what, causedBy, count, example }: Tally, backend: TraceLogFormat | undefined): Break {
  const shape = kind === 'log-unlinkable-shape' && backend ? ` (backend: ${backend})` : '';
  return {
    kind,
    service,
    ...(causedBy ? { causedBy: { kind: causedBy.kind, service: causedBy.service } } : {}),
    message: `${count} log line(s) of ${service} ${what}${shape}, e.g. ${example}`,
  };
}

/** Judges every line against every probe. */
export function judgeLogs(traces: RequestTraces[], lines: LogLine[], offsets: ClockOffsets, backend?: TraceLogFormat): LogVerdicts {
  const probes = traces.map((t) => t.probe);
  const found = traces.map(() => new Map<string, Tally>());
  const counts = traces.map(() => 0);
  const unclaimed = new Map<string, number>();
  let earlier = 0;
  const firstStart = Math.min(...probes.map((p) => p.startedMs)) - CLOCK_SLACK_MS;
  for (const line of lines) {
    const time = line.timeMs === undefined ? undefined : line.timeMs - (offsets.get(line.service) ?? 0);
    const during = time === undefined ? undefined : probeAt(probes, time, logWindow);
    const owner = during ? traces[probes.indexOf(during)]! : traces.find((t) => ownTraces(t).some((id) => namesTrace(line, id)));
    if (!owner) {
      if (time !== undefined && time < firstStart) earlier++;
      else unclaimed.set(line.service, (unclaimed.get(line.service) ?? 0) + 1);
      continue;
    }
    const i = traces.indexOf(owner);
    counts[i]!++;
    const note = (kind: BreakKind, what = MESSAGES[kind]!, causedBy?: Break) => {
      const key = `${kind}\u0000${line.service}\u0000${what}`;
      const example = JSON.stringify(line.raw).slice(0, 160);
      const entry = found[i]!.get(key) ?? { kind, service: line.service, what, causedBy, count: 0, example };
      entry.count++;
      found[i]!.set(key, entry);
    };
    if (valuesContain(line.raw, owner.probe.marker)) note('baggage-leak');
    if (valuesContain(line.raw, owner.probe.spoofedTenant)) note('tenant-from-client');
    if (line.shapes.length === 0) note('log-without-trace');
    else if (!owner.request.some((id) => namesTrace(line, id))) {
      const { what, causedBy } = foreignReason(line, owner, traces);
      note('log-foreign-trace', what, causedBy);
    } else if (!wellFormed(line) || (backend !== undefined && !line.shapes.includes(backend))) note('log-unlinkable-shape');
  }
  const breaks = (i: number) => [...found[i]!.values()].map((tally) => toBreak(tally, backend));
  return { probes: traces.map((_, i) => ({ lines: counts[i]!, breaks: breaks(i) })), unclaimed, earlier };
}
