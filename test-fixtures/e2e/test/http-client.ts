// A small node:http client for the load, outage and hostile-input suites.
// node:http rather than fetch: it sends a header given as an array as that
// many separate header lines (fetch joins them), sends latin1 bytes as they
// are, and costs less CPU per request, which matters when the client shares
// two cores with the BFF and the backend it is loading.
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  body: string;
}

export interface PostOptions {
  /** A keep-alive agent shared by the calls of one suite. */
  agent?: Agent;
  /** The whole exchange must finish within this, or the promise rejects: a hang is a failure. */
  timeoutMs?: number;
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** POSTs a GraphQL query; resolves with the status and body, whatever the status. */
export function postQuery(url: string, query: string, headers: OutgoingHttpHeaders = {}, options: PostOptions = {}): Promise<RawResponse> {
  const body = JSON.stringify({ query });
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: options.agent ?? false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    });
    const deadline = setTimeout(() => {
      req.destroy(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      // A keep-alive socket the server closed just as it was reused: the request
      // never reached the server, so it is sent again on a new socket, as Node's
      // docs advise (https://nodejs.org/api/http.html#requestreusedsocket).
      if (req.reusedSocket && error.code === 'ECONNRESET') postQuery(url, query, headers, options).then(resolve, reject);
      else reject(error);
    });
    req.end(body);
  });
}

/** The median and a high percentile of a list of durations (ms). */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Runs `task(i)` for i in [from, to) with at most `concurrency` in flight. */
export async function runConcurrently(from: number, to: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
