// What the HTTP scenarios (GraphQL, end to end) ask of the shared load
// generator (http-load.mjs): the same request shape, caller trace and
// concurrency for every variant.

/** The browser's trace, as a BFF receives it. */
export const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const CALLER_TRACEPARENT = `00-${CALLER_TRACE_ID}-00f067aa0ba902b7-01`;
/** Requests in flight (BENCH_HTTP_CONCURRENCY). */
export const HTTP_CONCURRENCY = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 16);

/** POSTs `body` to `/graphql` on `port` for `seconds`, closed loop; resolves to the load generator's sample. */
export function postLoad(load, { port, body, seconds }) {
  return load.request('run', { port, path: '/graphql', body, headers: { traceparent: CALLER_TRACEPARENT }, seconds, concurrency: HTTP_CONCURRENCY });
}
