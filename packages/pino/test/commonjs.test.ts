// Child processes against the built package: a CommonJS consumer, and the
// patching peer (@opentelemetry/instrumentation-pino), which only works when
// registered before `require('pino')`, so it cannot be tested in-process under ESM.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildPackage } from './harness.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function runFixture(file: string, ...args: string[]): { raw?: string[]; lines?: unknown[]; traceId?: string; resolved?: string } {
  const stdout = execFileSync(process.execPath, [`test/fixtures/${file}`, ...args], { cwd: packageDir, encoding: 'utf8' });
  return JSON.parse(stdout) as never;
}

const TRACE_FIELD_SETS: Record<string, RegExp> = {
  otel: /(?<!"dd":\{)"trace_id":/g,
  gcp: /"logging\.googleapis\.com\/trace":/g,
  datadog: /"dd":\{"trace_id":/g,
};

function fieldSetsIn(line: string): string[] {
  return Object.entries(TRACE_FIELD_SETS).flatMap(([name, pattern]) => Array.from(line.matchAll(pattern), () => name));
}

beforeAll(() => buildPackage(), 120_000);

test('require() of the built package from CommonJS writes trace fields (no patching, no load order)', () => {
  const { lines, resolved } = runFixture('require-built.cjs');
  expect(resolved).toMatch(/packages\/pino\/dist\/index\.js$/);
  expect(lines).toEqual([
    { level: 30, dd: { trace_id: '9532127138774266268', span_id: '13235353014750950193' }, msg: 'cjs' },
    {
      severity: 'INFO',
      level: 30,
      'logging.googleapis.com/trace': '0af7651916cd43dd8448eb211c80319c',
      'logging.googleapis.com/spanId': 'b7ad6b7169203331',
      'logging.googleapis.com/trace_sampled': true,
      message: 'cjs',
    },
  ]);
});

describe('next to @opentelemetry/instrumentation-pino', () => {
  test('the instrumentation is really active in the fixture (it alone writes trace_id)', () => {
    const { raw, traceId } = runFixture('instrumentation-pino.cjs', 'false', 'otel');
    expect(JSON.parse(raw![0]!)).toMatchObject({ trace_id: traceId, msg: 'instrumentation only' });
  });

  test.each(['gcp', 'datadog'])('%s format without disableLogCorrelation: two sets of trace fields (the problem)', (format) => {
    const { raw } = runFixture('instrumentation-pino.cjs', 'false', format);
    expect(fieldSetsIn(raw![1]!).sort()).toEqual([format, 'otel'].sort());
  });

  test.each(['otel', 'gcp', 'datadog'])('%s format with disableLogCorrelation: true: exactly one set (the fix)', (format) => {
    const { raw, traceId } = runFixture('instrumentation-pino.cjs', 'true', format);
    expect(fieldSetsIn(raw![1]!)).toEqual([format]);
    expect(raw![1]).toContain(format === 'datadog' ? '"trace_id":"' : traceId);
  });

  test('otel format even without the setting: the same keys, one set, our values', () => {
    const { raw, traceId } = runFixture('instrumentation-pino.cjs', 'false', 'otel');
    expect(raw![1]!.match(/"trace_id":/g)).toHaveLength(1);
    expect(JSON.parse(raw![1]!)).toMatchObject({ trace_id: traceId, trace_flags: '01' });
  });
});
