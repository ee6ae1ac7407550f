// The harness's parsers against lines shaped exactly like agent 2.31.1's and the fixture's output,
// and the Cloud Logging entry check the suites apply to Kotlin and Node lines.
import { describe, expect, it } from 'vitest';
import {
  GCP_SPAN_ID_KEY,
  GCP_TRACE_KEY,
  GCP_TRACE_SAMPLED_KEY,
  cloudLoggingEntryProblems,
  isLoggedSpanLine,
  isSpanLine,
  parseLogLine,
  parseLoggedSpanLine,
  parseSpanLine,
  spanIdOf,
  traceIdOf,
} from '../src/index.js';

const spanLine = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kotlin-backend' } }] },
      scopeSpans: [
        {
          scope: { name: 'io.opentelemetry.grpc-1.6', version: '2.31.1-alpha', attributes: [] },
          spans: [
            {
              traceId: 'dda324d455d6221b14f317361789bd94',
              spanId: 'befed8152e6aae27',
              parentSpanId: '4503391d68831f19',
              name: 'tracehop.fixture.Echo/Say',
              kind: 2,
              attributes: [
                { key: 'rpc.system', value: { stringValue: 'grpc' } },
                { key: 'server.port', value: { intValue: '41063' } },
                { key: 'tenant.id', value: { stringValue: 't_b' } },
                { key: 'ok', value: { boolValue: true } },
                { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
              ],
              status: {},
              flags: 771,
            },
            { traceId: 'dda324d455d6221b14f317361789bd94', spanId: '4503391d68831f19', name: 'root', kind: 3, status: { code: 2, message: 'boom' } },
          ],
        },
      ],
    },
  ],
});

describe('parseSpanLine', () => {
  it('flattens resourceSpans into spans with plain attributes and the service name', () => {
    expect(isSpanLine(spanLine)).toBe(true);
    const [server, root] = parseSpanLine(spanLine);
    expect(server).toEqual({
      traceId: 'dda324d455d6221b14f317361789bd94',
      spanId: 'befed8152e6aae27',
      parentSpanId: '4503391d68831f19',
      name: 'tracehop.fixture.Echo/Say',
      kind: 2,
      attributes: { 'rpc.system': 'grpc', 'server.port': 41063, 'tenant.id': 't_b', ok: true, list: ['a', 2] },
      serviceName: 'kotlin-backend',
      scope: 'io.opentelemetry.grpc-1.6',
      status: { code: 0 },
      flags: 771,
    });
    expect(root!.parentSpanId).toBeUndefined();
    expect(root!.status).toEqual({ code: 2, message: 'boom' });
  });

  it('does not take app output for spans', () => {
    expect(isSpanLine('LISTENING 4242')).toBe(false);
    expect(isSpanLine('REPLY {"resourceSpans":[]}')).toBe(false);
  });
});

describe('parseLoggedSpanLine', () => {
  // The shape agent 2.31.1 prints for `otel.traces.exporter=logging-otlp` (one ResourceSpans, no wrapper).
  const resourceSpans = JSON.stringify((JSON.parse(spanLine) as { resourceSpans: unknown[] }).resourceSpans[0]);
  const logged = `[otel.javaagent 2026-12-07 19:40:07:443 +0000] [BatchSpanProcessor_WorkerThread-1] INFO io.opentelemetry.exporter.logging.otlp.OtlpJsonLoggingSpanExporter - ${resourceSpans}`;

  it('reads the same spans from the agent logger line on stderr', () => {
    expect(isLoggedSpanLine(logged)).toBe(true);
    expect(parseLoggedSpanLine(logged)).toEqual(parseSpanLine(spanLine));
  });

  it('leaves the agent\'s other lines alone', () => {
    expect(isLoggedSpanLine('[otel.javaagent 2026-12-07 19:39:55:623 +0000] [main] INFO io.opentelemetry.javaagent.tooling.VersionLogger - opentelemetry-javaagent - version: 2.31.1')).toBe(false);
    expect(isLoggedSpanLine(`WARN something - ${resourceSpans}`)).toBe(false);
  });
});

