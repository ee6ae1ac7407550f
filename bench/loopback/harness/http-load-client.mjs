// What the HTTP scenarios (GraphQL, end to end) ask of the shared load
// generator (workers/http-load.mjs): the same request shape, caller trace
// and concurrency for every variant.
import callerLib from '../../lib/caller.cjs';
import { benchNumber } from '../../lib/env.mjs';

const { CALLER_TRACEPARENT } = callerLib;
/** Requests in flight (BENCH_HTTP_CONCURRENCY). */
export const HTTP_CONCURRENCY = Math.round(benchNumber('HTTP_CONCURRENCY', 16));

/** POSTs `body` to `/graphql` on `port` for `seconds`, closed loop; resolves to the load generator's sample. */
export function postLoad(load, { port, body, seconds }) {
  return load.request('run', { port, path: '/graphql', body, headers: { traceparent: CALLER_TRACEPARENT }, seconds, concurrency: HTTP_CONCURRENCY });
}
