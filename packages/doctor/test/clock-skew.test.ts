// A backend whose wall clock runs 5 s ahead (its own process, Date.now
// shifted): its skew is measured from the hop's timing and allowed for, so
// its spans and log lines are judged with the probe they belong to.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReceiver } from '../src/testing.js';
import { startChildApp } from './fixtures/child-app.js';
import { breakKinds, consequenceKinds, diagnoseStack } from './fixtures/stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const each = <T>(value: T) => [value, value, value];

async function skewedStack(mode: 'own-root' | 'continue', skewMs = 5_000) {
  const receiver = await startReceiver({ port: 0 });
  cleanups.push(() => receiver.close());
  const logFile = join(mkdtempSync(join(tmpdir(), 'doctor-skew-')), 'backend.jsonl');
  const env = { SKEW_MS: String(skewMs), MODE: mode, OTLP_URL: `${receiver.endpoint}/v1/traces`, LOG_FILE: logFile };
  const backend = await startChildApp('./skewed-backend.mjs', env);
  cleanups.push(() => backend.stop());
  const stack = { backend: { address: backend.url }, extraLogs: [logFile], doctor: { expectTenant: 'hospital_a' } };
  return diagnoseStack(stack, cleanups, receiver);
}

describe('a backend whose clock runs 5 s ahead', () => {
  it('starting its own root span: the hop is named (both ends), the backend as skewed, never as uninstrumented', async () => {
    const { report, text } = await skewedStack('own-root');
    const skew = report.skew?.find((s) => s.service === 'node-backend');
    expect(skew?.offsetMs, text).toBeGreaterThan(4_800);
    expect(skew?.offsetMs).toBeLessThan(5_200);
    expect(text).toMatch(/node-backend's clock is 5\.0 s ahead/);
    expect(breakKinds(report), text).toEqual(each(['hop-new-trace@node-backend']));
    for (const probe of report.probes) {
      expect(probe.breaks[0]!.suspects).toEqual(['bff', 'node-backend']);
      // The backend's new trace is the probe's: its spans are shown, and its missing tenant is a consequence.
      expect(probe.spans.some((s) => s.service === 'node-backend')).toBe(true);
    }
    for (const consequences of consequenceKinds(report)) {
      expect(consequences, text).toEqual([
        'log-foreign-trace@node-backend <- hop-new-trace@node-backend',
        'tenant-missing@node-backend <- hop-new-trace@node-backend',
      ]);
    }
    // Its log lines, 5 s ahead too, were judged with their probe, not dropped.
    for (const probe of report.probes) expect(probe.logLines, text).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('continuing the trace: no break, and the skew is reported', async () => {
    const { report, text } = await skewedStack('continue');
    expect(breakKinds(report), text).toEqual([[], [], []]);
    for (const probe of report.probes) expect(probe.logLines, text).toBeGreaterThanOrEqual(2);
    const skew = report.skew?.find((s) => s.service === 'node-backend');
    expect(skew?.offsetMs, text).toBeGreaterThan(4_800);
    expect(skew?.offsetMs).toBeLessThan(5_200);
  }, 60_000);

  it('behind by 5 s instead, starting its own root span: the same verdicts, the clock named behind', async () => {
    const { report, text } = await skewedStack('own-root', -5_000);
    const skew = report.skew.find((s) => s.service === 'node-backend');
    expect(skew?.offsetMs, text).toBeLessThan(-4_800);
    expect(skew?.offsetMs).toBeGreaterThan(-5_200);
    expect(text).toMatch(/node-backend's clock is 5\.0 s behind the doctor's/);
    expect(breakKinds(report), text).toEqual(each(['hop-new-trace@node-backend']));
  }, 60_000);
});
