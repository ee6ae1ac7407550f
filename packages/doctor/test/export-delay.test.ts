// Services on the OpenTelemetry SDK's batch export (a 5 s schedule delay by
// default, 10 s when a team raises it) are judged only once their spans could
// have arrived: default flags never blame them, and a callee that never
// exports is named after the wait, with how long it was and who stayed silent.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { breakKinds, diagnoseStack } from './fixtures/stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('default flags on batch exporters', () => {
  it("a backend on the SDK's default BatchSpanProcessor (5 s): every probe passes", async () => {
    const { report, text } = await diagnoseStack({ backendExport: 'sdk-default', doctor: { expectTenant: 'hospital_a' } }, cleanups);
    expect(breakKinds(report), text).toEqual([[], [], []]);
    expect(report.ok).toBe(true);
    for (const probe of report.probes) expect(probe.hops).toContainEqual({ from: 'bff', to: 'node-backend', ok: true });
    expect(report.wait?.complete, text).toBe(true);
    expect(report.wait?.exportDelayMs).toBe(5_000);
  }, 60_000);

  it('a BFF with a 10 s batch delay in front of a backend on the default: every probe passes', async () => {
    const { report, text } = await diagnoseStack({ bffExport: 10_000, backendExport: 'sdk-default' }, cleanups);
    expect(breakKinds(report), text).toEqual([[], [], []]);
    // The BFF's spans came about 10 s after the probes: the wait grew to what it saw.
    expect(report.wait?.longestDelaySeenMs ?? 0, text).toBeGreaterThan(8_000);
    expect(report.wait?.waitedMs ?? 0).toBeGreaterThan(8_000);
  }, 60_000);

  it('a backend batching every 10 s behind a BFF that sends no traceparent: its log lines announce its new trace, which is waited for', async () => {
    const stack = { bff: { graphql: 'tracehop' as const, grpcTracing: false }, backendExport: 10_000, doctor: { expectTenant: 'hospital_a' } };
    const { report, text } = await diagnoseStack(stack, cleanups);
    expect(breakKinds(report), text).toEqual([['hop-new-trace@bff'], ['hop-new-trace@bff'], ['hop-new-trace@bff']]);
    expect(report.wait.complete, text).toBe(true);
    expect(report.wait.waitedMs).toBeGreaterThan(8_000);
  }, 60_000);

  it('a callee that never exports is named only after the wait, which the report states with the silent service', async () => {
    const { report, text } = await diagnoseStack({ backend: 'bare', doctor: { probes: 1 } }, cleanups);
    const [kinds] = breakKinds(report);
    const callee = kinds!.find((k) => k.startsWith('client-without-server@'))?.split('@')[1];
    expect(callee, text).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(report.wait?.complete).toBe(false);
    expect(report.wait?.silent.join('\n')).toContain(callee);
    expect(report.wait?.waitedMs ?? 0).toBeGreaterThanOrEqual(15_000);
    expect(text).toMatch(/waited 1[5-9]\.\d s for spans/);
  }, 60_000);
});
