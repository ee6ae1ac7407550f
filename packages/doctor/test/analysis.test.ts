// The verdicts on their own, on spans and log lines shaped as the exporters
// and loggers write them (the stack tests show them on real services).
import { describe, expect, it } from 'vitest';
import { analyzeAttributes } from '../src/analyze-attributes.js';
import { analyzeLogs } from '../src/analyze-logs.js';
import { analyzeTrace } from '../src/analyze-trace.js';
import { datadogTraceId, parseLogLine } from '../src/log-lines.js';
import { spansFromExportRequest } from '../src/otlp-spans.js';
import type { ProbeSent, TreeSpan } from '../src/types.js';

const probe: ProbeSent = {
  index: 1,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  parentSpanId: 'b7ad6b7169203331',
  marker: 'p1-abcd',
  spoofedTenant: 'doctor-spoof-aaaaaa',
  vendorTraceId: '11111111111111111111111111111111',
  startedMs: 1_000,
  endedMs: 1_100,
};
const span = (over: Partial<TreeSpan>): TreeSpan => ({
  service: 'bff', name: 'op', kind: 'SERVER', traceId: probe.traceId, spanId: 'a'.repeat(16), parentSpanId: probe.parentSpanId, startMs: 1_010, durationMs: 50, status: 'UNSET', ...over,
});
const kinds = (breaks: { kind: string; service: string }[]) => breaks.map((b) => `${b.kind}@${b.service}`);

describe('trace verdicts', () => {
  it('a SERVER span whose parent never arrived is an orphan', () => {
    const spans = [span({}), span({ service: 'kotlin', spanId: 'c'.repeat(16), parentSpanId: 'd'.repeat(16), startMs: 1_020, durationMs: 5 })];
    expect(kinds(analyzeTrace(probe, spans).breaks)).toEqual(['orphan-server@kotlin']);
  });

  it('a callee that starts its own trace under a CLIENT span is named, with the caller as peer', () => {
    const client = span({ kind: 'CLIENT', spanId: 'b'.repeat(16), parentSpanId: 'a'.repeat(16), startMs: 1_015, durationMs: 30 });
    const restarted = span({ service: 'kotlin', traceId: '2'.repeat(32), spanId: 'e'.repeat(16), parentSpanId: undefined, startMs: 1_020, durationMs: 5 });
    const verdict = analyzeTrace(probe, [span({}), client, restarted]);
    expect(verdict.breaks.map((b) => [b.kind, b.service, b.peer])).toEqual([['hop-new-trace', 'kotlin', 'bff']]);
    expect(verdict.hops).toContainEqual({ from: 'bff', to: 'kotlin', ok: false });
  });
});

describe('attribute verdicts', () => {
  it('tenant missing or different, marker baggage and a continued sentry-trace are named per service', () => {
    const spans = [
      span({ tenant: 'hospital_b' }),
      span({ kind: 'CLIENT', service: 'api', spanId: 'b'.repeat(16), attributes: { 'app.baggage': `tracehop.doctor.probe=${probe.marker}` } }),
    ];
    const vendor = span({ service: 'legacy', traceId: probe.vendorTraceId, spanId: 'f'.repeat(16) });
    expect(kinds(analyzeAttributes(probe, spans, [...spans, vendor], { expectTenant: 'hospital_a' }))).toEqual([
      'tenant-missing@api', 'tenant-mismatch@bff', 'baggage-leak@api', 'vendor-header-leak@legacy',
    ]);
  });
});

describe('log lines', () => {
  // pino's `time` is epoch milliseconds; smaller numbers are not read as times.
  const T = 1_795_000_000_000;
  const timed = { ...probe, startedMs: T + 1_000, endedMs: T + 1_100 };
  const scope = { traceIds: [probe.traceId], otherTraceIds: new Set<string>(), fromMs: T + 950, toMs: T + 1_350 };
  const lines = (...objects: object[]) => objects.map((o) => parseLogLine(JSON.stringify(o))!);

  it('reads the OTel, Cloud Logging and Datadog shapes', () => {
    const [otel, gcp, dd] = lines(
      { service: 'a', time: 1_000, trace_id: probe.traceId },
      { 'service.name': 'b', timestamp: '1970-01-01T00:00:01.000Z', 'logging.googleapis.com/trace': `projects/p/traces/${probe.traceId}` },
      { dd: { service: 'c', trace_id: datadogTraceId(probe.traceId) }, time: 1_000 },
    );
    expect([otel!.shapes, gcp!.shapes, dd!.shapes]).toEqual([['otel'], ['gcp'], ['datadog']]);
    expect([otel!.service, gcp!.service, dd!.service, gcp!.timeMs]).toEqual(['a', 'b', 'c', 1_000]);
    expect(datadogTraceId(probe.traceId)).toBe('9532127138774266268');
    expect(analyzeLogs(probe, scope, [otel!, gcp!, dd!], undefined).breaks).toEqual([]);
    expect(kinds(analyzeLogs(probe, scope, [otel!, gcp!, dd!], 'datadog').breaks)).toEqual(['log-unlinkable-shape@a', 'log-unlinkable-shape@b']);
  });

  it('names lines without trace fields, with a foreign trace, or carrying the marker; ignores lines outside the window', () => {
    const found = analyzeLogs(
      timed,
      scope,
      lines(
        { service: 'a', time: T + 1_050, msg: 'no trace' },
        { service: 'b', time: T + 1_050, trace_id: '3'.repeat(32) },
        { service: 'c', time: T + 1_050, trace_id: probe.traceId, baggage: probe.marker },
        { service: 'd', time: T + 5_000, msg: 'later' },
      ),
      undefined,
    );
    expect(kinds(found.breaks)).toEqual(['log-without-trace@a', 'log-foreign-trace@b', 'baggage-leak@c']);
    expect(found.lines).toBe(3);
  });
});

describe('OTLP/JSON', () => {
  it('reads enum names, int64 strings and hex IDs; skips spans with bad IDs', () => {
    const spans = spansFromExportRequest({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{ spans: [
          { traceId: probe.traceId.toUpperCase(), spanId: 'a'.repeat(16), name: 'ok', kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: '1000000000', endTimeUnixNano: '1005000000', status: { code: 'STATUS_CODE_ERROR' }, attributes: [{ key: 'tenant.id', value: { stringValue: 't' } }, { key: 'n', value: { intValue: '7' } }] },
          { traceId: '0'.repeat(32), spanId: 'a'.repeat(16), name: 'zero trace id' },
          { traceId: probe.traceId, spanId: 'xyz', name: 'bad span id' },
        ] }],
      }],
    });
    expect(spans).toEqual([
      { service: 'svc', name: 'ok', kind: 'CLIENT', traceId: probe.traceId, spanId: 'a'.repeat(16), parentSpanId: undefined, startMs: 1_000, durationMs: 5, status: 'ERROR', tenant: 't', attributes: { 'tenant.id': 't', n: 7 } },
    ]);
  });
});
