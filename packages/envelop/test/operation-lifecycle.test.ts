// When the operation span ends must not depend on the order envelop reports
// "the wrapper settled" and "here is the result": both orders, a single result
// and a stream, a failure, each end it exactly once.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { expect, test } from 'vitest';
import { compilePluginConfig } from '../src/config.js';
import { Operation } from '../src/operation.js';
import { createTracing } from './harness.js';

const tracing = createTracing();
const config = compilePluginConfig({ tracerProvider: tracing.provider });

function start(): Operation {
  return new Operation(config, ROOT_CONTEXT, config.tracer.startSpan('query', {}, ROOT_CONTEXT));
}

const ended = (operation: Operation) => tracing.spans().filter((span) => span.spanContext().spanId === operation.span!.spanContext().spanId);

async function* stream(values: unknown[]) {
  for (const value of values) yield value;
}

async function drain(iterable: unknown) {
  for await (const _ of iterable as AsyncIterable<unknown>) void _;
}

test.each(['settle first', 'result first'])('a single result: the span ends once, when both are in (%s)', (order) => {
  const operation = start();
  operation.expectResult();
  if (order === 'settle first') {
    operation.settle(false);
    expect(ended(operation)).toHaveLength(0);
    operation.observeResult({ data: {} });
  } else {
    operation.observeResult({ data: {} });
    expect(ended(operation)).toHaveLength(0);
    operation.settle(false);
  }
  expect(ended(operation)).toHaveLength(1);
});

test.each(['settle first', 'result first'])('a stream: the span ends at the end of the stream, not before (%s)', async (order) => {
  const operation = start();
  operation.expectResult();
  let bound: unknown;
  if (order === 'settle first') {
    operation.settle(false);
    bound = operation.observeResult(stream([{ data: 1 }, { errors: [new Error('second payload failed')] }]));
  } else {
    bound = operation.observeResult(stream([{ data: 1 }, { errors: [new Error('second payload failed')] }]));
    operation.settle(false);
  }
  expect(ended(operation)).toHaveLength(0);
  await drain(bound);
  expect(ended(operation)).toHaveLength(1);
  expect(ended(operation)[0]!.status.message).toBe('second payload failed');
});

test('no result announced (another plugin answered before ours ran): the span ends when the wrapper settles', () => {
  const operation = start();
  operation.settle(false);
  expect(ended(operation)).toHaveLength(1);
});

test('a failure ends the span at once, with the error, and never twice', () => {
  const operation = start();
  operation.expectResult();
  operation.settle(true, new Error('execution threw'));
  operation.observeResult({ data: null });
  expect(ended(operation)).toHaveLength(1);
  expect(ended(operation)[0]!.status).toEqual({ code: 2, message: 'execution threw' });
});
