// The shapes the doctor works with: spans as received, probes, breaks, the report.
import type { Break } from './break.js';
import type { CollectorReport } from './collector-types.js';

export type { Break, BreakKind } from './break.js';

/** OTLP span kinds as names. */
export type SpanKindName = 'SERVER' | 'CLIENT' | 'INTERNAL' | 'PRODUCER' | 'CONSUMER';

/** The fields a trace tree needs, from whichever exporter the span came. */
export interface TreeSpan {
  service: string;
  name: string;
  kind: SpanKindName;
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  /** Start, for ordering siblings (epoch ms, the service's clock); absent when the exporter gave none. */
  startMs?: number | undefined;
  durationMs?: number | undefined;
  status: 'OK' | 'ERROR' | 'UNSET';
  tenant?: string | undefined;
  /** Span attributes as plain values; only spans received over OTLP carry them. */
  attributes?: Record<string, unknown> | undefined;
  /** The spans this one links to (a new trace started from a caller's context links to it). */
  links?: Array<{ traceId: string; spanId: string }> | undefined;
  /** When the doctor's receiver got it (epoch ms, the doctor's clock). */
  receivedMs?: number | undefined;
}

/** One hop and whether the trace survived it. */
export interface Hop {
  from: string;
  to: string;
  ok: boolean;
}

/** What one probe sent and when (the doctor's clock). */
export interface ProbeSent {
  index: number;
  traceId: string;
  parentSpanId: string;
  /** Value of the marker baggage member the probe sent (`tracehop.doctor.probe`). */
  marker: string;
  /** Tenant the probe claimed in client-controlled headers; must never be believed. */
  spoofedTenant: string;
  /** Trace ID in the probe's `sentry-trace` header; must never be continued. */
  vendorTraceId: string;
  startedMs: number;
  endedMs: number;
  /** HTTP status, or undefined when the request failed. */
  httpStatus?: number | undefined;
}

/** One probe's outcome. */
export interface ProbeResult extends ProbeSent {
  /** The trace the stack actually recorded for the probe (the probe's own, or the one the entry started). */
  effectiveTraceId?: string | undefined;
  /** The probe's spans: its trace, and the new traces started for it. */
  spans: TreeSpan[];
  /** What to fix. */
  breaks: Break[];
  /** What follows from a break (each with `causedBy`): not counted, gone once the cause is fixed. */
  consequences: Break[];
  /** Each hop of the request: from the probe to the entry, then one per call. */
  hops: Hop[];
  /** Log lines judged with this probe. */
  logLines: number;
}

/** How long the doctor waited for spans, and why it stopped. */
export interface WaitSummary {
  /** From the last probe's response to the verdict. */
  waitedMs: number;
  /** The export delay allowed for every service (`--export-delay-ms`). */
  exportDelayMs: number;
  /** The longest a service was seen to take between a probe's response and its spans' arrival. */
  longestDelaySeenMs: number;
  /** False when the wait ended with spans still announced but missing. */
  complete: boolean;
  /** What was still missing when the wait ended: one line per silent service or span. */
  silent: string[];
}

/** A service whose clock differs from the doctor's, as measured from the timing of its hops. */
export interface ClockSkew {
  service: string;
  /** Its clock minus the doctor's, in ms (positive: ahead). */
  offsetMs: number;
  /** What it was measured from. */
  basis: 'hop timing' | 'arrival time' | 'new-trace timing';
}

/** The whole run. */
export interface Report {
  url: string;
  ok: boolean;
  probes: ProbeResult[];
  receiver: { spans: number; dropped: number; malformed: number };
  wait: WaitSummary;
  /** Services whose clocks are off by more than 100 ms; their times were corrected before judging. */
  skew: ClockSkew[];
  /** Notes that are not breaks (the wait, spans and log lines no probe could claim, spans dropped over the cap). */
  notes: string[];
  /** With `--collector-metrics`: what the collector counted during the run, and what it lost. */
  collector?: CollectorReport | undefined;
}
