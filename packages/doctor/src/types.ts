// The shapes the doctor works with: spans as received, probes, breaks, the report.

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
  /** Start, for ordering siblings (epoch ms); absent when the exporter gave none. */
  startMs?: number | undefined;
  durationMs?: number | undefined;
  status: 'OK' | 'ERROR' | 'UNSET';
  tenant?: string | undefined;
  /** Span attributes as plain values; only spans received over OTLP carry them. */
  attributes?: Record<string, unknown> | undefined;
}

/**
 * Every kind of break the doctor names. Stable: scripts may match on them.
 * - `no-spans`: nothing at all arrived for the probe.
 * - `entry-new-trace`: the entry service started a new trace instead of continuing the probe's.
 * - `hop-new-trace`: a service below the entry started a new trace (its caller sent no usable traceparent).
 * - `client-without-server`: a CLIENT span whose callee exported no SERVER span under it.
 * - `orphan-server` / `orphan-span`: a span whose parent never arrived.
 * - `duplicate-span`: two spans of one kind for one call in one service (stacked instrumentations).
 * - `tenant-missing` / `tenant-mismatch` / `tenant-from-client`: tenant attribution.
 * - `log-without-trace` / `log-foreign-trace` / `log-unlinkable-shape`: log correlation.
 * - `baggage-leak` / `vendor-header-leak`: probe-set baggage or vendor headers accepted from the client.
 */
export type BreakKind =
  | 'no-spans'
  | 'entry-new-trace'
  | 'hop-new-trace'
  | 'client-without-server'
  | 'orphan-server'
  | 'orphan-span'
  | 'duplicate-span'
  | 'tenant-missing'
  | 'tenant-mismatch'
  | 'tenant-from-client'
  | 'log-without-trace'
  | 'log-foreign-trace'
  | 'log-unlinkable-shape'
  | 'baggage-leak'
  | 'vendor-header-leak';

/** One break, attributed to the service that has to change. */
export interface Break {
  kind: BreakKind;
  /** The service to fix (a `service.name`, or `host:port` for a callee that exported nothing). */
  service: string;
  /** The other end of the hop, when known. */
  peer?: string | undefined;
  /** The span the break was seen on, when there is one. */
  spanId?: string | undefined;
  message: string;
  suspects?: string[] | undefined;
  causedBy?: { kind: BreakKind; service: string } | undefined;
}

/** One hop and whether the trace survived it. */
export interface Hop {
  from: string;
  to: string;
  ok: boolean;
}

/** What one probe sent and when. */
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
  spans: TreeSpan[];
  breaks: Break[];
  consequences: Break[];
  /** Each hop of the request: from the probe to the entry, then one per CLIENT span. */
  hops: Hop[];
  /** Log lines matched to this probe (by trace ID or by time). */
  logLines: number;
}

/** The whole run. */
export interface Report {
  url: string;
  ok: boolean;
  probes: ProbeResult[];
  receiver: { spans: number; dropped: number; malformed: number };
  /** Notes that are not breaks (e.g. spans dropped over the cap). */
  notes: string[];
}
