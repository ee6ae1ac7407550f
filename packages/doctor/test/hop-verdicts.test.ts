// Hop verdicts that say what the spans show and no more: an ambiguous hop
// names both ends, a hop skipped by forwarding headers names the forwarder,
// stacked server spans are a break, consequences are marked with their cause,
// and a BFF with no GraphQL tracing gets one verdict, not two contradictory ones.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { breakKinds, consequenceKinds, diagnoseStack } from './fixtures/stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const each = <T>(value: T) => [value, value, value];

it('a BFF whose gRPC client sends only B3 headers: the hop is the break, both ends and both causes named', async () => {
  const b3 = new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
  const { report, text } = await diagnoseStack({ bff: { graphql: 'tracehop', grpcPropagator: b3 } }, cleanups);
  expect(breakKinds(report), text).toEqual(each(['hop-new-trace@node-backend']));
  for (const probe of report.probes) {
    const [hop] = probe.breaks;
    expect(hop!.suspects).toEqual(['bff', 'node-backend']);
    expect(hop!.message).toMatch(/bff's client sent no W3C traceparent/);
    expect(hop!.message).toMatch(/node-backend does not extract/);
  }
  expect(text).toContain('hop-new-trace [bff → node-backend]');
}, 60_000);

it("a BFF that copies the client's traceparent and baggage into gRPC metadata by hand: the skipped hop is named at the BFF", async () => {
  const bff = { graphql: 'tracehop' as const, grpcTracing: false, forwardHeaders: ['traceparent', 'baggage'] };
  const { report, text } = await diagnoseStack({ bff, doctor: { expectTenant: 'hospital_a' } }, cleanups);
  expect(breakKinds(report), text).toEqual(each(['hop-skipped@bff']));
  for (const probe of report.probes) expect(probe.breaks[0]!.peer).toBe('node-backend');
  // The backend believed the client's tenant because the BFF forwarded it: a consequence, not a second break.
  for (const consequences of consequenceKinds(report)) {
    // Once on its spans, once in its log lines.
    expect(consequences, text).toEqual(Array(2).fill('tenant-from-client@node-backend <- hop-skipped@bff'));
  }
}, 60_000);

it('a BFF with no tracing at all that copies the headers into gRPC metadata: the skipped hop is named at the probed entry', async () => {
  const bff = { graphql: 'none' as const, grpcTracing: false, forwardHeaders: ['traceparent', 'baggage'] };
  const { report, text } = await diagnoseStack({ bff, doctor: { expectTenant: 'hospital_a' } }, cleanups);
  // Its log lines (no span, no trace) are what names the BFF.
  expect(breakKinds(report), text).toEqual(each(['hop-skipped@(entry)', 'log-without-trace@bff']));
  for (const probe of report.probes) expect(probe.breaks.find((b) => b.kind === 'hop-skipped')!.peer).toBe('node-backend');
  expect(consequenceKinds(report), text).toEqual(each(Array(2).fill('tenant-from-client@node-backend <- hop-skipped@(entry)')));
}, 60_000);

it("tracehop's GraphQL plugin registered twice: two SERVER spans for one request are a break", async () => {
  const { report, text } = await diagnoseStack({ bff: { graphql: 'tracehop-twice' } }, cleanups);
  expect(breakKinds(report), text).toEqual(each(['duplicate-span@bff']));
}, 60_000);

it('no GraphQL plugin at all: one verdict at the entry, not no-spans and hop-new-trace together', async () => {
  const { report, text } = await diagnoseStack({ bff: { graphql: 'none' } }, cleanups);
  expect(breakKinds(report), text).toEqual(each(['entry-new-trace@bff']));
  // With no span for the request, its resolvers log without a trace: that follows from the same break.
  expect(consequenceKinds(report), text).toEqual(each(['log-without-trace@bff <- entry-new-trace@bff']));
}, 60_000);

it("a break at the BFF: the backend's missing tenant and log lines naming its own trace are consequences, not breaks", async () => {
  const stack = { bff: { graphql: 'tracehop' as const, grpcTracing: false }, doctor: { expectTenant: 'hospital_a' } };
  const { report, text } = await diagnoseStack(stack, cleanups);
  expect(breakKinds(report), text).toEqual(each(['hop-new-trace@bff']));
  const consequences = ['log-foreign-trace@node-backend <- hop-new-trace@bff', 'tenant-missing@node-backend <- hop-new-trace@bff'];
  expect(consequenceKinds(report), text).toEqual(each(consequences));
  expect(report.ok).toBe(false);
  expect(text).toMatch(/✗ 3 break\(s\) in 3 probe\(s\), 6 consequence\(s\) marked "caused by" \(exit 1\)/);
}, 60_000);
