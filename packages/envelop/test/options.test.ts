// Every option of useTraceContext, given a wrong type or an unknown value,
// throws a TypeError when the plugin is created, naming the option.
import { describeOptionTables } from '@tracehop/testkit';
import { expect, test } from 'vitest';
import { pluginOptionChecks } from '../src/config.js';
import { useTraceContext } from '../src/index.js';

describeOptionTables([
  {
    factory: 'useTraceContext',
    call: (options) => useTraceContext(options),
    schema: pluginOptionChecks,
    wrong: {
      tracerProvider: [{}, 'global'],
      propagator: [{ inject() {} }],
      trust: ['public'],
      'trust.trustTraceContext': ['true'],
      'trust.acceptBaggage': ['tenant.id', [1]],
      'trust.linkUntrusted': [1],
      'trust.linkTrustedAs': [{}],
      getHeaders: [{ traceparent: 'x' }],
      recordSpans: ['false'],
      spanName: ['name', 'type name'],
      operationNames: [-1, 1.5, 'GetUser', [1]],
      recordDocument: ['redacted'],
      resolverSpans: [1],
      enrich: [{}],
      httpAttributes: ['yes', 1],
      ignoreOperations: [true, ['IntrospectionQuery'], 'introspection'],
      'ignoreOperations.introspection': ['yes'],
      'ignoreOperations.names': ['ReadinessProbe', [1]],
      'ignoreOperations.match': [true],
      phaseSpans: ['true', 1],
    },
    typo: ['resolverSpan', 'resolverSpans'],
  },
]);

test('cloudRunEdge-style presets spread into the options keep working: only known keys', () => {
  expect(() => useTraceContext({ ...{ propagator: undefined, trust: { trustTraceContext: true, acceptBaggage: false, linkTrustedAs: 'x' } } })).not.toThrow();
});
