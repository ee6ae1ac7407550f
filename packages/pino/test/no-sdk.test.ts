// Only @opentelemetry/api and a context manager: no tracer provider, no propagator registered.
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { compileTrustPolicy, headersGetter } from '@tracehop/core';
import { expect, test } from 'vitest';
import { traceMixin } from '../src/index.js';
import { captureLogger, GOLDEN_SPAN_ID, GOLDEN_TRACE_ID, useAsyncContext } from './harness.js';

useAsyncContext();
const remote = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: GOLDEN_TRACE_ID,
  spanId: GOLDEN_SPAN_ID,
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});

test('a remote span context set with trace.setSpanContext yields IDs with no SDK', () => {
  const { logger, raw } = captureLogger({ mixin: traceMixin({ format: 'datadog' }) });
  context.with(remote, () => logger.info('x'));
  expect(raw).toEqual(['{"level":30,"dd":{"trace_id":"9532127138774266268","span_id":"13235353014750950193"},"msg":"x"}']);
});

test('a span started on the no-op provider keeps the remote IDs, after await too', async () => {
  const { logger, lines } = captureLogger({ mixin: traceMixin() });
  await context.with(remote, async () => {
    const span = trace.getTracer('no-sdk').startSpan('work');
    await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('after await');
    });
  });
  expect(lines()[0]).toMatchObject({ trace_id: GOLDEN_TRACE_ID, span_id: GOLDEN_SPAN_ID, trace_flags: '01' });
});

test('inbound headers extracted by core with no propagator registered reach the line', () => {
  const policy = compileTrustPolicy({}, { acceptBaggage: true });
  const headers = { traceparent: `00-${GOLDEN_TRACE_ID}-${GOLDEN_SPAN_ID}-01`, baggage: 'tenant.id=t_a' };
  const inbound = policy.continueTrace(ROOT_CONTEXT, headers, headersGetter, undefined);
  const { logger, raw } = captureLogger({ mixin: traceMixin({ format: 'gcp', baggageKeys: ['tenant.id'] }) });
  context.with(inbound.context, () => logger.info('x'));
  expect(raw).toEqual([
    '{"level":30,"tenant.id":"t_a","logging.googleapis.com/trace":"0af7651916cd43dd8448eb211c80319c","logging.googleapis.com/spanId":"b7ad6b7169203331","logging.googleapis.com/trace_sampled":true,"msg":"x"}',
  ]);
});
