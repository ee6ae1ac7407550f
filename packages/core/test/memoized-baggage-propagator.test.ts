import { propagation, ROOT_CONTEXT, type Baggage, type Context } from '@opentelemetry/api';
import { suppressTracing, W3CBaggagePropagator } from '@opentelemetry/core';
import { expect, test } from 'vitest';
import { MemoizedBaggagePropagator } from '../src/memoized-baggage-propagator.js';

// The memo must be invisible: for every input, the same header out and the same entries in as W3CBaggagePropagator.
type Carrier = Record<string, string | string[]>;
const getter = { keys: (c: Carrier) => Object.keys(c), get: (c: Carrier, k: string) => c[k] };
const setter = { set: (c: Carrier, k: string, v: string) => void (c[k] = v) };
const reference = new W3CBaggagePropagator();

const entries = (context: Context) =>
  propagation
    .getBaggage(context)
    ?.getAllEntries()
    .map(([key, entry]) => [key, entry.value, entry.metadata?.toString()]);

function written(propagator: W3CBaggagePropagator, baggage: Baggage, base: Context = ROOT_CONTEXT): Carrier {
  const carrier: Carrier = {};
  propagator.inject(propagation.setBaggage(base, baggage), carrier, setter);
  return carrier;
}

const long = 'x'.repeat(5000);
const baggages: Baggage[] = [
  propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } }),
  propagation.createBaggage({ 'a b': { value: 'ü,;=%' }, plain: { value: '1' } }),
  propagation.createBaggage({ big1: { value: long }, big2: { value: long }, small: { value: 's' } }),
  propagation.createBaggage({}),
];

test('writes what W3CBaggagePropagator writes, the first time and every time after', () => {
  const memoized = new MemoizedBaggagePropagator();
  for (const baggage of baggages) {
    for (let i = 0; i < 3; i++) expect(written(memoized, baggage)).toEqual(written(reference, baggage));
  }
});

test('writes nothing when tracing is suppressed, as the parent', () => {
  const memoized = new MemoizedBaggagePropagator();
  const baggage = baggages[0]!;
  expect(written(memoized, baggage)).toEqual({ baggage: 'tenant.id=t_hospital_7' });
  expect(written(memoized, baggage, suppressTracing(ROOT_CONTEXT))).toEqual({});
});

test('reads what W3CBaggagePropagator reads, for a repeated header, a changed one, lists and garbage', () => {
  const memoized = new MemoizedBaggagePropagator();
  const carriers: Carrier[] = [
    { baggage: 'tenant.id=t_hospital_7' },
    { baggage: 'tenant.id=t_hospital_7' },
    { baggage: ['tenant.id=t_hospital_7'] },
    { baggage: 'tenant.id=t_other;prop=1, user=%C3%BC' },
    { baggage: ['a=1', 'b=2'] },
    { baggage: 'tenant.id=t_hospital_7' },
    { baggage: ',,,;=' },
    { baggage: '' },
    {},
  ];
  for (const carrier of carriers) {
    expect(entries(memoized.extract(ROOT_CONTEXT, carrier, getter))).toEqual(entries(reference.extract(ROOT_CONTEXT, carrier, getter)));
  }
});

test('a repeated header yields the same immutable Baggage instance, on top of the given context', () => {
  const memoized = new MemoizedBaggagePropagator();
  const key = Symbol('other');
  const base = ROOT_CONTEXT.setValue(key, 'kept');
  const first = memoized.extract(base, { baggage: 'tenant.id=t_hospital_7' }, getter);
  const second = memoized.extract(base, { baggage: 'tenant.id=t_hospital_7' }, getter);
  expect(propagation.getBaggage(second)).toBe(propagation.getBaggage(first));
  expect(second.getValue(key)).toBe('kept');
  // Setting an entry makes a new Baggage; the shared one is unchanged.
  propagation.getBaggage(first)!.setEntry('x', { value: 'y' });
  expect(entries(second)).toEqual([['tenant.id', 't_hospital_7', undefined]]);
});
