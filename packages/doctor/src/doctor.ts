// One doctor run: receive spans, send the probes one after another, wait for
// their spans (see wait-for-spans.ts), measure the clocks, read the logs, and
// give each probe its verdict.
import type { Readable } from 'node:stream';
import type { TraceLogFormat } from '@tracehop/pino';
import { judgeLogs } from './analyze-logs.js';
import { measureClocks } from './clock-skew.js';
import { blameCollector, COLLECTOR_LOSSES, explainingFindings } from './collector-findings.js';
import { watchCollector } from './collector-watch.js';
import { DEFAULTS, PROBE_GAP_MS } from './defaults.js';
import { finishProbe, judgeSpans } from './judge-probe.js';
import { openLogSource } from './log-source.js';
import { skewNote, unclaimedNotes, waitedWords, waitNote } from './notes.js';
import { assignSpans } from './probe-spans.js';
import { newProbe, sendProbe } from './probe.js';
import { startReceiver, type Receiver } from './receiver.js';
import type { ProbeSent, Report } from './types.js';
import { waitForSpans } from './wait-for-spans.js';

/** Options for {@link runDoctor}. */
export interface DoctorOptions {
  /** The GraphQL endpoint of the entry service. */
  url: string;
  /** The GraphQL query each probe sends. */
  query: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. @default {} */
  headers?: Record<string, string>;
  /** Number of probes, sent one after another. @default 3 */
  probes?: number;
  /** OTLP/HTTP port the services export to. @default 4318 */
  otlpPort?: number;
  /** OTLP/gRPC port; none when undefined. @default undefined */
  otlpGrpcPort?: number | undefined;
  /** JSON log files to check, each `FILE`, `SERVICE=FILE` (every line is SERVICE's) or `-` (stdin). @default undefined (no log checks) */
  logs?: string[] | undefined;
  /**
   * The field naming the service that wrote a line (a dotted path).
   * @default the first present of service, service.name, dd.service, serviceContext.service, name, logger
   */
  logServiceField?: string | undefined;
  /** JSON log lines from this stream as well (API only), read from the start. @default undefined */
  logStream?: Readable | undefined;
  /** The log backend whose field the lines must carry. @default undefined (any known shape) */
  logBackend?: TraceLogFormat | undefined;
  /** The tenant the credentials authenticate as; enables tenant-missing/mismatch. @default undefined */
  expectTenant?: string | undefined;
  /** Header the probe fills with a spoofed tenant. @default 'x-tenant-id' */
  tenantHeader?: string;
  /** The longest any service may take to export a span after it ended; the doctor always waits this long. @default 5000 */
  exportDelayMs?: number;
  /** Longest wait after the last probe for spans the arrived ones announce. @default 15000 */
  waitMs?: number;
  /** Settle: no new span for this long before the verdict. @default 1000 */
  settleMs?: number;
  /** Per-probe request timeout. @default 10000 */
  requestTimeoutMs?: number;
  /** Span cap of the receiver. @default 50000 */
  maxSpans?: number;
  /**
   * The collector's self-metrics endpoint (Prometheus text, `http://HOST:8888/metrics`; a bare `http://HOST:PORT` gets `/metrics`),
   * read before the first probe and after the wait: spans it refused, failed to export or dropped are named, and a probe's
   * missing spans are blamed on it rather than on the service that sent them. @default undefined (not read)
   */
  collectorMetrics?: string | undefined;
  /** Progress lines while waiting. @default none */
  onProgress?: ((line: string) => void) | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sendProbes(receiver: Receiver, options: DoctorOptions): Promise<ProbeSent[]> {
  const sent: ProbeSent[] = [];
  for (let i = 1; i <= (options.probes ?? DEFAULTS.probes); i++) {
    // Before the first too: traffic that ended just before the run is not taken for the probe's.
    await sleep(PROBE_GAP_MS);
    const ids = newProbe(i);
    // Watched before sending: spans of inner hops arrive before the response.
    receiver.store.watch(ids.traceId);
    const request = {
      url: options.url,
      query: options.query,
      headers: options.headers ?? {},
      tenantHeader: options.tenantHeader ?? DEFAULTS.tenantHeader,
      timeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    };
    sent.push(await sendProbe(ids, request));
  }
  return sent;
}

/**
 * Runs the probes against `options.url`; uses `receiver` when given (from
 * `@tracehop/doctor/testing`), else starts one on `otlpPort`. Throws ConnectionError when the URL refuses.
 */
export async function runDoctor(options: DoctorOptions, receiver?: Receiver): Promise<Report> {
  // First: an endpoint that cannot be read ends the run before anything starts.
  const collectorWatch = options.collectorMetrics ? await watchCollector(options.collectorMetrics) : undefined;
  const maxSpans = options.maxSpans ?? DEFAULTS.maxSpans;
  const rx = receiver ?? (await startReceiver({ port: options.otlpPort ?? DEFAULTS.otlpPort, grpcPort: options.otlpGrpcPort, maxSpans }));
  const logValues = [...(options.logs ?? []), ...(options.logStream ? ['-'] : [])];
  const logSource = logValues.length > 0 ? openLogSource(logValues, options.logServiceField, options.logStream) : undefined;
  try {
    const sent = await sendProbes(rx, options);
    const wait = await waitForSpans(rx.store, sent, options, logSource);
    const collector = await collectorWatch?.finish();
    const spans = rx.store.all();
    const clocks = measureClocks(sent, spans);
    const assignment = assignSpans(sent, spans, clocks.offsets);
    const verdicts = assignment.probes.map((p) => judgeSpans(p, clocks.offsets, options.expectTenant, waitedWords(wait)));
    const lines = logSource ? await logSource.lines() : [];
    const logs = logSource ? judgeLogs(verdicts.map((v) => v.traces), lines, clocks.offsets, options.logBackend) : undefined;
    const { dropped, malformed, received } = rx.store;
    const explaining = collector ? explainingFindings(collector, received) : [];
    const probes = verdicts.map((v, i) => blameCollector(finishProbe(v, logs?.probes[i] ?? { lines: 0, breaks: [] }), explaining));
    const notes = [waitNote(wait), ...clocks.skews.map(skewNote), ...unclaimedNotes(assignment.unclaimed, logs)];
    if (dropped > 0) {
      notes.push(
        `the receiver dropped ${dropped} of ${received} spans over its cap of ${maxSpans} per bucket (span flood?); ` +
          "the probes' own traces are kept first, but verdicts on new traces may be incomplete",
      );
    }
    if (malformed > 0) notes.push(`${malformed} OTLP export request(s) were malformed or too large and were rejected`);
    if (logSource && lines.length === 0) notes.push('no JSON log line was read');
    const collectorLost = collector?.findings.some((f) => COLLECTOR_LOSSES.includes(f.kind)) ?? false;
    const ok = probes.every((p) => p.breaks.length === 0) && !collectorLost;
    const receiverCounts = { spans: received, dropped, malformed };
    return { url: options.url, ok, probes, receiver: receiverCounts, wait, skew: clocks.skews, notes, ...(collector ? { collector } : {}) };
  } finally {
    logSource?.close();
    if (!receiver) await rx.close();
  }
}
