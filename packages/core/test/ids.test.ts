import fc from 'fast-check';
import { expect, test } from 'vitest';
import { decimalToSpanId } from '../src/ids.js';
import { spanIdToDecimal, traceIdToCloudLogging, traceIdToDatadog } from '../src/index.js';

test('Datadog IDs are the unsigned decimals of the low 64 bits (vector from the Datadog docs)', () => {
  expect(traceIdToDatadog('0af7651916cd43dd8448eb211c80319c')).toBe('9532127138774266268');
  expect(spanIdToDecimal('b7ad6b7169203331')).toBe('13235353014750950193');
  expect(traceIdToDatadog('00000000000000008448eb211c80319c')).toBe(traceIdToDatadog('8448eb211c80319c'));
});

test('Cloud Logging trace is bare unless a project is given', () => {
  expect(traceIdToCloudLogging('0af7651916cd43dd8448eb211c80319c')).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(traceIdToCloudLogging('0af7651916cd43dd8448eb211c80319c', 'proj-1')).toBe('projects/proj-1/traces/0af7651916cd43dd8448eb211c80319c');
});

test('span ID decimal round trip for every non-zero 64-bit value', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), (value) => {
      const hex = value.toString(16).padStart(16, '0');
      expect(decimalToSpanId(spanIdToDecimal(hex))).toBe(hex);
    }),
  );
  expect(decimalToSpanId('0')).toBeUndefined();
  expect(decimalToSpanId('18446744073709551616')).toBeUndefined();
  expect(decimalToSpanId('-1')).toBeUndefined();
  expect(decimalToSpanId('1e3')).toBeUndefined();
});
