import { context, diag, DiagLogLevel } from '@opentelemetry/api';
import { describe, expect, test, vi } from 'vitest';
import { traceMixin } from '../src/index.js';
import { captureLogger, GOLDEN_SPAN_ID, GOLDEN_TRACE_ID, goldenProvider, inSpan, useAsyncContext, withBaggage } from './harness.js';

useAsyncContext();
const { provider } = goldenProvider();

describe('how pino calls the mixin', () => {
  test('a disabled level never calls the mixin', () => {
    const mixin = vi.fn(traceMixin());
    const { logger, raw } = captureLogger({ level: 'info', mixin });
    inSpan(provider, () => {
      for (let i = 0; i < 1000; i++) logger.debug('not written');
    });
    expect(mixin).not.toHaveBeenCalled();
    expect(raw).toEqual([]);
  });

  test('returns a fresh object on every call, so call-site fields never leak to the next line', () => {
    const mixin = traceMixin({ baggageKeys: ['tenant.id'] });
    const { logger, lines } = captureLogger({ mixin });
    const first = mixin({}, 30, undefined);
    expect(mixin({}, 30, undefined)).not.toBe(first);
    inSpan(provider, () => {
      logger.info({ a: 1 }, 'with a');
      logger.info('without a');
    });
    expect(lines()[0]).toMatchObject({ a: 1 });
    expect(lines()[1]).not.toHaveProperty('a');
  });

  test('child loggers inherit the mixin', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin() });
    inSpan(provider, () => logger.child({ module: 'db' }).warn('slow'));
    expect(lines()[0]).toMatchObject({ module: 'db', trace_id: GOLDEN_TRACE_ID, span_id: GOLDEN_SPAN_ID });
  });
});

describe('composing with fields from elsewhere', () => {
  test("a user's own mixin is merged over ours; call-site fields win over both", () => {
    const { logger, lines } = captureLogger({
      mixin: traceMixin({ mixin: (_obj, level) => ({ region: 'eu', level_seen: level, trace_flags: 'user' }) }),
    });
    inSpan(provider, () => {
      logger.info('one');
      logger.info({ region: 'us' }, 'two');
    });
    expect(lines()[0]).toMatchObject({ trace_id: GOLDEN_TRACE_ID, region: 'eu', level_seen: 30, trace_flags: 'user' });
    expect(lines()[1]).toMatchObject({ trace_id: GOLDEN_TRACE_ID, region: 'us' });
  });

  test("a throwing user mixin never fails the line: tracehop's fields are written, and diag warns", () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
    try {
      const { logger, lines } = captureLogger({
        mixin: traceMixin({
          mixin: () => {
            throw new Error('no request id');
          },
        }),
      });
      inSpan(provider, () => logger.info('still written'));
      expect(lines()).toEqual([expect.objectContaining({ msg: 'still written', trace_id: GOLDEN_TRACE_ID, span_id: GOLDEN_SPAN_ID })]);
      expect(warn).toHaveBeenCalledWith("tracehop: your pino mixin threw; the line is written with tracehop's fields only (no request id)");
    } finally {
      diag.disable();
    }
  });

  test("the user's mixin receives pino's merge object, level and logger", () => {
    const seen = vi.fn(() => ({}));
    const { logger } = captureLogger({ mixin: traceMixin({ mixin: seen }) });
    logger.error({ x: 1 }, 'boom');
    expect(seen).toHaveBeenCalledWith({ x: 1 }, 50, logger);
  });
});

describe('allow-listed baggage keys', () => {
  const tenantBaggage = () => withBaggage({ 'tenant.id': 't_a', 'user.email': 'someone@example.org', other: 'x' });

  test('only listed keys become fields, under the key itself by default', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin({ baggageKeys: ['tenant.id'] }) });
    context.with(tenantBaggage(), () => inSpan(provider, () => logger.info('x')));
    expect(lines()[0]).toEqual({ level: 30, 'tenant.id': 't_a', trace_id: GOLDEN_TRACE_ID, span_id: GOLDEN_SPAN_ID, trace_flags: '01', msg: 'x' });
  });

  test('an object maps baggage keys to field names', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin({ format: 'gcp', baggageKeys: { 'tenant.id': 'tenant_id' } }) });
    context.with(tenantBaggage(), () => inSpan(provider, () => logger.info('x')));
    expect(lines()[0]).toMatchObject({ tenant_id: 't_a' });
    expect(lines()[0]).not.toHaveProperty('tenant.id');
  });

  test('outside a span the baggage fields are still written, the trace fields are not', () => {
    const { logger, raw } = captureLogger({ mixin: traceMixin({ baggageKeys: ['tenant.id'] }) });
    context.with(tenantBaggage(), () => logger.info('x'));
    expect(raw).toEqual(['{"level":30,"tenant.id":"t_a","msg":"x"}']);
  });

  test('no baggage keys listed: no baggage field at all', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin() });
    context.with(tenantBaggage(), () => logger.info('x'));
    expect(lines()[0]).toEqual({ level: 30, msg: 'x' });
  });

  test('oversized values are left out whole, never cut', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin({ baggageKeys: ['tenant.id', 'a'], maxBaggageValueLength: 8 }) });
    context.with(withBaggage({ 'tenant.id': 't'.repeat(9), a: '12345678' }), () => logger.info('x'));
    expect(lines()[0]).toEqual({ level: 30, a: '12345678', msg: 'x' });
  });

  test('a baggage key named like a trace field cannot overwrite the trace field', () => {
    const { logger, lines } = captureLogger({ mixin: traceMixin({ baggageKeys: ['trace_id'] }) });
    context.with(withBaggage({ trace_id: 'spoofed' }), () => inSpan(provider, () => logger.info('x')));
    expect(lines()[0]).toMatchObject({ trace_id: GOLDEN_TRACE_ID });
  });
});
