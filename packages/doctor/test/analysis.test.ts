// The verdicts on their own, on spans and log lines shaped as the exporters
// and loggers write them (the stack tests show them on real services).
import { describe, expect, it } from 'vitest';
import { traceIdToDatadog } from '@tracehop/core';
import { judgeAttributes } from '../src/analyze-attributes.js';
import { judgeLogs, type RequestTraces } from '../src/analyze-logs.js';
import { judgeSpans } from '../src/judge-probe.js';
import { parseLogLine } from '../src/log-lines.js';
import { spansFromExportRequest } from '../src/otlp-spans.js';
import { assignSpans } from '../src/probe-spans.js';
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
const noSkew = new Map<string, number>();
const spansOf = (spans: TreeSpan[]) => assignSpans([probe], spans, noSkew).probes[0]!;
const judge = (spans: TreeSpan[]) => judgeSpans(spansOf(spans), noSkew, undefined, 'waited');

describe('trace verdicts', () => {
  it('a SERVER span whose parent never arrived is an orphan', () => {
    const spans = [span({}), span({ service: 'kotlin', spanId: 'c'.repeat(16), parentSpanId: 'd'.repeat(16), startMs: 1_020, durationMs: 5 })];
    expect(kinds(judge(spans).spanBreaks)).toEqual(['orphan-server@kotlin']);
  });

  it('a callee that starts its own trace under a CLIENT span: the hop, both ends suspected, the callee linking to the caller: the callee', () => {
    const client = span({ kind: 'CLIENT', spanId: 'b'.repeat(16), parentSpanId: 'a'.repeat(16), startMs: 1_015, durationMs: 30 });
    const restarted = span({ service: 'kotlin', traceId: '2'.repeat(32), spanId: 'e'.repeat(16), parentSpanId: undefined, startMs: 1_020, durationMs: 5 });
    const verdict = judge([span({}), client, restarted]);
    expect(verdict.spanBreaks.map((b) => [b.kind, b.service, b.peer, b.suspects])).toEqual([['hop-new-trace', 'kotlin', 'bff', ['bff', 'kotlin']]]);
    expect(verdict.result.hops).toContainEqual({ from: 'bff', to: 'kotlin', ok: false });
    const linked = judge([span({}), client, { ...restarted, links: [{ traceId: probe.traceId, spanId: client.spanId }] }]);
    expect(linked.spanBreaks.map((b) => [b.kind, b.service, b.suspects])).toEqual([['hop-new-trace', 'kotlin', undefined]]);
    expect(linked.spanBreaks[0]!.message).toMatch(/its trust policy does not trust bff/);
  });
});

describe('traces of other traffic', () => {
  it('a trace whose root never came is not judged with the probe: counted, and waited for', () => {
    const partial = span({ service: 'busy', traceId: '4'.repeat(32), spanId: 'f'.repeat(16), parentSpanId: '5'.repeat(16) });
    const assignment = assignSpans([probe], [span({}), partial], noSkew);
    expect(assignment.probes[0]!.traced).not.toContain(partial);
    expect(assignment.rootless).toEqual([partial]);
    expect([...assignment.unclaimed]).toEqual([['busy', 1]]);
    expect(judge([span({}), partial]).spanBreaks).toEqual([]);
  });
});

