// Closed-loop GraphQL load against a fixture BFF, for the outage measurements.
import { postQuery } from './graphql.js';

export interface LoadResult {
  latencies: number[];
  traceIds: string[];
  failures: string[];
}

/** Runs requests at `concurrency` until `count` are done or `untilMs` has passed; each carries a fresh sampled traceparent. */
export async function runLoad(url: string, options: { concurrency: number; count?: number; untilMs?: number; token: string }): Promise<LoadResult> {
  const result: LoadResult = { latencies: [], traceIds: [], failures: [] };
  const deadline = options.untilMs === undefined ? Infinity : performance.now() + options.untilMs;
  let started = 0;
  const worker = async () => {
    while ((options.count === undefined || started < options.count) && performance.now() < deadline) {
      started++;
      const traceId = crypto.getRandomValues(new Uint8Array(16)).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
      const begin = performance.now();
      try {
        const response = await postQuery(url, 'p-1', options.token, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
        if (response.status !== 200 || response.body.errors) result.failures.push(`${response.status} ${JSON.stringify(response.body.errors)}`);
      } catch (error) {
        result.failures.push(String(error));
      }
      result.latencies.push(performance.now() - begin);
      result.traceIds.push(traceId);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return result;
}

export function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