// Lines exactly as the fixture wrote them (agent 2.31.1, logback.xml), server side of a Say call.
const sayLine =
  '{"time":"2026-12-07T19:40:12.287401210Z","severity":"INFO","message":"Say","logging.googleapis.com/trace":"50204a3f602d4d92bf109a440b1a5d35","logging.googleapis.com/spanId":"e40b3404d585efef","logging.googleapis.com/trace_sampled":true,"service":"kotlin-backend","logger":"tracehop.fixture.calls","thread":"grpc-default-executor-0","tenant.id":"t_a"}';
const clientLine =
  '{"time":"2026-12-07T19:40:06.395635095Z","severity":"INFO","message":"client Say -> 127.0.0.1:33609","service":"kclient","logger":"tracehop.fixture.calls","thread":"main","tenant.id":"t_a"}';

describe('parseLogLine', () => {
  it('reads a Cloud Logging entry and names its trace and span', () => {
    const line = parseLogLine(sayLine)!;
    expect(line).toMatchObject({ severity: 'INFO', message: 'Say', 'tenant.id': 't_a' });
    expect(traceIdOf(line)).toBe('50204a3f602d4d92bf109a440b1a5d35');
    expect(spanIdOf(line)).toBe('e40b3404d585efef');
    expect(traceIdOf({ 'logging.googleapis.com/trace': 'projects/my-project/traces/50204a3f602d4d92bf109a440b1a5d35' })).toBe('50204a3f602d4d92bf109a440b1a5d35');
    expect(traceIdOf(parseLogLine(clientLine)!)).toBeUndefined();
  });

  it('ignores agent and JVM lines, app lines and broken JSON', () => {
    expect(parseLogLine('[otel.javaagent 2026-11-24 23:53:25:858 +0000] [main] INFO x - version: 2.31.1')).toBeUndefined();
    expect(parseLogLine('REPLY {"severity":"INFO","message":"x"}')).toBeUndefined();
    expect(parseLogLine('{"severity":"INFO","message":"cut')).toBeUndefined();
    expect(parseLogLine('{"other":"json"}')).toBeUndefined();
    expect(parseLogLine('null')).toBeUndefined();
  });
});

describe('cloudLoggingEntryProblems', () => {
  const entry = JSON.parse(sayLine) as Record<string, unknown>;

  it('accepts the fixture\'s line, and one outside a span when no trace is required', () => {
    expect(cloudLoggingEntryProblems(entry)).toEqual([]);
    expect(cloudLoggingEntryProblems({ ...entry, [GCP_TRACE_KEY]: 'projects/my-project/traces/50204a3f602d4d92bf109a440b1a5d35' })).toEqual([]);
    expect(cloudLoggingEntryProblems(JSON.parse(clientLine), { requireTrace: false })).toEqual([]);
    expect(cloudLoggingEntryProblems(JSON.parse(clientLine))).toHaveLength(3);
  });

  it.each([
    ['severity', 'WARN'],
    ['severity', 'info'],
    ['message', 7],
    ['time', '2026-12-07 19:40:12'],
    [GCP_TRACE_KEY, '50204A3F602D4D92BF109A440B1A5D35'],
    [GCP_TRACE_KEY, '00000000000000000000000000000000'],
    [GCP_TRACE_KEY, 'projects//traces/50204a3f602d4d92bf109a440b1a5d35'],
    [GCP_SPAN_ID_KEY, '0000000000000000'],
    [GCP_SPAN_ID_KEY, 'e40b3404d585efe'],
    [GCP_TRACE_SAMPLED_KEY, 'true'],
    [GCP_TRACE_SAMPLED_KEY, '01'],
  ])('rejects %s = %j', (key, value) => {
    expect(cloudLoggingEntryProblems({ ...entry, [key]: value })).toHaveLength(1);
  });

  it('rejects a line with only some of the trace fields, and anything not an object', () => {
    const { [GCP_SPAN_ID_KEY]: _spanId, ...withoutSpan } = entry;
    expect(cloudLoggingEntryProblems(withoutSpan, { requireTrace: false })).toEqual([`${GCP_SPAN_ID_KEY} undefined is not 16 hex digits`]);
    expect(cloudLoggingEntryProblems([entry])).toEqual(['not a JSON object']);
  });
});