describe('calls', () => {
  const server = span({});
  const call = span({ kind: 'CLIENT', spanId: 'b'.repeat(16), parentSpanId: server.spanId, startMs: 1_015, durationMs: 30 });

  it('a call answered by a span of the callee of another kind than SERVER is a hop, not a break', () => {
    const answer = span({ service: 'kotlin', kind: 'INTERNAL', spanId: 'c'.repeat(16), parentSpanId: call.spanId, startMs: 1_020, durationMs: 5 });
    const verdict = judge([server, call, answer]);
    expect(verdict.spanBreaks).toEqual([]);
    expect(verdict.result.hops).toContainEqual({ from: 'bff', to: 'kotlin', ok: true });
  });

  it('database and messaging clients expect no SERVER span', () => {
    const db = { ...call, attributes: { 'db.system.name': 'postgresql', 'server.address': 'db', 'server.port': 5432 } };
    expect(judge([server, db]).spanBreaks).toEqual([]);
    expect(kinds(judge([server, { ...call, attributes: { 'server.address': 'api', 'server.port': 443 } }]).spanBreaks)).toEqual([
      'client-without-server@api:443',
    ]);
  });

  it("a CLIENT span starting a new trace while the probe ran: context is lost inside that service", () => {
    const lost = span({ kind: 'CLIENT', traceId: '3'.repeat(32), spanId: 'd'.repeat(16), parentSpanId: undefined, startMs: 1_030, durationMs: 5 });
    const answer = span({ service: 'kotlin', traceId: lost.traceId, spanId: 'e'.repeat(16), parentSpanId: lost.spanId, startMs: 1_031, durationMs: 2 });
    const verdict = judge([server, lost, answer]);
    expect(kinds(verdict.spanBreaks)).toEqual(['hop-new-trace@bff']);
    expect(verdict.spanBreaks[0]!.message).toMatch(/outside the request's context .*context is lost inside bff/);
  });
});

describe('attribute verdicts', () => {
  it('tenant missing or different, marker baggage and a continued sentry-trace are named per service', () => {
    const spans = [
      span({ tenant: 'hospital_b' }),
      span({ kind: 'CLIENT', service: 'api', spanId: 'b'.repeat(16), attributes: { 'app.baggage': `tracehop.doctor.probe=${probe.marker}` } }),
    ];
    const vendor = span({ service: 'legacy', traceId: probe.vendorTraceId, spanId: 'f'.repeat(16) });
    expect(kinds(judgeAttributes(spansOf([...spans, vendor]), 'hospital_a'))).toEqual([
      'tenant-missing@api', 'tenant-mismatch@bff', 'baggage-leak@api', 'vendor-header-leak@legacy',
    ]);
  });
});

describe('log lines', () => {
  // pino's `time` is epoch milliseconds; smaller numbers are not read as times.
  const T = 1_795_000_000_000;
  const timed = { ...probe, startedMs: T + 1_000, endedMs: T + 1_100 };
  const traces = (p: ProbeSent): RequestTraces[] => [{ probe: p, request: [p.traceId], restarted: [] }];
  const lines = (...objects: object[]) => objects.map((o) => parseLogLine(JSON.stringify(o))!);

  it('reads the OTel, Cloud Logging and Datadog shapes', () => {
    const [otel, gcp, dd] = lines(
      { service: 'a', time: 1_000, trace_id: probe.traceId },
      { 'service.name': 'b', timestamp: '1970-01-01T00:00:01.000Z', 'logging.googleapis.com/trace': `projects/p/traces/${probe.traceId}` },
      { dd: { service: 'c', trace_id: traceIdToDatadog(probe.traceId) }, time: 1_000 },
    );
    expect([otel!.shapes, gcp!.shapes, dd!.shapes]).toEqual([['otel'], ['gcp'], ['datadog']]);
    expect([otel!.service, gcp!.service, dd!.service, gcp!.timeMs]).toEqual(['a', 'b', 'c', 1_000]);
    expect(traceIdToDatadog(probe.traceId)).toBe('9532127138774266268');
    expect(judgeLogs(traces(probe), [otel!, gcp!, dd!], noSkew).probes[0]!.breaks).toEqual([]);
    expect(kinds(judgeLogs(traces(probe), [otel!, gcp!, dd!], noSkew, 'datadog').probes[0]!.breaks)).toEqual([
      'log-unlinkable-shape@a',
      'log-unlinkable-shape@b',
    ]);
  });

  it('names lines without trace fields, with a foreign trace, or carrying the marker; counts lines outside the window', () => {
    const found = judgeLogs(
      traces(timed),
      lines(
        { service: 'a', time: T + 1_050, msg: 'no trace' },
        { service: 'b', time: T + 1_050, trace_id: '3'.repeat(32) },
        { service: 'c', time: T + 1_050, trace_id: probe.traceId, baggage: probe.marker },
        { service: 'd', time: T + 5_000, msg: 'later' },
        { service: 'e', time: T, msg: 'earlier' },
      ),
      noSkew,
    );
    expect(kinds(found.probes[0]!.breaks)).toEqual(['log-without-trace@a', 'log-foreign-trace@b', 'baggage-leak@c']);
    expect(found.probes[0]!.breaks[1]!.message).toMatch(/from before the probe: a logger bound to an earlier request is reused/);
    const vendor = judgeLogs(traces(timed), lines({ service: 'v', time: T + 1_050, trace_id: timed.vendorTraceId }), noSkew);
    expect(vendor.probes[0]!.breaks[0]!.message).toMatch(/sentry-trace header .*: the vendor header was continued/);
    expect(found.probes[0]!.lines).toBe(3);
    expect([...found.unclaimed]).toEqual([['d', 1]]);
    expect(found.earlier).toBe(1);
  });

  it('reads the service from --log-service-field (a dotted path), or from the file (SERVICE=FILE)', () => {
    const text = JSON.stringify({ serviceContext: { service: 'kotlin-backend' }, resource: { labels: { app: 'api' } }, service: 'x' });
    expect(parseLogLine(text)!.service).toBe('x');
    expect(parseLogLine(text, { serviceField: 'resource.labels.app' })!.service).toBe('api');
    expect(parseLogLine(text, { service: 'named-by-file' })!.service).toBe('named-by-file');
    expect(parseLogLine(JSON.stringify({ serviceContext: { service: 'kotlin-backend' } }))!.service).toBe('kotlin-backend');
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
