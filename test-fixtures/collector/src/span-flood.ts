// A span source that posts OTLP/HTTP protobuf straight to a collector at a set
// rate, as many SDKs exporting at once would: for floods (overload, memory,
// num_traces) and the capacity measurement. Every request is a fresh
// ExportTraceServiceRequest (new trace and span IDs), so the collector does the
// work it would do for real traffic; the answers are counted by status code.
// Field numbers are opentelemetry-proto's (trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto, collector/trace/v1).
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import protobuf from 'protobufjs';

const root = protobuf.parse(`
syntax = "proto3";
message AnyValue { oneof value { string string_value = 1; } }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Status { int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15;
}
message ScopeSpans { repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`).root;
const ExportRequest = root.lookupType('ExportTraceServiceRequest');

/** Options for {@link startSpanFlood}. */
export interface SpanFloodOptions {
  /** The collector's OTLP/HTTP base URL (`/v1/traces` is appended). */
  url: string;
  /** Spans per second to offer (paced per request; a request that is late is not made up for). */
  spansPerSecond: number;
  /** @default 500 */
  spansPerRequest?: number;
  /** Spans per trace: 1 makes every span a trace of its own (the most work for tail sampling). @default 1 */
  spansPerTrace?: number;
  /** Bytes of a `flood.payload` string attribute on every span (a service putting bodies in spans). @default 0 */
  payloadBytes?: number;
  /** Distinct span names: `op-0` … `op-<n-1>`, cycled (a service naming spans freely). @default 1 */
  distinctNames?: number;
  /** Span attributes on every span, e.g. `{ 'tenant.id': 'hospital_b' }`. @default {} */
  attributes?: Record<string, string>;
  /** Every n-th trace's first span has status ERROR (the `errors` policy keeps it). @default never */
  errorEvery?: number;
  /** @default 'flood' */
  serviceName?: string;
  /** Requests in flight at most; beyond it the flood waits (as an exporter's concurrency limit does). @default 8 */
  concurrency?: number;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
}

/** What a flood offered and how the collector answered. */
export interface SpanFloodResult {
  requests: number;
  spansOffered: number;
  /** Spans in requests answered 2xx. */
  spansAccepted: number;
  /** Requests due while `concurrency` requests were still waiting for an answer: not sent (the collector did not keep up). */
  skipped: number;
  /** Answers by HTTP status (`error` for a connection failure). */
  statuses: Record<string, number>;
  /** Wall time from start to stop, ms. */
  elapsedMs: number;
}

export interface SpanFlood {
  /** Stops offering; resolves when the requests in flight are answered. */
  stop(): Promise<SpanFloodResult>;
  /** The counts so far. */
  progress(): SpanFloodResult;
}

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One ExportTraceServiceRequest body with fresh IDs. */
export function floodBody(options: Omit<SpanFloodOptions, 'url' | 'spansPerSecond'>, sequence = 0): { body: Uint8Array; spans: number } {
  const count = options.spansPerRequest ?? 500;
  const perTrace = Math.max(1, options.spansPerTrace ?? 1);
  const names = Math.max(1, options.distinctNames ?? 1);
  const payload = options.payloadBytes ? 'x'.repeat(options.payloadBytes) : undefined;
  const attributes = [...Object.entries(options.attributes ?? {}).map(([k, v]) => kv(k, v)), ...(payload ? [kv('flood.payload', payload)] : [])];
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  let traceId = randomBytes(16);
  let rootId: Buffer | undefined;
  let traces = 0;
  for (let i = 0; i < count; i++) {
    if (i % perTrace === 0) {
      traceId = randomBytes(16);
      rootId = undefined;
      traces++;
    }
    const failed = rootId === undefined && options.errorEvery !== undefined && (sequence * count + traces) % options.errorEvery === 0;
    const spanId = randomBytes(8);
    spans.push({
      traceId,
      spanId,
      ...(rootId ? { parentSpanId: rootId } : {}),
      name: `op-${(sequence * count + i) % names}`,
      kind: 2,
      startTimeUnixNano: String(now - 2_000_000n),
      endTimeUnixNano: String(now),
      attributes,
      status: { code: failed ? 2 : 0 },
    });
    rootId ??= spanId;
  }
  const message = ExportRequest.fromObject({
    resourceSpans: [{ resource: { attributes: [kv('service.name', options.serviceName ?? 'flood')] }, scopeSpans: [{ spans }] }],
  });
  return { body: ExportRequest.encode(message).finish(), spans: count };
}

/** Starts offering spans at the configured rate until `stop()`. */
export function startSpanFlood(options: SpanFloodOptions): SpanFlood {
  const target = new URL('/v1/traces', options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 8 });
  const concurrency = options.concurrency ?? 8;
  const perRequest = options.spansPerRequest ?? 500;
  const intervalMs = (1000 * perRequest) / options.spansPerSecond;
  const result: SpanFloodResult = { requests: 0, spansOffered: 0, spansAccepted: 0, skipped: 0, statuses: {}, elapsedMs: 0 };
  const started = performance.now();
  let inFlight = 0;
  let sequence = 0;
  let stopped = false;
  const pending = new Set<Promise<void>>();

  const send = (): Promise<void> =>
    new Promise((resolve) => {
      const { body, spans } = floodBody(options, sequence++);
      result.requests++;
      result.spansOffered += spans;
      inFlight++;
      const done = (status: string) => {
        inFlight--;
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        if (status.startsWith('2')) result.spansAccepted += spans;
        resolve();
      };
      const req = httpRequest(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length, ...options.headers } },
        (res) => {
          res.resume();
          res.on('end', () => done(String(res.statusCode)));
          res.on('error', () => done('error'));
        },
      );
      req.on('error', () => done('error'));
      req.end(body);
    });

  // Paced: request n is due at started + n * interval; when the collector is slower
  // than the pace and every slot is busy, the due requests are skipped, not queued.
  const loop = async () => {
    let next = performance.now();
    while (!stopped) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      next += intervalMs;
      if (inFlight >= concurrency) {
        result.skipped++;
        continue;
      }
      const p = send();
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
  };
  const running = loop();
  return {
    progress: () => ({ ...result, statuses: { ...result.statuses }, elapsedMs: performance.now() - started }),
    async stop() {
      stopped = true;
      await running;
      await Promise.all([...pending]);
      agent.destroy();
      return { ...result, elapsedMs: performance.now() - started };
    },
  };
}
