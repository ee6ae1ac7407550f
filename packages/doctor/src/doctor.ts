// One doctor run: receive spans, send the probes one after another, wait
// (bounded) for their spans to settle, read the logs, give each probe its verdict.
import type { Readable } from 'node:stream';
import { analyzeAttributes } from './analyze-attributes.js';
import { AFTER_MS, analyzeLogs } from './analyze-logs.js';
import { analyzeTrace } from './analyze-trace.js';
import { probeWindows } from './probe-window.js';
import type { LogBackend } from './log-lines.js';
import { openLogSource } from './log-source.js';
import { newProbe, sendProbe } from './probe.js';
import { startReceiver, type Receiver } from './receiver.js';
import type { ProbeResult, ProbeSent, Report } from './types.js';

/** Options for {@link runDoctor}. */
export interface DoctorOptions {
  /** The GraphQL endpoint of the entry service. */
  url: string;
  /** The GraphQL query each probe sends. */
  query: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. @default {} */
  headers?: Record<string, string>;
  /** Number of probes. @default 3 */
  probes?: number;
  /** OTLP/HTTP port the services export to. @default 4318 */
  otlpPort?: number;
  /** OTLP/gRPC port; none when undefined. @default undefined */
  otlpGrpcPort?: number | undefined;
  /** JSON log lines: a file path, or `-` for stdin. @default undefined (no log checks) */
  logs?: string[] | undefined;
  /** JSON log lines from this stream instead of `logs` (API only), read from the start. @default undefined */
  logStream?: Readable | undefined;
  /** The log backend whose field the lines must carry. @default undefined (any known shape) */
  logBackend?: LogBackend | undefined;
  /** The tenant the credentials authenticate as; enables tenant-missing/mismatch. @default undefined */
  expectTenant?: string | undefined;
  /** Header the probe fills with a spoofed tenant. @default 'x-tenant-id' */
  tenantHeader?: string;
  /** Longest wait for spans after the last probe. @default 15000 */
  waitMs?: number;
  /** Quiet time after the last span before the verdict. @default 1500 */
  settleMs?: number;
  /** Per-probe request timeout. @default 10000 */
  requestTimeoutMs?: number;
  /** Span cap of the receiver. @default 50000 */
  maxSpans?: number;
  /** Progress lines while waiting. @default none */
  onProgress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(receiver: Receiver, sent: ProbeSent[], options: DoctorOptions): Promise<boolean> {
  const waitMs = options.waitMs ?? 15_000;
  const settleMs = options.settleMs ?? 1_500;
  const since = Date.now();
  const seen = () => sent.filter((p) => receiver.store.all().some((s) => s.traceId === p.traceId || (s.startMs ?? 0) >= p.startedMs - 100)).length;
  for (;;) {
    const now = Date.now();
    const quiet = now - Math.max(receiver.store.lastArrivalMs, since) >= settleMs;
    const count = seen();
    options.onProgress?.(`waiting for spans: ${receiver.store.received} received, ${count}/${sent.length} probes seen, ${((now - since) / 1e3).toFixed(1)} s of at most ${(waitMs / 1e3).toFixed(0)} s`);
    if (quiet && count === sent.length) return true;
    if (now - since >= waitMs) return false;
    await sleep(100);
  }
}

/** Runs the probes against `options.url`; uses `receiver` when given, else starts one on `otlpPort`. Throws ConnectionError when the URL refuses. */
export async function runDoctor(options: DoctorOptions, receiver?: Receiver): Promise<Report> {
  const own = receiver === undefined;
  const rx = receiver ?? (await startReceiver({ port: options.otlpPort ?? 4318, grpcPort: options.otlpGrpcPort, ...(options.maxSpans ? { maxSpans: options.maxSpans } : {}) }));
  const logSource = options.logStream ? openLogSource('-', options.logStream) : options.logs === undefined ? undefined : openLogSource(options.logs[0]!);
  try {
    const sent: ProbeSent[] = [];
    for (let i = 1; i <= (options.probes ?? 3); i++) {
      const ids = newProbe(i);
      // Watched before sending: spans of inner hops arrive before the response.
      rx.store.watch(ids.traceId);
      const probe = await sendProbe(ids, {
        url: options.url,
        query: options.query,
        headers: options.headers ?? {},
        tenantHeader: options.tenantHeader ?? 'x-tenant-id',
        timeoutMs: options.requestTimeoutMs ?? 10_000,
      });
      sent.push(probe);
    }
    const settled = await settle(rx, sent, options);
    const spans = rx.store.all();
    const lines = logSource ? await logSource.lines() : [];
    const windows = probeWindows(sent);
    const logWindows = probeWindows(sent, AFTER_MS);
    const traces = sent.map((probe, i) => analyzeTrace(probe, spans, windows[i]));
    const traceIdsOf = (i: number) => [sent[i]!.traceId, ...(traces[i]!.effectiveTraceId ? [traces[i]!.effectiveTraceId!] : [])];
    const probes = sent.map((probe, i): ProbeResult => {
      const trace = traces[i]!;
      const attributeBreaks = analyzeAttributes(probe, trace.spans, spans, { expectTenant: options.expectTenant });
      const scope = {
        traceIds: traceIdsOf(i),
        otherTraceIds: new Set(sent.flatMap((_, j) => (j === i ? [] : traceIdsOf(j)))),
        fromMs: logWindows[i]!.fromMs,
        toMs: logWindows[i]!.toMs,
      };
      const logs = logSource ? analyzeLogs(probe, scope, lines, options.logBackend) : { lines: 0, breaks: [] };
      return { ...probe, effectiveTraceId: trace.effectiveTraceId, spans: trace.spans, hops: trace.hops, breaks: [...trace.breaks, ...attributeBreaks, ...logs.breaks], consequences: [], logLines: logs.lines };
    });
    const notes: string[] = [];
    const { dropped, malformed, received } = rx.store;
    if (dropped > 0) notes.push(`the receiver dropped ${dropped} of ${received} spans over its cap of ${options.maxSpans ?? 50_000} per bucket (span flood?); the probes' own traces are kept first, but verdicts on new traces may be incomplete`);
    if (malformed > 0) notes.push(`${malformed} OTLP export request(s) were malformed or too large and were rejected`);
    if (!settled) notes.push(`stopped waiting for spans after ${((options.waitMs ?? 15_000) / 1e3).toFixed(0)} s`);
    if (logSource && lines.length === 0) notes.push('no JSON log line was read');
    return { url: options.url, ok: probes.every((p) => p.breaks.length === 0), probes, receiver: { spans: received, dropped, malformed }, notes };
  } finally {
    logSource?.close();
    if (own) await rx.close();
  }
}
