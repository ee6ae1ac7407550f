import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { traceMixin } from '../src/index.js';
import { useAsyncContext } from './harness.js';

useAsyncContext();
const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((id) => /[1-9a-f]/.test(id));
const spanContexts = fc.record({ traceId: hex(32), spanId: hex(16), traceFlags: fc.integer({ min: 0, max: 255 }) });

test('every valid span context gives the same IDs in all three formats', () => {
  const otel = traceMixin();
  const gcp = traceMixin({ format: 'gcp' });
  const datadog = traceMixin({ format: 'datadog' });
  fc.assert(
    fc.property(spanContexts, (spanContext) => {
      const fields = context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => ({
        otel: otel({}, 30, undefined) as Record<string, unknown>,
        gcp: gcp({}, 30, undefined) as Record<string, unknown>,
        datadog: datadog({}, 30, undefined) as { dd: { trace_id: string; span_id: string } },
      }));
      expect(fields.otel).toEqual({
        trace_id: spanContext.traceId,
        span_id: spanContext.spanId,
        trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
      });
      expect(fields.gcp['logging.googleapis.com/trace_sampled']).toBe((spanContext.traceFlags & 1) === 1);
      expect(BigInt(fields.datadog.dd.trace_id)).toBe(BigInt(`0x${spanContext.traceId}`) & 0xffffffffffffffffn);
      expect(BigInt(fields.datadog.dd.span_id)).toBe(BigInt(`0x${spanContext.spanId}`));
    }),
  );
});

test('malformed span contexts (wrong length, upper case, zero) never add trace fields and never throw', () => {
  const mixin = traceMixin({ format: 'datadog' });
  fc.assert(
    fc.property(fc.record({ traceId: fc.string(), spanId: fc.string(), traceFlags: fc.integer() }), (spanContext) => {
      fc.pre(!/^[0-9a-f]{32}$/.test(spanContext.traceId) || !/^[0-9a-f]{16}$/.test(spanContext.spanId));
      const fields = context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => mixin({}, 30, undefined));
      expect(fields).toEqual({});
    }),
  );
});
