// Every option of traceMixin and gcpLoggerOptions, given a wrong type or an
// unknown value, throws a TypeError when the factory is called, naming it.
import { describeOptionTables } from '@tracehop/testkit';
import { expect, test } from 'vitest';
import { gcpLoggerOptions, traceMixin, type TraceMixinOptions } from '../src/index.js';
import { gcpLoggerOptionChecks, mixinOptionChecks } from '../src/mixin-options.js';

const common = {
  baggageKeys: ['tenant.id', [1], { 'tenant.id': 1 }],
  maxBaggageValueLength: [-1, '128', 1.5],
  mixin: [{ extra: 1 }],
};

describeOptionTables([
  {
    factory: 'traceMixin',
    // Each format's own options with that format, so only the type is wrong.
    call: (options) =>
      traceMixin({
        format: 'projectId' in options ? 'gcp' : 'service' in options || 'env' in options || 'version' in options ? 'datadog' : undefined,
        ...options,
      } as TraceMixinOptions),
    schema: mixinOptionChecks,
    wrong: {
      format: ['splunk', 1],
      ...common,
      logKeys: ['trace_id'],
      'logKeys.traceId': [1, ''],
      'logKeys.spanId': [null],
      'logKeys.traceFlags': [false],
      projectId: [123],
      service: [1],
      env: [true],
      version: [1.4],
    },
    typo: ['baggageKey', 'baggageKeys'],
  },
  {
    factory: 'gcpLoggerOptions',
    call: (options) => gcpLoggerOptions(options),
    schema: gcpLoggerOptionChecks,
    wrong: { ...common, projectId: [123] },
    typo: ['projectID', 'projectId'],
  },
]);

test("the issue's case, word for word: baggageKeys as a string", () => {
  expect(() => traceMixin({ baggageKeys: 'tenant.id' as never })).toThrow(
    new TypeError(
      'traceMixin: option "baggageKeys" must be an array of baggage keys or an object mapping baggage keys to field names, got string "tenant.id"',
    ),
  );
});

test('gcpLoggerOptions is always the gcp format: a format option is unknown', () => {
  expect(() => gcpLoggerOptions({ format: 'otel' } as never)).toThrow(/^gcpLoggerOptions: unknown option "format"/);
});
