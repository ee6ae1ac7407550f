// Cloud Run's front end in front of a GraphQL Yoga service: crafted front-end
// headers over real HTTP, the real SDK with its default ParentBased sampler,
// and pino writing Cloud Logging's fields.
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { useTraceContext } from '@tracehop/envelop';
import { traceMixin } from '@tracehop/pino';
import { createTracing, listen, useAsyncContext, type HttpHandle } from '@tracehop/testkit';
import { createSchema, createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { afterAll, beforeEach, expect, test } from 'vitest';
import { cloudRunEdge, type CloudRunEdgeOptions } from '../src/index.js';

useAsyncContext();
const tracing = createTracing();
const lines: Array<Record<string, unknown>> = [];
const logger = pino({ base: undefined, mixin: traceMixin({ format: 'gcp' }) }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
const servers: HttpHandle[] = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));
beforeEach(() => {
  tracing.exporter.reset();
  lines.length = 0;
});

async function serve(options?: CloudRunEdgeOptions): Promise<string> {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { seen: String! }',
      resolvers: {
        Query: {
          seen: () => {
            logger.info('resolving');
            const baggage = propagation.getBaggage(context.active())?.getAllEntries() ?? [];
            return JSON.stringify({ traceId: trace.getSpanContext(context.active())?.traceId, baggage });
          },
        },
      },
    }),
    logging: false,
    plugins: [useTraceContext({ tracerProvider: tracing.provider, ...cloudRunEdge(options) })],
  });
  const server = await listen(yoga, '/graphql');
  servers.push(server);
  return server.url;
}

async function query(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ seen }' }) });
  const body = (await response.json()) as { data: { seen: string } };
  return JSON.parse(body.data.seen) as { traceId: string; baggage: unknown[] };
}

// What the front end sends for an unsampled request: its own span, flags 00, both headers.
const TRACE_ID = '105445aa7843bc8bf206b12000100000';
const FRONT_END_SPAN = '00f067aa0ba902b7';
const frontEnd = {
  traceparent: `00-${TRACE_ID}-${FRONT_END_SPAN}-00`,
  'x-cloud-trace-context': `${TRACE_ID}/${BigInt(`0x${FRONT_END_SPAN}`).toString()};o=0`,
  baggage: 'tenant.id=evil,k=v',
};

test("keeps the front end's trace ID, records despite its 00 flags, links its span, and drops client baggage", async () => {
  const url = await serve();
  const seen = await query(url, frontEnd);
  const [span] = tracing.spans().filter((s) => s.kind === SpanKind.SERVER);
  expect(span!.spanContext().traceId).toBe(TRACE_ID);
  expect(span!.parentSpanContext?.spanId).toBe(FRONT_END_SPAN);
  expect(span!.links).toEqual([
    expect.objectContaining({ context: expect.objectContaining({ spanId: FRONT_END_SPAN }), attributes: { 'tracehop.link.reason': 'cloud_run_front_end' } }),
  ]);
  expect(seen).toEqual({ traceId: TRACE_ID, baggage: [] });
  // The bare trace ID: Cloud Logging joins the line to the request log and the trace.
  expect(lines[0]).toMatchObject({ 'logging.googleapis.com/trace': TRACE_ID, 'logging.googleapis.com/trace_sampled': true });
});

test('X-Cloud-Trace-Context alone (decimal span ID) is read the same way', async () => {
  const url = await serve();
  const seen = await query(url, { 'x-cloud-trace-context': frontEnd['x-cloud-trace-context'] });
  const [span] = tracing.spans();
  expect(seen.traceId).toBe(TRACE_ID);
  expect(span!.parentSpanContext?.spanId).toBe(FRONT_END_SPAN);
});

test("the service's own decision, not the front end's: sample 0 records nothing yet the logs keep the trace", async () => {
  const url = await serve({ sample: 0 });
  const seen = await query(url, { ...frontEnd, traceparent: `00-${TRACE_ID}-${FRONT_END_SPAN}-01` });
  expect(tracing.spans()).toEqual([]);
  expect(seen.traceId).toBe(TRACE_ID);
  expect(lines[0]).toMatchObject({ 'logging.googleapis.com/trace': TRACE_ID, 'logging.googleapis.com/trace_sampled': false });
});

test('a ratio decides from the random part of the trace ID, the same way in every service', async () => {
  const url = await serve({ sample: 0.5 });
  const low = `${'0'.repeat(18)}${'00000000000001'}`;
  const high = `${'0'.repeat(17)}1${'ff'.repeat(7)}`;
  await query(url, { traceparent: `00-${low}-${FRONT_END_SPAN}-00` });
  await query(url, { traceparent: `00-${high}-${FRONT_END_SPAN}-00` });
  expect(tracing.spans().map((span) => span.spanContext().traceId)).toEqual([low]);
  expect(() => cloudRunEdge({ sample: 2 })).toThrow(
    new TypeError('cloudRunEdge: option "sample" must be a number from 0 to 1 or a function (traceId) => boolean, got number 2'),
  );
});

test('no front-end headers at all: a new trace, recorded', async () => {
  const url = await serve();
  const seen = await query(url, {});
  expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(tracing.spans()).toHaveLength(1);
  expect(tracing.spans()[0]!.links).toEqual([]);
});
