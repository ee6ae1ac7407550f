import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, test } from 'vitest';
import { traceMixin, type TraceMixinOptions } from '../src/index.js';
import { captureLogger, goldenProvider, inSpan, useAsyncContext } from './harness.js';

useAsyncContext();
const { provider } = goldenProvider();

function goldenLine(options: TraceMixinOptions): string {
  const { logger, raw } = captureLogger({ mixin: traceMixin(options) });
  inSpan(provider, () => logger.info('hello'));
  expect(raw).toHaveLength(1);
  return raw[0]!;
}

describe('golden lines inside a real SDK span', () => {
  test('otel: trace_id, span_id and two-hex-digit trace_flags', () => {
    expect(goldenLine({})).toBe(
      '{"level":30,"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","trace_flags":"01","msg":"hello"}',
    );
  });

  test('otel with renamed keys', () => {
    expect(goldenLine({ format: 'otel', logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' } })).toBe(
      '{"level":30,"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","traceFlags":"01","msg":"hello"}',
    );
  });

  test('gcp: bare trace ID, span ID, boolean trace_sampled', () => {
    expect(goldenLine({ format: 'gcp' })).toBe(
      '{"level":30,"logging.googleapis.com/trace":"0af7651916cd43dd8448eb211c80319c","logging.googleapis.com/spanId":"b7ad6b7169203331","logging.googleapis.com/trace_sampled":true,"msg":"hello"}',
    );
  });

  test('gcp with a project: the projects/<id>/traces/<trace> resource name', () => {
    expect(goldenLine({ format: 'gcp', projectId: 'hospital-prod' })).toBe(
      '{"level":30,"logging.googleapis.com/trace":"projects/hospital-prod/traces/0af7651916cd43dd8448eb211c80319c","logging.googleapis.com/spanId":"b7ad6b7169203331","logging.googleapis.com/trace_sampled":true,"msg":"hello"}',
    );
  });

  test('datadog: unsigned 64-bit decimals of the low halves (the golden vector)', () => {
    expect(goldenLine({ format: 'datadog' })).toBe(
      '{"level":30,"dd":{"trace_id":"9532127138774266268","span_id":"13235353014750950193"},"msg":"hello"}',
    );
  });

  test('datadog with service, env and version', () => {
    expect(goldenLine({ format: 'datadog', service: 'bff', env: 'prod', version: '1.2.3' })).toBe(
      '{"level":30,"dd":{"trace_id":"9532127138774266268","span_id":"13235353014750950193","service":"bff","env":"prod","version":"1.2.3"},"msg":"hello"}',
    );
  });

  test('datadog keeps converting correctly when the span changes (the cache is per ID)', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin({ format: 'datadog' }) });
    const remote = (traceId: string, spanId: string) =>
      trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    context.with(remote('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), () => logger.info('a'));
    context.with(remote('00000000000000000000000000000001', '0000000000000002'), () => logger.info('b'));
    context.with(remote('0af7651916cd43dd8448eb211c80319c', 'ffffffffffffffff'), () => logger.info('c'));
    expect(lines().map((line) => line.dd)).toEqual([
      { trace_id: '9532127138774266268', span_id: '13235353014750950193' },
      { trace_id: '1', span_id: '2' },
      { trace_id: '9532127138774266268', span_id: '18446744073709551615' },
    ]);
  });

  test('an unsampled span: otel flags "00", gcp trace_sampled false', () => {
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    const otel = captureLogger({ mixin: traceMixin() });
    const gcp = captureLogger({ mixin: traceMixin({ format: 'gcp' }) });
    context.with(unsampled, () => {
      otel.logger.info('x');
      gcp.logger.info('x');
    });
    expect(otel.lines()[0]).toMatchObject({ trace_flags: '00' });
    expect(gcp.lines()[0]).toMatchObject({ 'logging.googleapis.com/trace_sampled': false });
  });
});

describe('no trace fields outside a valid span', () => {
  const formats: TraceMixinOptions[] = [{ format: 'otel' }, { format: 'gcp', projectId: 'p' }, { format: 'datadog', service: 'bff' }];

  test.each(formats)('$format: nothing outside any span', (options) => {
    const { logger, raw } = captureLogger({ mixin: traceMixin(options) });
    logger.info('hello');
    expect(raw).toEqual(['{"level":30,"msg":"hello"}']);
  });

  test.each(formats)('$format: nothing for an all-zero (invalid) span context', (options) => {
    const { logger, raw } = captureLogger({ mixin: traceMixin(options) });
    const invalid = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '00000000000000000000000000000000',
      spanId: '0000000000000000',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(invalid, () => logger.info('hello'));
    expect(raw).toEqual(['{"level":30,"msg":"hello"}']);
  });

  test.each(formats)('$format: a valid span, then an invalid one, then the valid one again: fields only for the valid one', (options) => {
    const { logger, lines } = captureLogger({ mixin: traceMixin(options) });
    const valid = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    const invalid = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'not-hex', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    context.with(valid, () => logger.info('one'));
    context.with(invalid, () => logger.info('two'));
    context.with(valid, () => logger.info('three'));
    const [one, two, three] = lines();
    expect(Object.keys(two!)).toEqual(['level', 'msg']);
    expect(Object.keys(one!).length).toBeGreaterThan(2);
    expect(three).toEqual({ ...one, msg: 'three' });
  });

  test('after the span ends and its context is left, lines carry no trace fields again', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin() });
    inSpan(provider, () => logger.info('inside'));
    logger.info('after');
    expect(lines()[0]).toHaveProperty('trace_id');
    expect(lines()[1]).not.toHaveProperty('trace_id');
  });

  test('an unknown format is a programmer error, reported at factory time', () => {
    expect(() => traceMixin({ format: 'splunk' as never })).toThrow(TypeError);
  });
});

test('options are keyed on format: an option of another format is a type error (pnpm typecheck) and a TypeError', () => {
  // @ts-expect-error projectId belongs to the gcp format
  expect(() => traceMixin({ format: 'otel', projectId: 'p' })).toThrow(
    new TypeError('traceMixin: option "projectId" applies only to format "gcp", got format "otel"'),
  );
  // @ts-expect-error service belongs to the datadog format
  expect(() => traceMixin({ format: 'gcp', service: 'bff' })).toThrow(/option "service" applies only to format "datadog"/);
  // @ts-expect-error logKeys belong to the otel format
  expect(() => traceMixin({ format: 'datadog', logKeys: { traceId: 'traceId' } })).toThrow(/option "logKeys" applies only to format "otel"/);
  // @ts-expect-error projectId without a format: the default, otel
  expect(() => traceMixin({ projectId: 'p' })).toThrow(/got format "otel"/);
});
