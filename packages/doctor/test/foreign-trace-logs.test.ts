// A log line naming a trace other than its own request's is a break at the
// service that wrote it: the classic cause is a pino child bound to one
// request's trace and cached at module scope.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { AUTH, QUERY, breakKinds, diagnoseStack } from './fixtures/stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("the doctor as first traffic: from the second probe on, the backend's lines name the first probe's trace", async () => {
  const { report, text } = await diagnoseStack({ backend: 'cached-logger' }, cleanups);
  expect(breakKinds(report), text).toEqual([[], ['log-foreign-trace@node-backend'], ['log-foreign-trace@node-backend']]);
  const first = report.probes[0]!.traceId;
  for (const probe of report.probes.slice(1)) expect(probe.breaks[0]!.message).toContain(`probe 1's trace ${first}`);
}, 60_000);

it('earlier traffic: every probe gets lines naming a trace from before the probe', async () => {
  const before = async (url: string) => {
    const headers = { 'content-type': 'application/json', ...AUTH };
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: QUERY }) });
    await response.arrayBuffer();
  };
  const { report, text } = await diagnoseStack({ backend: 'cached-logger', before }, cleanups);
  const foreign = ['log-foreign-trace@node-backend'];
  expect(breakKinds(report), text).toEqual([foreign, foreign, foreign]);
}, 60_000);
