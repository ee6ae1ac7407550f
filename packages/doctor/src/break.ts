// What the doctor names: a break, its kind, and the service that has to change.

/**
 * Every kind of break the doctor names. Stable: scripts may match on them.
 * - `no-spans`: nothing at all arrived for the probe.
 * - `entry-new-trace`: the entry service started a new trace instead of continuing the probe's.
 * - `hop-new-trace`: a service below the entry started a new trace (its caller sent no usable traceparent, or it read none).
 * - `hop-skipped`: a service passed the client's trace headers on by hand: its callee's span hangs off the probe, not off it.
 * - `client-without-server`: a CLIENT span whose callee exported no SERVER span under it.
 * - `orphan-server` / `orphan-span`: a span whose parent never arrived.
 * - `duplicate-span`: two spans of one kind for one call in one service (stacked or twice-registered instrumentation).
 * - `tenant-missing` / `tenant-mismatch` / `tenant-from-client`: tenant attribution.
 * - `log-without-trace` / `log-foreign-trace` / `log-unlinkable-shape`: log correlation.
 * - `baggage-leak` / `vendor-header-leak`: probe-set baggage or vendor headers accepted from the client.
 * - `collector-refused` / `collector-export-failed` / `collector-dropped` / `collector-restarted` / `collector-not-sampled` /
 *   `collector-undecided`: with `--collector-metrics`, what the collector lost or held back (collector-findings.ts).
 */
export type BreakKind =
  | 'no-spans' | 'entry-new-trace' | 'hop-new-trace' | 'hop-skipped' | 'client-without-server' | 'orphan-server' | 'orphan-span'
  | 'duplicate-span' | 'tenant-missing' | 'tenant-mismatch' | 'tenant-from-client'
  | 'log-without-trace' | 'log-foreign-trace' | 'log-unlinkable-shape' | 'baggage-leak' | 'vendor-header-leak'
  | 'collector-refused' | 'collector-export-failed' | 'collector-dropped' | 'collector-restarted'
  | 'collector-not-sampled' | 'collector-undecided';

/** One break, attributed to the service that has to change. */
export interface Break {
  kind: BreakKind;
  /** The service to fix (a `service.name`, or `host:port` for a callee that exported nothing). */
  service: string;
  /** The other end of the hop, when known. */
  peer?: string | undefined;
  /** When the spans cannot tell which end of a hop is at fault: both services, caller first. */
  suspects?: string[] | undefined;
  /** On a consequence: the break it follows from. */
  causedBy?: { kind: BreakKind; service: string } | undefined;
  /** The span the break was seen on, when there is one. */
  spanId?: string | undefined;
  message: string;
}
