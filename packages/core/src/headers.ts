import type { TextMapGetter } from '@opentelemetry/api';

/** Fetch API `Headers` (Yoga, undici) or Node's `IncomingHttpHeaders`. */
export type HeadersLike =
  | { get(name: string): string | null; keys(): Iterable<string> }
  | Record<string, string | string[] | undefined>;

function isFetchHeaders(carrier: HeadersLike): carrier is Extract<HeadersLike, { get: unknown }> {
  return typeof (carrier as { get?: unknown }).get === 'function';
}

/**
 * Reads either kind of header carrier. Duplicated headers arrive comma-joined
 * (Fetch) or as Node's joined string, which the W3C propagator rejects for
 * `traceparent` (a new trace, as the spec requires) and accepts for
 * `tracestate`/`baggage` (list headers may be split).
 */
export const headersGetter: TextMapGetter<HeadersLike> = {
  keys(carrier) {
    return isFetchHeaders(carrier) ? Array.from(carrier.keys()) : Object.keys(carrier);
  },
  get(carrier, key) {
    if (isFetchHeaders(carrier)) return carrier.get(key) ?? undefined;
    return carrier[key.toLowerCase()];
  },
};
