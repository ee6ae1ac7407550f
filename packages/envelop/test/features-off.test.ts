// Issue 24.6's options cost nothing when they are off: the plugin registers
// none of their hooks (no onParse, no Yoga onYogaInit / onResponse / request
// instrumentation, parse and validate wrapped as before), and registers each
// only when its option is on.
import { expect, test } from 'vitest';
import { useTraceContext } from '../src/index.js';

type Hooks = Record<string, unknown> & { instrumentation: Record<string, unknown> };

test('off (the default): no hook of theirs', () => {
  const plugin = useTraceContext() as unknown as Hooks;
  expect(plugin.onParse).toBeUndefined();
  expect(plugin.onYogaInit).toBeUndefined();
  expect(plugin.onResponse).toBeUndefined();
  expect(Object.keys(plugin.instrumentation).sort()).toEqual(['context', 'execute', 'parse', 'subscribe', 'validate']);
  // The same wrapper for parse, validate and context building: no timing.
  expect(plugin.instrumentation.parse).toBe(plugin.instrumentation.context);
  expect(plugin.instrumentation.validate).toBe(plugin.instrumentation.context);
});

test('on: each registers its own', () => {
  const http = useTraceContext({ httpAttributes: true }) as unknown as Hooks;
  expect(typeof http.onYogaInit).toBe('function');
  expect(typeof http.onResponse).toBe('function');
  expect(typeof http.instrumentation.request).toBe('function');
  expect((useTraceContext({ ignoreOperations: { introspection: true } }) as unknown as Hooks).onParse).toEqual(expect.any(Function));
  const phases = useTraceContext({ phaseSpans: true }) as unknown as Hooks;
  expect(phases.instrumentation.parse).not.toBe(phases.instrumentation.context);
  // An empty rule leaves nothing out: no hook either.
  expect((useTraceContext({ ignoreOperations: { names: [] } }) as unknown as Hooks).onParse).toBeUndefined();
});
