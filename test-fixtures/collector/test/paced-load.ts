// Open-loop GraphQL load at a fixed request rate (a new request every 1/rate s,
// whether or not the previous ones answered), for runs whose span rate must not
// depend on how fast the stack answers: "normal traffic" and "20x normal".
import { postQuery } from './graphql.js';

export interface PacedResult {
  latencies: number[];
  failures: string[];
  /** Requests not sent because `maxInFlight` were still waiting: the stack (or this process) was saturated. */
  skipped: number;
}

/** Sends `rate` requests per second to the BFF at `url` for `durationMs`; at most `maxInFlight` at once (later ones are skipped). */
export async function runPaced(url: string, options: { rate: number; durationMs: number; token: string; maxInFlight?: number }): Promise<PacedResult> {
  const result: PacedResult = { latencies: [], failures: [], skipped: 0 };
  const intervalMs = 1000 / options.rate;
  const maxInFlight = options.maxInFlight ?? 64;
  const end = performance.now() + options.durationMs;
  const pending = new Set<Promise<void>>();
  let next = performance.now();
  while (next < end) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    next += intervalMs;
    if (pending.size >= maxInFlight) {
      result.skipped++;
      continue;
    }
    const traceId = crypto.getRandomValues(new Uint8Array(16)).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
    const begin = performance.now();
    const request = postQuery(url, 'p-1', options.token, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })
      .then(
        (response) => {
          if (response.status !== 200 || response.body.errors) result.failures.push(`${response.status} ${JSON.stringify(response.body.errors)}`);
        },
        (error: unknown) => void result.failures.push(String(error)),
      )
      .finally(() => {
        result.latencies.push(performance.now() - begin);
        pending.delete(request);
      });
    pending.add(request);
  }
  await Promise.all([...pending]);
  return result;
}
