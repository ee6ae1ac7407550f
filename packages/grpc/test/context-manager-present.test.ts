// The control for no-context-manager.test.ts: with the AsyncLocalStorage
// context manager an app registers, the same calls give no warning.
import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type Observation, type RunningServer } from './harness.js';

useAsyncContext();
const telemetry = createTelemetry();
const warn = vi.fn();
const seen: Observation[] = [];
let running: RunningServer;

beforeAll(async () => {
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  running = await startServer(observingHandlers(seen), { tracerProvider: telemetry.provider });
});
afterAll(async () => {
  await running.stop();
  diag.disable();
});

test('a context manager registered: the handler sees its call trace and nothing warns', async () => {
  const client = createClient(running.address, { tracerProvider: telemetry.provider });
  const root = telemetry.provider.getTracer('test').startSpan('root');
  await context.with(trace.setSpan(context.active(), root), () => sayAsync(client, 'x'));
  root.end();
  client.close();
  expect(seen.find((observation) => observation.where === 'say:sync')?.traceId).toBe(root.spanContext().traceId);
  expect(warn).not.toHaveBeenCalled();
});
