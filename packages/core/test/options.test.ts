// Every option of core's factories, given a wrong type, throws a TypeError
// when the factory is called, naming the option.
import { describeOptionTables } from '@tracehop/testkit';
import { expect, test } from 'vitest';
import { trustPolicyArgumentChecks } from '../src/inbound.js';
import { compileOutbound, compileTrustPolicy, createPropagator, type InboundDefaults, type OutboundOptions, type TrustPolicy } from '../src/index.js';
import { outboundChecks } from '../src/outbound.js';
import { propagatorOptionChecks } from '../src/propagator.js';

describeOptionTables([
  {
    factory: 'createPropagator',
    call: (options) => createPropagator(options),
    schema: propagatorOptionChecks,
    wrong: { cloudTraceContext: ['yes'], baggage: [0], sentryTrace: [null], datadog: ['datadog'] },
    typo: ['cloudtracecontext', 'cloudTraceContext'],
  },
  {
    factory: 'compileTrustPolicy',
    call: ({ trust, hopDefaults }) => compileTrustPolicy(trust as TrustPolicy, (hopDefaults ?? { acceptBaggage: true }) as InboundDefaults),
    schema: trustPolicyArgumentChecks,
    wrong: {
      trust: ['yes'],
      'trust.trustTraceContext': ['true'],
      'trust.acceptBaggage': ['tenant.id'],
      'trust.linkUntrusted': [1],
      'trust.linkTrustedAs': [false],
      hopDefaults: [true, 'edge'],
      'hopDefaults.acceptBaggage': ['yes'],
      'hopDefaults.propagator': [{}],
    },
    typo: ['trust.acceptBagage', 'trust.acceptBaggage'],
  },
  {
    factory: 'compileOutbound',
    call: (options) => compileOutbound(options as OutboundOptions),
    schema: outboundChecks,
    wrong: {
      propagator: ['w3c'],
      forwardBaggage: ['no'],
      sentryTrace: ['yes'],
      baggageLimits: [64],
      'baggageLimits.maxMembers': [-1, '64'],
      'baggageLimits.maxBytes': ['4096', 2.5],
    },
    typo: ['baggageLimits.maxByte', 'baggageLimits.maxBytes'],
  },
]);

test('compileTrustPolicy needs its hop defaults, with acceptBaggage', () => {
  expect(() => compileTrustPolicy({}, undefined as never)).toThrow(
    new TypeError('compileTrustPolicy: option "hopDefaults" must be an object { acceptBaggage: boolean, propagator? }, got null'),
  );
  expect(() => compileTrustPolicy({}, {} as never)).toThrow(
    new TypeError('compileTrustPolicy: option "hopDefaults.acceptBaggage" must be a boolean, got undefined'),
  );
});

test('compileOutbound reads only its own options: a hop passes its whole options object', () => {
  expect(() => compileOutbound({ target: 'x:1', recordSpans: false } as OutboundOptions)).not.toThrow();
});
