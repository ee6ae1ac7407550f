import { expect, test } from 'vitest';
import { semconvStability } from '../src/internal.js';

test.each([
  [undefined, { old: true, stable: false }],
  ['', { old: true, stable: false }],
  ['http', { old: true, stable: false }],
  ['rpc', { old: false, stable: true }],
  ['http, rpc', { old: false, stable: true }],
  ['rpc/dup', { old: true, stable: true }],
  ['rpc,rpc/dup', { old: true, stable: true }],
])('OTEL_SEMCONV_STABILITY_OPT_IN=%j', (value, expected) => {
  expect(semconvStability('rpc', undefined, value)).toEqual(expected);
});

test.each([
  ['old', { old: true, stable: false }],
  ['stable', { old: false, stable: true }],
  ['dup', { old: true, stable: true }],
] as const)('the semconv option %j wins over OTEL_SEMCONV_STABILITY_OPT_IN', (option, expected) => {
  expect(semconvStability('rpc', option, 'rpc/dup')).toEqual(expected);
});
