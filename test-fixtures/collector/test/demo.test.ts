// `pnpm demo --collector` runs and says the truth: a trace is reported kept
// exactly when a policy selects it, and every kept trace is whole.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { expect, test } from 'vitest';
import { runCollectorDemo } from '../src/index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

test('the collector demo keeps error, slow and allow-listed traces whole and drops the rest', async () => {
  const lines: string[] = [];
  const results = await runCollectorDemo({ kotlin: true, log: (line) => lines.push(line) });
  expect(results).toHaveLength(9);
  for (const r of results) {
    expect(r.spansProduced).toBeGreaterThanOrEqual(3);
    // Within 50 ms of the 300 ms threshold, clocks may disagree about "slow": either outcome is right.
    if (Math.abs(r.durationMs - 300) < 50) continue;
    expect(r.spansKept, `${r.label}: ${r.reasons.join(', ')}`).toBe(r.reasons.length > 0 ? r.spansProduced : 0);
  }
  const reasons = results.flatMap((r) => r.reasons.map((reason) => reason.replace(/ \(.*/, '')));
  expect(new Set(reasons)).toEqual(new Set(['error', 'slow', 'allow-listed tenant']));
  expect(results.some((r) => r.reasons.length === 0)).toBe(true);
  expect(lines.at(-1)).toMatch(/^\nkept \d of 9 traces; the token was fetched 1 time\(s\)/);
}, 50_000);
