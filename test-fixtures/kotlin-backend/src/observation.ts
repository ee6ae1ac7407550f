// The reply body of the Kotlin Echo handlers.

/** What the Kotlin handler's own code saw through the OpenTelemetry API. */
export interface KotlinObservation {
  traceId: string;
  spanId: string;
  baggage: Record<string, string>;
  service: 'kotlin-backend';
  method: 'Say' | 'Stream' | 'Collect' | 'Chat';
  /** The downstream Say reply (parsed JSON) when the request had `forwardTo`, else null. */
  downstream: unknown;
  /** Stream: 0, 1, 2. */
  index?: number;
  /** Collect: messages received, and their values. */
  count?: number;
  received?: unknown[];
  /** Chat: the message being answered. */
  echo?: unknown;
  /** Coroutine service, Say: what the code saw at each step, in order. */
  steps?: KotlinStep[];
  /** Coroutine service, Stream: what the code saw where this message was emitted. */
  step?: KotlinStep;
}

/** One step of the coroutine service (`observeStep` in Steps.kt). */
export interface KotlinStep {
  /** `entry`, `io`, `pool`, `fanout`, `fanout-pool`, `application-scope`, `manual`, `emit-N`. */
  step: string;
  thread: string;
  /** All zeros when no span was current. */
  traceId: string;
  spanId: string;
  /** Baggage `tenant.id`, or null. */
  tenant: string | null;
  /** The fixture's own MDC key `patient_id` (carried by `MDCContext`), or null. */
  patientId: string | null;
  /** The reply of the downstream Say made at this step (fan-out, application scope, manual). */
  downstream?: unknown;
}

/** Parses a Kotlin reply value (a JSON string) into an observation. */
export function parseKotlinReply(value: string): KotlinObservation {
  return JSON.parse(value) as KotlinObservation;
}
