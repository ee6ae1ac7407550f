import { createGcpLoggingPinoConfig } from '@google-cloud/pino-logging-gcp-config';
import { describe, expect, test } from 'vitest';
import { severityOf } from '../src/gcp-logger-options.js';
import { gcpLoggerOptions, traceMixin, type TraceMixinOptions } from '../src/index.js';
import { captureLogger, GOLDEN_SPAN_ID, GOLDEN_TRACE_ID, goldenProvider, inSpan, useAsyncContext } from './harness.js';

useAsyncContext();
const { provider } = goldenProvider();

const TRACE_KEYS = ['trace_id', 'span_id', 'trace_flags', 'logging.googleapis.com/trace', 'logging.googleapis.com/spanId', 'logging.googleapis.com/trace_sampled'];

function traceKeysOf(raw: string): string[] {
  // Count on the raw text: JSON.parse would hide a duplicated key.
  return TRACE_KEYS.flatMap((key) => Array.from(raw.matchAll(new RegExp(`"${key.replace(/[./]/g, '\\$&')}":`, 'g')), () => key));
}

describe('gcpLoggerOptions()', () => {
  test('severity, message, RFC 3339 time and the gcp trace fields in one line', () => {
    const { logger, lines } = captureLogger(gcpLoggerOptions({ projectId: 'hospital-prod' }));
    inSpan(provider, () => logger.warn('disk almost full'));
    expect(lines()[0]).toEqual({
      severity: 'WARNING',
      level: 40,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      'logging.googleapis.com/trace': `projects/hospital-prod/traces/${GOLDEN_TRACE_ID}`,
      'logging.googleapis.com/spanId': GOLDEN_SPAN_ID,
      'logging.googleapis.com/trace_sampled': true,
      message: 'disk almost full',
    });
  });

  test('maps every pino level the way Cloud Logging expects', () => {
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'audit'].map(severityOf)).toEqual([
      'DEBUG', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'DEFAULT',
    ]);
  });
});

describe('next to @google-cloud/pino-logging-gcp-config: exactly one set of trace fields', () => {
  // Explicit service and project ('' = bare trace ID): no async auto-detection, no diagnostic line.
  function gcpConfigLogger(mixinOptions: TraceMixinOptions, traceGoogleCloudProjectId = '') {
    return captureLogger(
      createGcpLoggingPinoConfig(
        { serviceContext: { service: 'bff' }, traceGoogleCloudProjectId, inihibitDiagnosticMessage: true },
        { mixin: traceMixin(mixinOptions) },
      ),
    );
  }

  test('otel format (what its formatter expects): renamed to the special fields once', () => {
    const { logger, raw, lines } = gcpConfigLogger({ format: 'otel' }, 'hospital-prod');
    inSpan(provider, () => logger.info('x'));
    expect(traceKeysOf(raw[0]!).sort()).toEqual(['logging.googleapis.com/spanId', 'logging.googleapis.com/trace', 'logging.googleapis.com/trace_sampled']);
    expect(lines()[0]).toMatchObject({
      severity: 'INFO',
      message: 'x',
      'logging.googleapis.com/trace': `projects/hospital-prod/traces/${GOLDEN_TRACE_ID}`,
      'logging.googleapis.com/spanId': GOLDEN_SPAN_ID,
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  test('gcp format: its formatter leaves our fields alone, still one set', () => {
    const { logger, raw, lines } = gcpConfigLogger({ format: 'gcp' });
    inSpan(provider, () => logger.info('x'));
    expect(traceKeysOf(raw[0]!).sort()).toEqual(['logging.googleapis.com/spanId', 'logging.googleapis.com/trace', 'logging.googleapis.com/trace_sampled']);
    expect(lines()[0]).toMatchObject({ 'logging.googleapis.com/trace': GOLDEN_TRACE_ID, 'logging.googleapis.com/spanId': GOLDEN_SPAN_ID });
  });

  test('otel format with renamed keys would NOT be converted (so keep the default keys with it)', () => {
    const { logger, raw } = gcpConfigLogger({ logKeys: { traceId: 'traceId' } });
    inSpan(provider, () => logger.info('x'));
    expect(raw[0]).toContain('"traceId":');
    expect(raw[0]).not.toContain('"logging.googleapis.com/trace":');
  });

  test('outside a span neither adds trace fields', () => {
    const { logger, raw } = gcpConfigLogger({ format: 'otel' });
    logger.info('x');
    expect(traceKeysOf(raw[0]!)).toEqual([]);
  });
});
