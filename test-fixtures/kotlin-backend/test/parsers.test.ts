// The harness's parsers against lines shaped exactly like agent 2.31.1's and the fixture's output.
import { describe, expect, it } from 'vitest';
import { isSpanLine, parseLogLine, parseSpanLine } from '../src/index.js';

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

describe('parseLogLine', () => {
  it('reads the fixture JSON layout', () => {
    const line =
      '{"time":"2026-11-24T23:53:30.151Z","level":"INFO","service":"kotlin-backend","logger":"tracehop.fixture.calls","thread":"grpc-default-executor-0","message":"Say","trace_id":"dda324d455d6221b14f317361789bd94","span_id":"befed8152e6aae27","trace_flags":"03","tenant_id":"t_b"}';
    expect(parseLogLine(line)).toMatchObject({ message: 'Say', trace_id: 'dda324d455d6221b14f317361789bd94', tenant_id: 't_b' });
  });

  it('ignores agent and JVM lines and broken JSON', () => {
    expect(parseLogLine('[otel.javaagent 2026-11-24 23:53:25:858 +0000] [main] INFO x - version: 2.31.1')).toBeUndefined();
    expect(parseLogLine('{"level":"INFO","message":"cut')).toBeUndefined();
    expect(parseLogLine('{"other":"json"}')).toBeUndefined();
  });
});
