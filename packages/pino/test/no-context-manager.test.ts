// Issue 24.4 for a service that only logs: with no context manager, no span
// is ever active for a line, and the mixin says so once, through diag.
import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { expect, test, vi } from 'vitest';
import { traceMixin } from '../src/index.js';
import { captureLogger, goldenProvider } from './harness.js';

test('no context manager: the lines carry no trace fields, and one warning names the fix', () => {
  const warn = vi.fn();
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  const { provider } = goldenProvider();
  const { logger, lines } = captureLogger({ mixin: traceMixin() });
  const span = provider.getTracer('test').startSpan('work');
  context.with(trace.setSpan(context.active(), span), () => {
    for (let i = 0; i < 3; i++) logger.info('inside a span, as far as the code can tell');
  });
  span.end();
  diag.disable();
  expect(lines().map((line) => line.trace_id)).toEqual([undefined, undefined, undefined]);
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0]![0])).toMatch(/^tracehop: no context manager carries context .* context\.setGlobalContextManager\(new AsyncLocalStorageContextManager\(\)\.enable\(\)\)/);
});
