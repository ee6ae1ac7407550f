/** What the Sentry-instrumented backend's handler saw of one call (its `Say` reply). */
export interface BackendObservation {
  /** The active span's trace ID in the handler (tracehop's server span, recorded by Sentry's tracer provider). */
  traceId: string | null;
  spanId: string | null;
  /** The active baggage in the handler. */
  baggage: Record<string, string>;
  /** The raw values of `traceparent`, `tracestate`, `baggage` and `sentry-trace` in the call's metadata. */
  metadata: Record<string, string[]>;
}

/** The `sentry-*` members of one or more `baggage` header values, as `key=value` strings, sorted. */
export function sentryMembers(...headers: (string | string[] | undefined)[]): string[] {
  return headers
    .flat()
    .filter((value): value is string => typeof value === 'string')
    .flatMap((value) => value.split(','))
    .map((member) => member.trim())
    .filter((member) => member.startsWith('sentry-'))
    .sort();
}
