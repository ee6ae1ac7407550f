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
}

/** Parses a Kotlin reply value (a JSON string) into an observation. */
export function parseKotlinReply(value: string): KotlinObservation {
  return JSON.parse(value) as KotlinObservation;
}
