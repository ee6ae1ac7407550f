// Verdicts on a probe's log lines: each line written while the probe ran must
// carry the probe's trace, in the shape the user's log backend links.
import { valuesContain } from './analyze-attributes.js';
import { namesTrace, wellFormed, type LogBackend, type LogLine } from './log-lines.js';
import type { Break, BreakKind, ProbeSent } from './types.js';

/** Lines this long after the response still count as the probe's (async log writes), unless the next probe started. */
export const AFTER_MS = 250;

/** Which lines belong to a probe. */
export interface LogScope {
  /** The probe's trace and the trace its entry started, if any. */
  traceIds: string[];
  /** Traces of the other probes: their lines are theirs, whatever the time. */
  otherTraceIds: Set<string>;
  /** Lines written in [fromMs, toMs] without one of the traces above are checked too. */
  fromMs: number;
  toMs: number;
}

export interface LogVerdict {
  lines: number;
  breaks: Break[];
}

/**
 * Lines of the probe's request: those naming its trace (or the trace its entry
 * started), plus lines written during it that name no trace or a foreign one.
 */
export function analyzeLogs(probe: ProbeSent, scope: LogScope, lines: LogLine[], backend: LogBackend | undefined): LogVerdict {
  const counts = new Map<string, { kind: BreakKind; service: string; count: number; example: string }>();
  const note = (kind: BreakKind, line: LogLine) => {
    const key = `${kind}\u0000${line.service}`;
    const entry = counts.get(key) ?? { kind, service: line.service, count: 0, example: JSON.stringify(line.raw).slice(0, 160) };
    entry.count++;
    counts.set(key, entry);
  };
  let matched = 0;
  for (const line of lines) {
    const ours = scope.traceIds.some((id) => namesTrace(line, id));
    const during = line.timeMs !== undefined && line.timeMs >= scope.fromMs && line.timeMs < scope.toMs;
    if (!ours && (!during || [...scope.otherTraceIds].some((id) => namesTrace(line, id)))) continue;
    matched++;
    if (valuesContain(line.raw, probe.marker)) note('baggage-leak', line);
    if (valuesContain(line.raw, probe.spoofedTenant)) note('tenant-from-client', line);
    if (line.shapes.length === 0) note('log-without-trace', line);
    else if (!ours) note('log-foreign-trace', line);
    else if (!wellFormed(line) || (backend !== undefined && !line.shapes.includes(backend))) note('log-unlinkable-shape', line);
  }
  const breaks = [...counts.values()].map(({ kind, service, count, example }): Break => ({
    kind,
    service,
    message: `${count} log line(s) of ${service} ${MESSAGES[kind] ?? kind}${kind === 'log-unlinkable-shape' && backend ? ` (backend: ${backend})` : ''}, e.g. ${example}`,
  }));
  return { lines: matched, breaks };
}

const MESSAGES: Partial<Record<BreakKind, string>> = {
  'log-without-trace': 'written during the probe carry no trace fields',
  'log-foreign-trace': "written during the probe name another trace, not the probe's",
  'log-unlinkable-shape': 'name the trace in a shape the log backend does not link',
  'baggage-leak': "carry the probe's client-set baggage member",
  'tenant-from-client': 'carry the tenant only the client claimed',
};
