// Every option of both interceptors, given a wrong type or an unknown value,
// throws a TypeError when the interceptor is created, naming the option.
import { describeOptionTables } from '@tracehop/testkit';
import { expect, test } from 'vitest';
import { clientOptionChecks, serverOptionChecks } from '../src/hop-options.js';
import { createClientInterceptor, createServerInterceptor } from '../src/index.js';

const instrumentation = {
  tracerProvider: [{}, 'global', null],
  propagator: [{ inject() {} }, 'w3c'],
};
const rpcSpans = {
  recordSpans: ['yes', 1],
  semconv: ['new', true],
  ignoreMethods: ['grpc.health.v1.Health/Check', ['Check'], [42]],
  metadataAttributes: ['x-request-id', ['authorization'], ['cookie'], ['traceparent'], ['x-api-key'], ['bad key'], [1]],
  onStart: [true, {}],
  onEnd: ['() => {}'],
};

describeOptionTables([
  {
    factory: 'createClientInterceptor',
    call: (options) => createClientInterceptor(options),
    schema: clientOptionChecks,
    wrong: {
      ...instrumentation,
      ...rpcSpans,
      target: [50051, ['a:1']],
      forwardBaggage: ['false', 0],
      sentryTrace: ['true'],
      baggageLimits: [4096, 'small'],
      'baggageLimits.maxMembers': [-1, 1.5, '64', Number.NaN],
      'baggageLimits.maxBytes': ['4096', -1, Number.POSITIVE_INFINITY],
    },
    typo: ['forwardbagage', 'forwardBaggage'],
  },
  {
    factory: 'createServerInterceptor',
    call: (options) => createServerInterceptor(options),
    schema: serverOptionChecks,
    wrong: {
      ...instrumentation,
      ...rpcSpans,
      trust: [false, 'internal'],
      'trust.trustTraceContext': ['yes', 1],
      'trust.acceptBaggage': ['tenant.id', [1], { 'tenant.id': true }],
      'trust.linkUntrusted': ['no'],
      'trust.linkTrustedAs': [true],
    },
    typo: ['trustTracecontext', 'trust.trustTraceContext'],
  },
]);

test.each([
  [() => createClientInterceptor({ target: 50051 as never }), 'createClientInterceptor: option "target" must be a string like "host:port", got number 50051'],
  [
    () => createServerInterceptor({ trust: { acceptBaggage: 'tenant.id' as never } }),
    'createServerInterceptor: option "trust.acceptBaggage" must be a boolean, an array of baggage keys or a function (key, request) => boolean, got string "tenant.id"',
  ],
  [() => createClientInterceptor({ semconv: 'new' as never }), 'createClientInterceptor: option "semconv" must be one of "old", "stable", "dup", got string "new"'],
  [
    () => createClientInterceptor({ baggageLimits: { maxBytes: '4096' as never } }),
    'createClientInterceptor: option "baggageLimits.maxBytes" must be a non-negative integer, got string "4096"',
  ],
  [() => createServerInterceptor({ trust: { trustTracecontext: false } as never }), 'createServerInterceptor: unknown option "trust.trustTracecontext"; did you mean "trust.trustTraceContext"?'],
  [() => createClientInterceptor('127.0.0.1:50051' as never), 'createClientInterceptor: options must be an object, got string "127.0.0.1:50051"'],
])('the issue\'s cases, word for word (%#)', (create, message) => {
  expect(create).toThrow(new TypeError(message));
});
