import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BaggageSpanProcessor } from '@opentelemetry/baggage-span-processor';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTracing, useAsyncContext, withBaggage } from '@tracehop/testkit';
import { beforeEach, describe, expect, test } from 'vitest';
import { setTenant, TenantSpanProcessor } from '../src/index.js';

useAsyncContext();

function providerWith(processor: SpanProcessor) {
  const { exporter, provider } = createTracing([processor]);
  return { exporter, tracer: provider.getTracer('test'), provider };
}
const withEntries = (entries: Record<string, string>) => withBaggage(entries, ROOT_CONTEXT);

const { exporter, tracer, provider } = providerWith(new TenantSpanProcessor());
beforeEach(() => exporter.reset());

describe('TenantSpanProcessor', () => {
  test('only tenant.id becomes an attribute; other baggage never does', () => {
    const ctx = setTenant(withEntries({ evil: 'x', 'user.email': 'jane@example.org' }), 't_a');
    tracer.startSpan('op', {}, ctx).end();
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({ 'tenant.id': 't_a' });
  });

  test('every span started under the tenant carries it: root, child, and grandchild after await', async () => {
    await context.with(setTenant(ROOT_CONTEXT, 't_a'), async () => {
      await tracer.startActiveSpan('root', async (root) => {
        const child = tracer.startSpan('child');
        await new Promise((resolve) => setTimeout(resolve, 1));
        await context.with(trace.setSpan(context.active(), child), async () => tracer.startSpan('grandchild').end());
        child.end();
        root.end();
      });
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.attributes['tenant.id']])).toEqual([
      ['grandchild', 't_a'],
      ['child', 't_a'],
      ['root', 't_a'],
    ]);
  });

  test.each([["St Mary's"], ['T_A'], ['x'.repeat(65)], ['']])('an invalid tenant value %j is not copied', (value) => {
    tracer.startSpan('op', {}, withEntries({ 'tenant.id': value })).end();
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({});
  });

  test('no baggage, no attribute', () => {
    tracer.startSpan('op', {}, ROOT_CONTEXT).end();
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({});
  });

  test('implements the whole SpanProcessor lifecycle: forceFlush and shutdown resolve', async () => {
    const processor: SpanProcessor = new TenantSpanProcessor();
    await expect(processor.forceFlush()).resolves.toBeUndefined();
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    await expect(processor.shutdown()).resolves.toBeUndefined();
  });

  test("why not BaggageSpanProcessor((key) => key === 'tenant.id'): it copies a garbled value verbatim", () => {
    const plain = providerWith(new BaggageSpanProcessor((key) => key === 'tenant.id'));
    plain.tracer.startSpan('op', {}, withEntries({ 'tenant.id': "St Mary's" })).end();
    expect(plain.exporter.getFinishedSpans()[0]!.attributes).toEqual({ 'tenant.id': "St Mary's" });
  });
});
